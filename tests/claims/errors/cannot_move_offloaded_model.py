from kb.claims import claim


@claim(
    "Calling `.to()` on a model with offloaded modules raises `RuntimeError: You can't move a model "
    "that has some modules offloaded to cpu or disk.`, on any machine, before anything is moved."
)
def raises_runtime_error(error, model):
    assert type(error) is RuntimeError
    assert str(error) == "You can't move a model that has some modules offloaded to cpu or disk."
    assert {p.device.type for p in model.parameters()} == {"cpu", "meta"}


@claim(
    "The error comes from the wrapper accelerate's `dispatch_model` puts around the model's `.to()` "
    "method, and the model carries an `hf_device_map`."
)
def raised_by_accelerate(error, model, device_map):
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    assert frames[-1].filename.endswith("accelerate/big_modeling.py")
    assert frames[-1].name == "wrapper"
    assert "to" in vars(model)  # an instance attribute that shadows nn.Module.to
    assert model.hf_device_map == device_map
    return f"raised in accelerate/big_modeling.py, line {frames[-1].lineno}"
