import torch

from kb.claims import claim

# Loading the full-size 7B stand-in from disk takes minutes on the GPU job.
TIMEOUT = 600

QWEN_05B = "Qwen/Qwen2.5-0.5B-Instruct"


def load(quantization_config=None):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(
        QWEN_05B, dtype=torch.bfloat16, quantization_config=quantization_config
    )


@claim(
    "A 4-bit model carries `is_quantized` (True), `quantization_method` "
    '(`QuantizationMethod.BITS_AND_BYTES`, whose value is `"bitsandbytes"`), `hf_quantizer` '
    "(a `Bnb4BitHfQuantizer`) and `is_loaded_in_4bit` (True); it has no `is_loaded_in_8bit`."
)
def four_bit_attributes(model):
    from transformers.quantizers.quantizer_bnb_4bit import Bnb4BitHfQuantizer
    from transformers.utils.quantization_config import QuantizationMethod

    assert model.is_quantized is True
    assert model.quantization_method is QuantizationMethod.BITS_AND_BYTES
    assert model.quantization_method.value == "bitsandbytes"
    assert type(model.hf_quantizer) is Bnb4BitHfQuantizer
    assert model.is_loaded_in_4bit is True
    assert not hasattr(model, "is_loaded_in_8bit")


@claim(
    "An 8-bit model carries `is_loaded_in_8bit` (True) and a `Bnb8BitHfQuantizer`, and no "
    '`is_loaded_in_4bit`; the summary reads `"llm_int8"` and counts `Linear8bitLt` layers.'
)
def eight_bit_attributes(quantization_summary):
    from transformers import BitsAndBytesConfig

    eight = load(BitsAndBytesConfig(load_in_8bit=True))
    assert eight.is_loaded_in_8bit is True
    assert not hasattr(eight, "is_loaded_in_4bit")
    summary = quantization_summary(eight)
    assert summary["method"] == "bitsandbytes"
    assert summary["scheme"] == "llm_int8"
    assert summary["quantizer"] == "Bnb8BitHfQuantizer"
    assert summary["layers"]["Linear8bitLt"] == 7 * eight.config.num_hidden_layers
    return (
        f"scheme {summary['scheme']}, {summary['quantizer']}, "
        f"{summary['layers']['Linear8bitLt']} Linear8bitLt layers"
    )


@claim(
    "A model loaded without quantization has none of these attributes: reading "
    "`model.is_quantized` raises `AttributeError` (hence the `getattr` with a default), and its "
    "config has no `quantization_config`."
)
def plain_model_has_none(quantization_summary):
    import pytest

    plain = load()
    for name in ("is_quantized", "quantization_method", "hf_quantizer", "is_loaded_in_4bit"):
        assert not hasattr(plain, name), name
    with pytest.raises(AttributeError) as missing:
        plain.is_quantized  # noqa: B018 - the read is the point
    assert str(missing.value) == "'Qwen2ForCausalLM' object has no attribute 'is_quantized'"
    assert not hasattr(plain.config, "quantization_config")
    assert quantization_summary(plain) is None


@claim(
    "`model.config.quantization_config` is the `BitsAndBytesConfig` in force, the same object "
    "as `model.hf_quantizer.quantization_config`, with the values asked for."
)
def config_in_force(model):
    from transformers import BitsAndBytesConfig

    qc = model.config.quantization_config
    assert type(qc) is BitsAndBytesConfig
    assert qc is model.hf_quantizer.quantization_config
    assert qc.load_in_4bit is True and qc.load_in_8bit is False
    assert qc.bnb_4bit_quant_type == "nf4"
    assert qc.bnb_4bit_compute_dtype == torch.bfloat16
    assert qc.bnb_4bit_use_double_quant is True


@claim(
    "Each decoder Linear is a `Linear4bit` whose weight is a `Params4bit` of packed `uint8`, "
    "shaped `(n/2, 1)` for `n` weights; its `quant_state` records the type (nf4), the block "
    "size (64) and the dtype the weight dequantizes to (bfloat16); the layer's "
    "`compute_dtype` is the one asked for."
)
def params4bit_state(model):
    import bitsandbytes as bnb

    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert len(layers) == 7 * model.config.num_hidden_layers
    for m in layers:
        w = m.weight
        assert type(w) is bnb.nn.Params4bit and w.dtype == torch.uint8
        assert tuple(w.shape) == (m.in_features * m.out_features // 2, 1)
        assert tuple(w.quant_state.shape) == (m.out_features, m.in_features)
        assert w.quant_state.quant_type == "nf4" and w.quant_state.blocksize == 64
        assert w.quant_state.dtype == torch.bfloat16
        assert m.compute_dtype == torch.bfloat16


@claim(
    "With double quantization (`nested`), the per-block absmax values are themselves stored "
    "as `uint8`, with a second, float32 state (`state2`) to decode them."
)
def nested_state(state):
    assert state.nested is True
    assert state.absmax.dtype == torch.uint8
    assert state.state2.absmax.dtype == torch.float32


@claim(
    "Summing `p.numel()` over a 4-bit model counts packed bytes, not weights: it comes out "
    "short by half of every 4-bit weight, while `model.num_parameters()` counts each packed "
    "element twice and so gives the real number of weights."
)
def numel_undercounts(model):
    import bitsandbytes as bnb

    naive = sum(p.numel() for p in model.parameters())
    four_bit = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    packed = sum(m.weight.numel() for m in four_bit)
    real = sum(m.in_features * m.out_features for m in four_bit)
    assert real == 2 * packed
    assert model.num_parameters() == naive - packed + real == naive + packed
    return f"num_parameters() {model.num_parameters():,}; sum of numel() {naive:,}"


@claim(
    "transformers 5.23 no longer sets the 4.x attributes `is_4bit_serializable` / "
    "`is_8bit_serializable` on the model, nor `_pre_quantization_dtype` on its config; the "
    "quantizer's `is_serializable()` answers the first question, an unquantized parameter's "
    "dtype the second."
)
def gone_from_4x(model):
    for name in ("is_4bit_serializable", "is_8bit_serializable"):
        assert not hasattr(model, name), name
    assert not hasattr(model.config, "_pre_quantization_dtype")
    assert model.hf_quantizer.is_serializable() is True
    assert model.get_input_embeddings().weight.dtype == torch.bfloat16
