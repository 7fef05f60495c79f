import torch

from kb.claims import claim


@claim(
    'A dtype string is enough: `dtype="bfloat16"` loads the unquantized parameters as `torch.bfloat16`; no `getattr(torch, ...)` step is needed.'
)
def string_dtype(model):
    assert model.dtype == torch.bfloat16
    assert model.get_input_embeddings().weight.dtype == torch.bfloat16


@claim("`use_cache=not gradient_checkpointing` lands in the config: `use_cache` is False.")
def cache_off(model):
    assert model.config.use_cache is False


@claim("The requested attention implementation is the one in force (`sdpa`).")
def attention(model):
    assert model.config._attn_implementation == "sdpa"


@claim(
    "trl's `get_quantization_config` builds a 4-bit nf4 config with double quantization and the compute dtype taken from `dtype`."
)
def trl_quant_config(quantization_config, model):
    import bitsandbytes as bnb

    assert quantization_config.load_in_4bit is True
    assert quantization_config.bnb_4bit_quant_type == "nf4"
    assert quantization_config.bnb_4bit_use_double_quant is True
    assert quantization_config.bnb_4bit_compute_dtype == torch.bfloat16
    assert isinstance(model.model.layers[0].self_attn.q_proj, bnb.nn.Linear4bit)


@claim(
    "Without a GPU the device map stays None and the quantized model is placed on the CPU.",
    needs="cpu",
)
def cpu_placement(device_map, model):
    assert device_map is None
    assert {p.device.type for p in model.parameters()} == {"cpu"}


@claim(
    "With a GPU, the device map pins the whole quantized model to this process's GPU.", needs="gpu"
)
def gpu_placement(device_map, model):
    assert device_map == {"": 0}
    assert {str(p.device) for p in model.parameters()} == {"cuda:0"}


@claim(
    "Current trl has neither `ModelConfig.torch_dtype` nor `get_kbit_device_map`, which "
    "alignment-handbook's `get_model` still uses: reading the field raises `AttributeError: "
    "'ModelConfig' object has no attribute 'torch_dtype'`, importing the helper `ImportError: "
    "cannot import name 'get_kbit_device_map' from 'trl'`."
)
def trl_removed_helpers(model_args):
    import pytest

    with pytest.raises(AttributeError) as attribute:
        model_args.torch_dtype  # noqa: B018 - the read is the point
    assert str(attribute.value) == "'ModelConfig' object has no attribute 'torch_dtype'"
    with pytest.raises(ImportError) as missing:
        exec("from trl import get_kbit_device_map")
    assert str(missing.value).startswith("cannot import name 'get_kbit_device_map' from 'trl' (")


@claim('trl\'s `ModelConfig.dtype` defaults to `"float32"`, unlike transformers\' `"auto"`.')
def trl_default_dtype():
    from trl import ModelConfig

    assert ModelConfig().dtype == "float32"
