import functools

import torch
from transformers import AutoConfig

from kb.claims import claim
from kb.standin import load_registry

MISTRAL = "mistralai/Mistral-7B-v0.1"
QWEN_7B = "Qwen/Qwen2.5-Coder-7B-Instruct"
LLAMA_8B = "meta-llama/Llama-3.1-8B-Instruct"
QWEN_05B = "Qwen/Qwen2.5-0.5B-Instruct"
GB = 1e9


def real_config(model_id):
    cfg = dict(load_registry()[model_id].config)
    cfg.pop("torch_dtype", None)
    return AutoConfig.for_model(cfg.pop("model_type"), **cfg)


@functools.cache
def sizes(model_id, weight_bytes):
    config = real_config(model_id)
    return {s: weight_bytes(config, s) for s in ("bf16", "int8", "nf4")}


@claim(
    "From their real configs: Mistral-7B-v0.1 takes 14.48 GB in bf16, 7.51 GB in int8 and "
    "4.45 GB in nf4; Qwen2.5-Coder-7B-Instruct 15.23, 8.71 and 5.85 GB; Llama-3.1-8B-Instruct "
    "16.06, 9.09 and 6.03 GB."
)
def full_size_table(weight_bytes):
    expected = {
        MISTRAL: (14_483_464_192, 7_509_647_360, 4_450_689_024),
        QWEN_7B: (15_231_233_024, 8_711_506_944, 5_851_130_880),
        LLAMA_8B: (16_060_522_496, 9_086_705_664, 6_027_747_328),
    }
    rows = []
    for model_id, want in expected.items():
        got = sizes(model_id, weight_bytes)
        assert (got["bf16"], got["int8"], got["nf4"]) == want, (model_id, got)
        rows.append(f"{model_id.split('/')[1]}: " + " / ".join(f"{b / GB:.2f}" for b in want))
    return "; ".join(rows) + " GB (bf16 / int8 / nf4)"


@claim(
    "None of them shrinks by the naive factor: nf4 comes to 30.7%, 38.4% and 37.5% of bf16 "
    "instead of 25%, int8 to 51.8%, 57.2% and 56.6% instead of 50%."
)
def ratios(weight_bytes):
    expected = {MISTRAL: (0.518, 0.307), QWEN_7B: (0.572, 0.384), LLAMA_8B: (0.566, 0.375)}
    found = []
    for model_id, (int8, nf4) in expected.items():
        s = sizes(model_id, weight_bytes)
        assert round(s["int8"] / s["bf16"], 3) == int8
        assert round(s["nf4"] / s["bf16"], 3) == nf4
        found.append(f"{model_id.split('/')[1]}: nf4 {s['nf4'] / s['bf16']:.1%}")
    return ", ".join(found)


@claim(
    "The vocabulary decides most of the gap: the embeddings and `lm_head`, which stay in bf16, "
    "hold 3.6% of Mistral-7B's weights (32,000 tokens) but 14.3% of Qwen2.5-Coder-7B's "
    "(152,064 tokens) and 13.1% of Llama-3.1-8B's (128,256 tokens)."
)
def vocabulary_share(split_parameters):
    expected = {MISTRAL: (0.036, 32000), QWEN_7B: (0.143, 152064), LLAMA_8B: (0.131, 128256)}
    found = []
    for model_id, (share, vocab) in expected.items():
        config = real_config(model_id)
        quantized, kept, _ = split_parameters(config)
        assert config.vocab_size == vocab
        embeddings = 2 * vocab * config.hidden_size  # input embeddings + lm_head, untied
        norms = kept - embeddings  # norms and biases: a rounding error beside them
        assert 0 <= norms < kept / 100
        assert round(kept / (quantized + kept), 3) == share
        found.append(f"{model_id.split('/')[1]}: {kept / (quantized + kept):.1%} kept")
    return ", ".join(found)


@claim(
    "The arithmetic is exact: loading a model (Qwen2.5-0.5B-Instruct) with bitsandbytes in "
    "int8 and in nf4 gives "
    "weights and scales (SCB, absmax) of exactly the bytes `weight_bytes` predicts."
)
def matches_bitsandbytes(weight_bytes):
    import bitsandbytes as bnb
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    schemes = {
        "int8": BitsAndBytesConfig(load_in_8bit=True),
        "nf4": BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
        ),
    }
    config = AutoConfig.from_pretrained(QWEN_05B)  # small and tied: quick on the GPU job too
    found = []
    for scheme, quantization_config in schemes.items():
        model = AutoModelForCausalLM.from_pretrained(
            QWEN_05B, quantization_config=quantization_config, dtype=torch.bfloat16
        )
        held = sum(p.numel() * p.element_size() for p in model.parameters())
        for m in model.modules():
            if isinstance(m, bnb.nn.Linear4bit):
                held += m.weight.quant_state.absmax.numel() * 4
            elif isinstance(m, bnb.nn.Linear8bitLt):
                held += m.weight.SCB.numel() * 4
        assert held == weight_bytes(config, scheme), scheme
        found.append(f"{scheme} {held:,} bytes")
    return f"{QWEN_05B}, loaded: " + ", ".join(found)
