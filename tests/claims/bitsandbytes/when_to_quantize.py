import functools

from transformers import AutoConfig

from kb.claims import claim
from kb.standin import load_registry

QWEN_7B = "Qwen/Qwen2.5-Coder-7B-Instruct"
LLAMA_8B = "meta-llama/Llama-3.1-8B-Instruct"
MISTRAL_7B = "mistralai/Mistral-7B-v0.1"
QWEN_05B = "Qwen/Qwen2.5-0.5B-Instruct"
CARDS = (8, 12, 16, 24, 48, 80)


def real_config(model_id):
    """The model's real, full-size config.json, as a config object."""
    cfg = dict(load_registry()[model_id].config)
    cfg.pop("torch_dtype", None)
    return AutoConfig.for_model(cfg.pop("model_type"), **cfg)


@functools.cache
def full_size(memory_needed, model_id, tokens):
    return memory_needed(real_config(model_id), tokens=tokens)


def rounded(needed):
    return tuple(round(needed[s], 2) for s in ("bf16", "int8", "nf4"))


@claim(
    "With an 8,192-token KV cache, from the real configs: Qwen2.5-Coder-7B-Instruct needs "
    "14.62 GiB in bf16, 8.55 in int8 and 5.89 in nf4; Llama-3.1-8B-Instruct 15.96, 9.46 and "
    "6.61; Mistral-7B-v0.1 14.49, 7.99 and 5.15."
)
def seven_and_eight_b(memory_needed):
    expected = {
        QWEN_7B: (14.62, 8.55, 5.89),
        LLAMA_8B: (15.96, 9.46, 6.61),
        MISTRAL_7B: (14.49, 7.99, 5.15),
    }
    rows = []
    for model_id, sizes in expected.items():
        got = rounded(full_size(memory_needed, model_id, 8192))
        assert got == sizes, (model_id, got)
        rows.append(f"{model_id.split('/')[1]} " + " / ".join(f"{g:.2f}" for g in got))
    return "; ".join(rows) + " GiB (bf16 / int8 / nf4, 8,192 tokens of KV cache)"


@claim(
    "The KV cache is part of the bill: 8,192 tokens take 1 GiB for Llama-3.1-8B-Instruct and "
    "Mistral-7B-v0.1 (8 KV heads, 32 layers) but 0.44 GiB for Qwen2.5-Coder-7B-Instruct "
    "(4 KV heads, 28 layers)."
)
def kv_cache_share(memory_needed):
    shares = {}
    for model_id in (LLAMA_8B, MISTRAL_7B, QWEN_7B):
        with_kv = full_size(memory_needed, model_id, 8192)["bf16"]
        without = full_size(memory_needed, model_id, 0)["bf16"]
        shares[model_id] = round(with_kv - without, 2)
    assert shares == {LLAMA_8B: 1.0, MISTRAL_7B: 1.0, QWEN_7B: 0.44}, shares
    return ", ".join(f"{m.split('/')[1]} {s:.2f} GiB" for m, s in shares.items())


@claim(
    "With 2 GiB kept free, no 7B or 8B model runs in bf16 on a 16 GiB card with an 8k context, "
    "and all three do on a 24 GiB card; on 12 and 16 GiB cards int8 fits; on an 8 GiB card nf4 "
    "fits the two 7B models but not Llama-3.1-8B-Instruct."
)
def decisions(memory_needed, least_quantization):
    expected = {
        QWEN_7B: ("nf4", "int8", "int8", "bf16", "bf16", "bf16"),
        LLAMA_8B: (None, "int8", "int8", "bf16", "bf16", "bf16"),
        MISTRAL_7B: ("nf4", "int8", "int8", "bf16", "bf16", "bf16"),
    }
    rows = []
    for model_id, choices in expected.items():
        needed = full_size(memory_needed, model_id, 8192)
        got = tuple(least_quantization(needed, gpu_gib=g) for g in CARDS)
        assert got == choices, (model_id, got)
        cells = ", ".join(f"{g} GiB: {c or 'offload'}" for g, c in zip(CARDS, got, strict=True))
        rows.append(f"{model_id.split('/')[1]}: {cells}")
    return "; ".join(rows)


@claim(
    "The parameter count is not the threshold: Qwen2.5-0.5B-Instruct fits every card in bf16, "
    "and a 3-billion-parameter model's bf16 weights alone are 5.59 GiB, which leaves 0.41 GiB "
    "on an 8 GiB card once 2 GiB is kept free."
)
def not_a_parameter_threshold(memory_needed, least_quantization):
    small = full_size(memory_needed, QWEN_05B, 8192)
    assert round(small["bf16"], 2) == 1.01
    assert all(least_quantization(small, gpu_gib=g) == "bf16" for g in CARDS)
    three_b = 3e9 * 2 / 2**30
    assert (round(three_b, 2), round(8 - 2 - three_b, 2)) == (5.59, 0.41)
    return f"Qwen2.5-0.5B-Instruct: {small['bf16']:.2f} GiB in bf16 with 8k tokens; 3B: {three_b:.2f} GiB"


@claim(
    "A longer context moves the line: at 32,768 tokens Llama-3.1-8B-Instruct needs 18.96 GiB in "
    "bf16 and 9.61 in nf4, so on a 12 GiB card only nf4 fits."
)
def long_context(memory_needed, least_quantization):
    needed = full_size(memory_needed, LLAMA_8B, 32768)
    assert (round(needed["bf16"], 2), round(needed["nf4"], 2)) == (18.96, 9.61)
    assert least_quantization(needed, gpu_gib=12) == "nf4"
    assert least_quantization(needed, gpu_gib=16) == "int8"
    return f"bf16 {needed['bf16']:.2f}, int8 {needed['int8']:.2f}, nf4 {needed['nf4']:.2f} GiB"


@claim(
    "The snippet's figures count what bitsandbytes really stores: loaded in int8 and in nf4, "
    "the Llama-3.1-8B-Instruct stand-in holds exactly the weight bytes the function predicts."
)
def matches_a_real_load(memory_needed):
    import bitsandbytes as bnb
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    config = AutoConfig.from_pretrained(LLAMA_8B)
    configs = {
        "int8": BitsAndBytesConfig(load_in_8bit=True),
        "nf4": BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
        ),
    }
    found = []
    for scheme, quantization_config in configs.items():
        model = AutoModelForCausalLM.from_pretrained(
            LLAMA_8B, dtype=torch.bfloat16, quantization_config=quantization_config
        )
        tensors = [*model.parameters(), *model.buffers()]
        held = sum(t.numel() * t.element_size() for t in tensors)
        for m in model.modules():
            if isinstance(m, bnb.nn.Linear4bit):
                held += m.weight.quant_state.absmax.numel() * 4
            elif isinstance(m, bnb.nn.Linear8bitLt):
                held += m.weight.SCB.numel() * m.weight.SCB.element_size()
        predicted = memory_needed(config, tokens=0)[scheme] * 2**30
        assert held == round(predicted), (scheme, held, predicted)
        found.append(f"{scheme} {held:,} bytes")
    return ", ".join(found)


@claim(
    "Less quantization is closer to the original: on normally distributed weights, bitsandbytes' "
    "int8 (one scale per row) rounds them by under 1% of their RMS, nf4 (one scale per 64) by "
    "about 9%, some eleven times more."
)
def int8_closer_than_nf4():
    import bitsandbytes.functional as F
    import torch

    generator = torch.Generator().manual_seed(0)
    weight = (torch.randn(1024, 3584, generator=generator) * 0.02).to(torch.bfloat16)
    reference = weight.float()

    def relative_error(restored):
        return ((restored - reference).pow(2).mean() / reference.pow(2).mean()).sqrt().item()

    codes, scales, _ = F.int8_vectorwise_quant(weight)
    int8 = relative_error(codes.float() * scales[:, None] / 127)
    packed, state = F.quantize_4bit(weight, quant_type="nf4", blocksize=64)
    nf4 = relative_error(F.dequantize_4bit(packed, state).float())
    assert round(int8, 3) == 0.009 and round(nf4, 2) == 0.09, (int8, nf4)
    assert round(nf4 / int8) == 11, nf4 / int8
    return f"relative RMS error: int8 {int8:.2%}, nf4 {nf4:.1%}"
