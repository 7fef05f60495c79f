import torch

from kb.claims import claim

# The GPU job loads the full-size 15 GB stand-in into CPU memory.
TIMEOUT = 600


@claim(
    "`to_empty()` followed by `load_state_dict()` reports that all keys matched, yet the rotary "
    "`inv_freq` buffer still holds whatever memory `to_empty()` allocated."
)
def buffers_not_restored(model, reference):
    assert not torch.equal(model.model.rotary_emb.inv_freq, reference.model.rotary_emb.inv_freq)
    for name, p in reference.named_parameters():
        assert torch.equal(model.get_parameter(name), p), name


@claim(
    "The buffer is missed because it is not persistent: `inv_freq` is not in the state dict "
    "that `load_state_dict` copies from."
)
def not_in_state_dict(reference):
    keys = reference.state_dict().keys()
    buffers = [name for name, _ in reference.named_buffers()]
    assert buffers == ["model.rotary_emb.inv_freq", "model.rotary_emb.original_inv_freq"]
    assert not any(name in keys for name in buffers)
    return ", ".join(buffers) + " are not in the state dict"
