import torch
from transformers import AutoConfig

from kb.claims import claim
from kb.standin import load_registry

QWEN_7B = "Qwen/Qwen2.5-Coder-7B-Instruct"


def nbytes(tensors):
    return sum(t.numel() * t.element_size() for t in tensors)


def split(model, layer_type):
    """Parameters of the quantized layers' weights, and everything else."""
    quantized = [m for m in model.modules() if isinstance(m, layer_type)]
    ids = {id(m.weight) for m in quantized}
    others = [p for p in model.parameters() if id(p) not in ids]
    return quantized, others


@claim(
    "`get_memory_footprint()` of a quantized model is still parameters plus buffers, nothing "
    "else: the quantization constants (absmax and code tables for nf4, SCB for int8) are "
    "left out."
)
def constants_left_out(nf4_model, int8_model, nf4_hidden, int8_hidden):
    for model in (nf4_model, int8_model):
        held = nbytes(model.parameters()) + nbytes(model.buffers())
        assert model.get_memory_footprint() == held
    assert nf4_hidden > 0 and int8_hidden > 0
    return (
        f"left out on the small stand-in: {nf4_hidden:,} bytes (nf4), {int8_hidden:,} bytes (int8)"
    )


@claim(
    "Packed 4-bit weights are counted at their real size: half a byte per weight, since each "
    "`uint8` element holds two; int8 weights at one byte each."
)
def packed_weights_counted_right(nf4_model, int8_model):
    import bitsandbytes as bnb

    four, others = split(nf4_model, bnb.nn.Linear4bit)
    expected = sum(m.in_features * m.out_features // 2 for m in four)
    expected += nbytes(others) + nbytes(nf4_model.buffers())
    assert nf4_model.get_memory_footprint() == expected
    eight, others = split(int8_model, bnb.nn.Linear8bitLt)
    expected = sum(m.in_features * m.out_features for m in eight)
    expected += nbytes(others) + nbytes(int8_model.buffers())
    assert int8_model.get_memory_footprint() == expected


@claim(
    "Each nf4 layer keeps one float32 absmax per block of 64 weights and a 16-entry float32 "
    "code table (64 bytes); each int8 layer one float32 scale per output row."
)
def what_the_constants_are(nf4_model, int8_model):
    import bitsandbytes as bnb

    for m in nf4_model.modules():
        if isinstance(m, bnb.nn.Linear4bit):
            state = m.weight.quant_state
            assert state.absmax.dtype == torch.float32
            assert state.absmax.numel() * 64 == m.in_features * m.out_features
            assert state.code.numel() * state.code.element_size() == 64
    for m in int8_model.modules():
        if isinstance(m, bnb.nn.Linear8bitLt):
            assert m.weight.SCB.dtype == torch.float32
            assert m.weight.SCB.numel() == m.out_features


@claim(
    "At full size, an nf4 Qwen2.5-Coder-7B-Instruct holds about 0.41 GB of absmax values that "
    "`get_memory_footprint()` does not show (about 0.10 GB with double quantization); int8 "
    "scales add about 5.6 MB (counted from the real config on the meta device)."
)
def full_size_left_out():
    from transformers import AutoModelForCausalLM

    cfg = dict(load_registry()[QWEN_7B].config)
    cfg.pop("torch_dtype", None)
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    head = model.get_output_embeddings()
    linears = [m for m in model.modules() if type(m) is torch.nn.Linear and m is not head]
    weights = sum(m.in_features * m.out_features for m in linears)
    absmax = 4 * weights // 64
    nested = weights // 64 + 4 * -(-(weights // 64) // 256)  # uint8 absmax + float32 per 256
    scb = 4 * sum(m.out_features for m in linears)
    assert round(absmax / 1e9, 2) == 0.41, absmax
    assert round(nested / 1e9, 2) == 0.10, nested
    assert round(scb / 1e6, 1) == 5.6, scb
    return f"absmax {absmax / 1e9:.2f} GB, nested {nested / 1e9:.2f} GB, SCB {scb / 1e6:.2f} MB"


@claim(
    "Double quantization does not change the footprint: it shrinks the absmax values, which "
    "the footprint never counted."
)
def double_quant_invisible(nf4_model, model_id):
    import bitsandbytes as bnb
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    nested = AutoModelForCausalLM.from_pretrained(
        model_id,
        quantization_config=BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=torch.bfloat16,
            bnb_4bit_use_double_quant=True,
        ),
        device_map="auto",
        dtype=torch.bfloat16,
    )
    assert nested.get_memory_footprint() == nf4_model.get_memory_footprint()

    def absmax_bytes(model):
        states = [m.weight.quant_state for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
        return sum(s.absmax.numel() * s.absmax.element_size() for s in states)

    assert absmax_bytes(nested) * 4 == absmax_bytes(nf4_model)  # uint8 instead of float32
