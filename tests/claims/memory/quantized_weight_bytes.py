import functools

import torch
from transformers import AutoConfig

from kb.claims import claim
from kb.standin import load_registry

QWEN_7B = "Qwen/Qwen2.5-Coder-7B-Instruct"
LLAMA_8B = "meta-llama/Llama-3.1-8B-Instruct"
QWEN_05B = "Qwen/Qwen2.5-0.5B-Instruct"
GIB = 2**30


def real_config(model_id):
    cfg = dict(load_registry()[model_id].config)
    cfg.pop("torch_dtype", None)
    return AutoConfig.for_model(cfg.pop("model_type"), **cfg)


def loaded_bytes(model):
    """Everything a bitsandbytes model holds: parameters, buffers and the quantization scales."""
    import bitsandbytes as bnb

    total = sum(t.numel() * t.element_size() for t in [*model.parameters(), *model.buffers()])
    for m in model.modules():
        if isinstance(m, bnb.nn.Linear4bit):
            absmax = m.weight.quant_state.absmax
            total += absmax.numel() * absmax.element_size()
        elif isinstance(m, bnb.nn.Linear8bitLt):
            total += m.weight.SCB.numel() * m.weight.SCB.element_size()
    return total


@functools.cache
def load(scheme, double_quant=False):
    """The stand-in of a small tied model, loaded with bitsandbytes."""
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    quantization_config = {
        "int8": BitsAndBytesConfig(load_in_8bit=True),
        "nf4": BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=torch.bfloat16,
            bnb_4bit_use_double_quant=double_quant,
        ),
    }[scheme]
    return AutoModelForCausalLM.from_pretrained(
        QWEN_05B, dtype=torch.bfloat16, quantization_config=quantization_config
    )


@claim(
    "The arithmetic is exact: loading a model with bitsandbytes in int8 and in nf4 gives "
    "parameters, buffers and scales (SCB, absmax) of exactly the bytes `weight_bytes` predicts."
)
def matches_bitsandbytes(weight_bytes):
    config = AutoConfig.from_pretrained(QWEN_05B)
    found = []
    for scheme in ("int8", "nf4"):
        held = loaded_bytes(load(scheme))
        assert held == weight_bytes(config, scheme), scheme
        found.append(f"{scheme} {held:,} bytes")
    return f"{QWEN_05B}: " + ", ".join(found)


@claim(
    "nf4 stores one float32 absmax per block of 64 weights, which adds 1/16 byte to each "
    "weight's 1/2 byte."
)
def absmax_block_64():
    import bitsandbytes as bnb

    layers = [m for m in load("nf4").modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert layers
    for m in layers:
        state = m.weight.quant_state
        assert state.blocksize == 64
        assert state.absmax.dtype == torch.float32
        assert state.absmax.numel() * 64 == m.in_features * m.out_features
    return f"{len(layers)} Linear4bit layers, blocksize 64"


@claim(
    "With double quantization the absmax values are stored in 8 bits, with one float32 scale "
    "per 256 of them: about 1/64 byte per weight instead of 1/16."
)
def double_quant_absmax():
    import bitsandbytes as bnb

    layers = [m for m in load("nf4", True).modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert layers
    weights = scale_bytes = 0
    for m in layers:
        state = m.weight.quant_state
        n = m.in_features * m.out_features
        assert state.nested is True
        assert state.absmax.dtype == torch.uint8 and state.absmax.numel() * 64 == n
        assert state.state2.blocksize == 256 and state.state2.absmax.dtype == torch.float32
        assert state.state2.absmax.numel() == -(-state.absmax.numel() // 256)
        weights += n
        scale_bytes += state.absmax.numel() + 4 * state.state2.absmax.numel()
    per_weight = scale_bytes / weights
    assert 1 / 64 <= per_weight < 1 / 64 * 1.25, per_weight  # measured: within 2% of 1/64
    return f"{per_weight:.4f} byte of scales per weight instead of {1 / 16:.4f}"


@claim(
    "At full size, Qwen2.5-Coder-7B-Instruct takes 15.23 GB in bf16, 8.71 GB in int8 and "
    "5.85 GB in nf4; Llama-3.1-8B-Instruct 16.06, 9.09 and 6.03 GB."
)
def full_size_table(weight_bytes):
    expected = {
        QWEN_7B: (15_231_233_536, 8_711_507_456, 5_851_131_392),
        LLAMA_8B: (16_060_523_008, 9_086_706_176, 6_027_747_840),
    }
    rows = []
    for model_id, sizes in expected.items():
        config = real_config(model_id)
        got = tuple(weight_bytes(config, s) for s in ("bf16", "int8", "nf4"))
        assert got == sizes, (model_id, got)
        rows.append(
            f"{model_id.split('/')[1]}: " + " / ".join(f"{b / 1e9:.2f}" for b in got) + " GB"
        )
    return "; ".join(rows) + " (bf16 / int8 / nf4)"


@claim(
    "nf4 brings these models to 38.4% and 37.5% of their bf16 size, not 25%: the embeddings "
    "and `lm_head` stay in bf16."
)
def nf4_ratio(weight_bytes):
    ratios = []
    for model_id, expected in ((QWEN_7B, 0.384), (LLAMA_8B, 0.375)):
        config = real_config(model_id)
        ratio = weight_bytes(config, "nf4") / weight_bytes(config, "bf16")
        assert round(ratio, 3) == expected, ratio
        ratios.append(f"{ratio:.1%}")
    return f"{ratios[0]} for Qwen2.5-Coder-7B-Instruct and {ratios[1]} for Llama-3.1-8B-Instruct"


@claim(
    "On a 16 GiB GPU, Llama-3.1-8B-Instruct's bf16 weights (14.96 GiB) leave 1.04 GiB for "
    "everything else, barely more than the 1 GiB KV cache of one 8,192-token sequence; in nf4 "
    "(5.61 GiB) they "
    "leave 10.39 GiB."
)
def sixteen_gib_card(weight_bytes):
    config = real_config(LLAMA_8B)
    bf16, nf4 = weight_bytes(config, "bf16") / GIB, weight_bytes(config, "nf4") / GIB
    assert (round(bf16, 2), round(16 - bf16, 2)) == (14.96, 1.04)
    assert (round(nf4, 2), round(16 - nf4, 2)) == (5.61, 10.39)
    kv_8k = 2 * config.num_hidden_layers * config.num_key_value_heads * config.head_dim * 8192 * 2
    assert kv_8k == GIB
    return f"bf16 leaves {16 - bf16:.2f} GiB, nf4 leaves {16 - nf4:.2f} GiB"


@claim(
    "On a 24 GiB GPU, both fit in bf16, with 9.81 GiB (Qwen) and 9.04 GiB (Llama) to spare; "
    "in nf4 with 18.55 and 18.39 GiB."
)
def twenty_four_gib_card(weight_bytes):
    found = []
    for model_id, spare in ((QWEN_7B, (9.81, 18.55)), (LLAMA_8B, (9.04, 18.39))):
        config = real_config(model_id)
        bf16, nf4 = weight_bytes(config, "bf16") / GIB, weight_bytes(config, "nf4") / GIB
        assert (round(24 - bf16, 2), round(24 - nf4, 2)) == spare
        found.append(f"{model_id.split('/')[1]}: {24 - bf16:.2f} / {24 - nf4:.2f} GiB left")
    return "; ".join(found) + " (bf16 / nf4)"
