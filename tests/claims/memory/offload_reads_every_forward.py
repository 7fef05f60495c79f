import torch

from kb.claims import claim


@claim(
    "Between forward passes the offloaded layers hold no weights: every parameter is on `meta`, "
    "and an Accelerate hook is set to fetch the weights for each call."
)
def no_weights_between_calls(model):
    layers = list(model.model.layers.parameters())
    assert layers and all(p.is_meta for p in layers)
    hooks = [m._hf_hook for m in model.model.layers.modules() if hasattr(m, "_hf_hook")]
    offloading = [h for h in hooks if getattr(h, "offload", False)]
    assert offloading
    return f"{len(offloading)} modules fetch their weights on every call"


@claim("Every forward pass reads every offloaded weight again: two passes read each of them twice.")
def read_every_pass(model, inputs):
    from accelerate.utils import offload

    names = {name for name, _ in model.model.layers.named_parameters()}
    reads = []
    original = offload.OffloadedWeightsLoader.__getitem__

    def spy(self, key):
        reads.append(key)
        return original(self, key)

    offload.OffloadedWeightsLoader.__getitem__ = spy
    try:
        with torch.no_grad():
            model(**inputs)
            once = list(reads)
            model(**inputs)
    finally:
        offload.OffloadedWeightsLoader.__getitem__ = original
    assert sorted(once) == sorted(f"model.layers.{n}" for n in names)
    assert sorted(reads) == sorted(once * 2)
    return f"{len(once)} offloaded tensors read on each forward pass"


@claim("The offloaded model still computes: both passes give the same logits.")
def same_logits(first, second):
    assert torch.equal(first, second)
    assert first.dtype == torch.bfloat16
