import traceback

import pytest
import torch

from kb.claims import claim

MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"
CUDA_8BIT = (
    "Calling `cuda()` is not supported for `8-bit` quantized models.  Please use the model as it "
    "is, since the model has already been set to the correct devices."
)
CAST = (
    "You cannot cast a bitsandbytes model in a new `dtype`. Make sure to load the model using "
    "`from_pretrained` using the desired `dtype` by passing the correct `dtype` argument."
)


def load_4bit():
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    bnb_config = BitsAndBytesConfig(
        load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
    )
    return AutoModelForCausalLM.from_pretrained(
        MODEL_ID, quantization_config=bnb_config, dtype=torch.bfloat16, device_map="auto"
    )


@claim(
    "`.cuda()` on an 8-bit bitsandbytes model raises `ValueError: Calling `cuda()` is not "
    "supported for `8-bit` quantized models. ...` (the message has two spaces after the first "
    "full stop)."
)
def raises_value_error(error):
    assert type(error) is ValueError
    assert str(error) == CUDA_8BIT


@claim(
    "transformers' `PreTrainedModel.cuda` raises it before asking torch for a GPU, so it is the "
    "same with or without one, and the model stays where it was loaded."
)
def raised_before_any_device(error, model):
    frame = traceback.extract_tb(error.__traceback__)[-1]
    assert frame.filename.endswith("transformers/modeling_utils.py") and frame.name == "cuda"
    assert model.is_loaded_in_8bit is True
    assert {p.dtype for p in model.parameters()} == {torch.int8, torch.bfloat16}
    return f"raised in transformers/modeling_utils.py, line {frame.lineno}; model on {model.device}"


@claim(
    'In transformers 5, `.to("cpu")` is a normal device move for 8-bit and 4-bit models alike: '
    "it returns the model."
)
def to_device_allowed(model):
    four_bit = load_4bit()
    for target in (model, four_bit):
        assert target.to("cpu") is target
        assert {p.device.type for p in target.parameters()} == {"cpu"}


@claim(
    'A device and a dtype together, `.to("cpu", torch.float16)`, raise the dtype `ValueError` '
    "instead: the dtype check comes first and nothing is moved."
)
def device_and_dtype(model):
    before = {p.device for p in model.parameters()}
    with pytest.raises(ValueError) as info:
        model.to("cpu", torch.float16)
    assert str(info.value) == CAST
    assert {p.device for p in model.parameters()} == before


@claim(
    'With a CPU-only build of torch, `.cuda()` and `.to("cuda")` on a 4-bit model are passed on '
    "to torch, which raises `AssertionError: Torch not compiled with CUDA enabled`.",
    needs="cpu",
)
def four_bit_cuda_without_gpu():
    assert torch.version.cuda is None
    four_bit = load_4bit()
    for call in (four_bit.cuda, lambda: four_bit.to("cuda")):
        with pytest.raises(AssertionError) as info:
            call()
        assert str(info.value) == "Torch not compiled with CUDA enabled"
    return f"torch {torch.__version__}"


@claim(
    'On a GPU, `.cuda()` and `.to("cuda")` move a 4-bit model, and `.to("cuda")` moves an 8-bit '
    "one: only `.cuda()` on 8-bit is refused.",
    needs="gpu",
)
def moves_on_a_gpu(model):
    four_bit = load_4bit()
    four_bit.to("cpu")
    four_bit.cuda()
    assert {p.device.type for p in four_bit.parameters()} == {"cuda"}
    four_bit.to("cpu")
    four_bit.to("cuda")
    assert {p.device.type for p in four_bit.parameters()} == {"cuda"}
    model.to("cpu")
    model.to("cuda")
    assert {p.device.type for p in model.parameters()} == {"cuda"}
    with pytest.raises(ValueError) as info:
        model.cuda()
    assert str(info.value) == CUDA_8BIT
