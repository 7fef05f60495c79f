import torch
from transformers import AutoConfig

from kb.claims import below, claim
from kb.standin import load_registry

QWEN_7B = "Qwen/Qwen2.5-Coder-7B-Instruct"
LLAMA_8B = "meta-llama/Llama-3.1-8B-Instruct"
QWEN_05B = "Qwen/Qwen2.5-0.5B-Instruct"


def real_config(model_id):
    """The model's real, full-size config.json, as a config object."""
    cfg = dict(load_registry()[model_id].config)
    cfg.pop("torch_dtype", None)
    return AutoConfig.for_model(cfg.pop("model_type"), **cfg)


def rss_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@claim(
    "Nothing is allocated: every parameter and buffer is on the meta device, and building the "
    "full-size 7.6-billion-parameter model this way grows the process by well under 1 GB."
)
def nothing_allocated(estimate, result):
    tensors = list(result["model"].parameters()) + list(result["model"].buffers())
    assert tensors and all(t.device.type == "meta" for t in tensors)
    before = rss_bytes()
    full = estimate(real_config(QWEN_7B), torch.bfloat16)
    grown = rss_bytes() - before
    assert all(p.is_meta for p in full["model"].parameters())
    assert full["weight_bytes"] == 15_231_233_536
    below(grown, 1e9)
    return f"the process grew by {grown / 2**20:.0f} MiB for a model of {full['weight_bytes'] / 1e9:.2f} GB"


@claim(
    "Qwen2.5-Coder-7B-Instruct has 7,615,616,512 parameters: 15.23 GB (14.19 GiB) in bfloat16 "
    "at 2 bytes each, 30.46 GB in float32 at 4 bytes each."
)
def qwen_coder_7b(estimate):
    config = real_config(QWEN_7B)
    bf16 = estimate(config, torch.bfloat16)
    fp32 = estimate(config, torch.float32)
    assert bf16["parameters"] == fp32["parameters"] == 7_615_616_512
    # 2 bytes per parameter, plus 512 bytes of float32 rotary buffers
    assert bf16["weight_bytes"] == 2 * 7_615_616_512 + 512 == 15_231_233_536
    assert fp32["weight_bytes"] == 4 * 7_615_616_512 + 512 == 30_462_466_560
    buffers = list(bf16["model"].buffers())
    assert {b.dtype for b in buffers} == {torch.float32}
    assert sum(b.numel() * b.element_size() for b in buffers) == 512
    gb, gib = bf16["weight_bytes"] / 1e9, bf16["weight_bytes"] / 2**30
    return f"{bf16['parameters']:,} parameters, {gb:.2f} GB ({gib:.2f} GiB) in bfloat16"


@claim("Llama-3.1-8B-Instruct has 8,030,261,248 parameters: 16.06 GB (14.96 GiB) in bfloat16.")
def llama_31_8b(estimate):
    bf16 = estimate(real_config(LLAMA_8B), torch.bfloat16)
    assert bf16["parameters"] == 8_030_261_248
    assert bf16["weight_bytes"] == 2 * 8_030_261_248 + 512 == 16_060_523_008
    gb, gib = bf16["weight_bytes"] / 1e9, bf16["weight_bytes"] / 2**30
    return f"{bf16['parameters']:,} parameters, {gb:.2f} GB ({gib:.2f} GiB) in bfloat16"


@claim(
    "`get_memory_footprint()` works on the meta device: it is the sum of numel × element size "
    "over parameters and buffers, computed from shapes alone."
)
def footprint_is_arithmetic(result):
    model = result["model"]
    tensors = list(model.parameters()) + list(model.buffers())
    assert result["weight_bytes"] == sum(t.numel() * t.element_size() for t in tensors)
    assert result["parameters"] > 0


@claim(
    "A tied weight is counted once: Qwen2.5-0.5B-Instruct shares its embedding with `lm_head`, "
    "so it has 494,032,768 parameters, not the 630,167,424 a double count gives."
)
def tied_counted_once(estimate):
    config = real_config(QWEN_05B)
    assert config.tie_word_embeddings is True
    small = estimate(config, torch.bfloat16)
    model = small["model"]
    assert model.lm_head.weight is model.model.embed_tokens.weight
    double = small["parameters"] + model.lm_head.weight.numel()
    assert small["parameters"] == 494_032_768
    assert small["weight_bytes"] == 2 * 494_032_768 + 256  # + float32 rotary buffers
    assert double == 630_167_424
    return f"{small['parameters']:,} parameters ({small['weight_bytes'] / 1e9:.2f} GB in bfloat16)"


@claim(
    "The estimate matches the loaded model: `from_pretrained` gives the same parameter count "
    "and the same `get_memory_footprint()`."
)
def matches_real_load(estimate):
    from transformers import AutoModelForCausalLM

    config = AutoConfig.from_pretrained(QWEN_05B)
    guess = estimate(config, torch.bfloat16)
    loaded = AutoModelForCausalLM.from_pretrained(QWEN_05B, dtype=torch.bfloat16)
    assert guess["parameters"] == sum(p.numel() for p in loaded.parameters())
    assert guess["weight_bytes"] == loaded.get_memory_footprint()
    return f"{guess['weight_bytes']:,} bytes estimated and loaded"


@claim(
    "The config file alone is enough: a folder holding only `config.json` gives the same estimate."
)
def config_json_is_enough(estimate, config, result):
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        config.save_pretrained(folder)
        assert sorted(os.listdir(folder)) == ["config.json"]
        again = estimate(AutoConfig.from_pretrained(folder), torch.bfloat16)
    assert again["parameters"] == result["parameters"]
    assert again["weight_bytes"] == result["weight_bytes"]


@claim(
    "The KV cache of Qwen2.5-Coder-7B-Instruct takes 57,344 bytes (56 KiB) per token in "
    "bfloat16: 2 × 28 layers × 4 KV heads × 128 dimensions × 2 bytes."
)
def kv_per_token(estimate):
    full = estimate(real_config(QWEN_7B), torch.bfloat16)
    assert full["kv_bytes_per_token"] == 2 * 28 * 4 * 128 * 2 == 57_344
    return f"{full['kv_bytes_per_token']:,} bytes per token"
