from kb.claims import claim


@claim(
    "A forward pass of a model on `cuda:0` with inputs left on the CPU raises a `RuntimeError` "
    'that starts "Expected all tensors to be on the same device" and names both `cuda:0` and `cpu`.',
    needs="gpu",
)
def raises_device_mismatch(error, model, inputs):
    assert type(error) is RuntimeError
    message = str(error)
    assert message.startswith("Expected all tensors to be on the same device, but ")
    assert "cuda:0" in message and "cpu" in message
    assert model.device.type == "cuda" and inputs["input_ids"].device.type == "cpu"
    return message


@claim(
    "A model loaded onto one device has no accelerate hooks to move inputs for it: no `hf_device_map`.",
    needs="gpu",
)
def no_hooks(model):
    assert not hasattr(model, "hf_device_map")
    assert not hasattr(model, "_hf_hook")


@claim(
    "`generate` accepts the same CPU inputs: in transformers 5 it moves them to `model.device` "
    "before each forward pass.",
    needs="gpu",
)
def generate_moves_inputs(model, inputs):
    output_ids = model.generate(**inputs, max_new_tokens=3, min_new_tokens=3, do_sample=False)
    assert output_ids.shape[1] == inputs["input_ids"].shape[1] + 3
    return f"generated on {output_ids.device}"
