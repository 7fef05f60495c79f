import pytest
import torch

from kb.claims import claim

MESSAGE = "Cannot copy out of meta tensor; no data!"


@claim(
    '`model.to("cpu")` on a model built on the meta device raises `NotImplementedError: Cannot '
    "copy out of meta tensor; no data!`, with a hint to use `to_empty()`."
)
def raises_not_implemented(error):
    assert type(error) is NotImplementedError
    assert str(error) == (
        MESSAGE + " Please use torch.nn.Module.to_empty() instead of torch.nn.Module.to() "
        "when moving module from meta to a different device."
    )


@claim("`.cpu()` on the model, or on one of its weights, raises the same error without the hint.")
def cpu_short_message(model):
    with pytest.raises(NotImplementedError) as module_error:
        model.cpu()
    assert str(module_error.value) == MESSAGE
    with pytest.raises(NotImplementedError) as tensor_error:
        model.lm_head.weight.cpu()
    assert str(tensor_error.value) == MESSAGE


@claim(
    "The weights hold no data: every parameter is on `meta`, and a dtype change such as "
    "`.to(torch.float32)` succeeds because it stays on `meta`."
)
def meta_has_no_data(model):
    assert all(p.is_meta for p in model.parameters())
    assert model.to(torch.float32) is model
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    assert all(p.is_meta for p in model.parameters())


@claim(
    "A model dispatched with weights offloaded to disk hits the same error on `.cpu()`, on a "
    "submodule's `.to()` and when copying its `state_dict()`; its own `.to()` is refused "
    "earlier with a `RuntimeError`."
)
def dispatched_model():
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(
        "Qwen/Qwen2.5-0.5B-Instruct",
        dtype=torch.bfloat16,
        device_map="auto",
        max_memory={"cpu": "600KB"},  # too little: the weights stay on disk
    )
    assert set(model.hf_device_map.values()) == {"disk"}
    attempts = {
        "model.cpu()": model.cpu,
        "layer.to('cpu')": lambda: model.model.layers[0].to("cpu"),
        "state_dict copy": lambda: {k: v.cpu() for k, v in model.state_dict().items()},
    }
    for attempt in attempts.values():
        with pytest.raises(NotImplementedError, match=r"^Cannot copy out of meta tensor; no data!"):
            attempt()
    with pytest.raises(
        RuntimeError, match=r"^You can't move a model that has some modules offloaded"
    ):
        model.to("cpu")
    return ", ".join(attempts) + ": NotImplementedError"
