import traceback

import pytest
import torch

from kb.claims import claim

MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"
CAST = (
    "You cannot cast a bitsandbytes model in a new `dtype`. Make sure to load the model using "
    "`from_pretrained` using the desired `dtype` by passing the correct `dtype` argument."
)
HALF = (
    "`.half()` is not supported for quantized model. Please use the model as it is, since the "
    "model has already been casted to the correct `dtype`."
)
FLOAT = (
    "`.float()` is not supported for quantized model. Please use the model as it is, since the "
    "model has already been casted to the correct `dtype`."
)


@claim(
    "`model.to(torch.float16)` on a 4-bit bitsandbytes model raises `ValueError: You cannot cast "
    "a bitsandbytes model in a new `dtype`. ...`."
)
def raises_value_error(error):
    assert type(error) is ValueError
    assert str(error) == CAST


@claim(
    "It is raised by transformers' own `PreTrainedModel.to` (in `modeling_utils.py`), before "
    "`torch.nn.Module.to` runs: nothing was cast or moved."
)
def raised_in_pretrained_model_to(error, model):
    frame = traceback.extract_tb(error.__traceback__)[-1]
    assert frame.filename.endswith("transformers/modeling_utils.py") and frame.name == "to"
    assert {p.dtype for p in model.parameters()} == {torch.uint8, torch.bfloat16}
    return f"raised in transformers/modeling_utils.py, line {frame.lineno}"


@claim(
    'Every way of naming a dtype is refused the same way: `.to(dtype=...)`, `.to("cpu", '
    "torch.float16)`, and on 8-bit models too."
)
def every_spelling(model):
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    eight_bit = AutoModelForCausalLM.from_pretrained(
        MODEL_ID, quantization_config=BitsAndBytesConfig(load_in_8bit=True)
    )
    for target in (model, eight_bit):
        for args, kwargs in (
            ((), {"dtype": torch.bfloat16}),
            (("cpu", torch.float16), {}),
            ((torch.float32,), {}),
        ):
            with pytest.raises(ValueError) as info:
                target.to(*args, **kwargs)
            assert str(info.value) == CAST


@claim(
    "`.half()` and `.float()` have messages of their own, the same in transformers 4.x and 5: "
    "`` `.half()` is not supported for quantized model. ...``"
)
def half_and_float(model):
    with pytest.raises(ValueError) as half:
        model.half()
    with pytest.raises(ValueError) as to_float:
        model.float()
    assert str(half.value) == HALF
    assert str(to_float.value) == FLOAT
    return HALF


@claim('A device move alone is not a cast: `model.to("cpu")` works and returns the model.')
def device_move_is_fine(model):
    assert model.to("cpu") is model
    assert {p.device.type for p in model.parameters()} == {"cpu"}
