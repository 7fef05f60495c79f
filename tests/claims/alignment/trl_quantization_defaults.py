import pytest
import torch

from kb.claims import claim


@claim(
    'trl\'s `ModelConfig.dtype` defaults to `"float32"`, and `get_quantization_config` passes '
    "it on as the compute dtype: left at its default, a 4-bit config computes in float32."
)
def default_compute_float32(defaults, quantization_config, output):
    assert output.splitlines()[0] == "float32 torch.float32"
    assert defaults.dtype == "float32"
    assert quantization_config.load_in_4bit is True
    assert quantization_config.bnb_4bit_compute_dtype == torch.float32


@claim(
    "trl's own defaults for the rest: nf4 (where `BitsAndBytesConfig` alone defaults to fp4), "
    "no nested quantization, `uint8` storage."
)
def quant_type_default(quantization_config, output):
    from transformers import BitsAndBytesConfig

    assert output.splitlines()[1] == "nf4 False torch.uint8"
    assert quantization_config.bnb_4bit_quant_type == "nf4"
    assert quantization_config.bnb_4bit_use_double_quant is False
    assert quantization_config.bnb_4bit_quant_storage == torch.uint8
    assert BitsAndBytesConfig(load_in_4bit=True).bnb_4bit_quant_type == "fp4"


@claim('`dtype="bfloat16"` gives bfloat16 compute.')
def explicit_bfloat16(explicit, output):
    from trl import get_quantization_config

    assert output.splitlines()[2] == "torch.bfloat16"
    assert get_quantization_config(explicit).bnb_4bit_compute_dtype == torch.bfloat16


@claim(
    "`--dtype auto` together with `--load_in_4bit` fails in `get_quantization_config`: "
    "`BitsAndBytesConfig` looks the string up on torch and raises "
    "`AttributeError: module 'torch' has no attribute 'auto'`."
)
def auto_breaks_4bit():
    from trl import ModelConfig, get_quantization_config

    with pytest.raises(AttributeError) as failure:
        get_quantization_config(ModelConfig(dtype="auto", load_in_4bit=True))
    assert str(failure.value) == "module 'torch' has no attribute 'auto'"
    return f"AttributeError: {failure.value}"


@claim(
    "`--load_in_8bit` gives a plain 8-bit config, and with neither flag the function returns "
    "None (no quantization)."
)
def eight_bit_and_none():
    from trl import ModelConfig, get_quantization_config

    eight = get_quantization_config(ModelConfig(load_in_8bit=True))
    assert eight.load_in_8bit is True and eight.load_in_4bit is False
    assert get_quantization_config(ModelConfig()) is None


@claim(
    "Loaded with those defaults (`dtype=model_args.dtype`), a 4-bit policy keeps its "
    "unquantized parameters in float32 and its 4-bit layers compute in float32."
)
def defaults_load_float32(defaults, quantization_config):
    import bitsandbytes as bnb
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(
        defaults.model_name_or_path,
        dtype=defaults.dtype,
        quantization_config=quantization_config,
    )
    assert model.get_input_embeddings().weight.dtype == torch.float32
    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert layers and {m.compute_dtype for m in layers} == {torch.float32}
    assert {m.weight.quant_state.quant_type for m in layers} == {"nf4"}
