import torch
from transformers import AutoConfig

from kb.claims import claim
from kb.standin import load_registry

# The GPU job loads the full-size 16 GB stand-in from disk.
TIMEOUT = 600


def real_config(model_id):
    cfg = dict(load_registry()[model_id].config)
    cfg.pop("torch_dtype", None)
    return AutoConfig.for_model(cfg.pop("model_type"), **cfg)


def cache_bytes(cache):
    return sum(
        t.numel() * t.element_size() for layer in cache.layers for t in (layer.keys, layer.values)
    )


@claim(
    "The formula gives the KV cache's size exactly: after a forward pass, the cache holds "
    "2 × layers × kv_heads × head_dim × tokens × batch bfloat16 values."
)
def formula_matches_cache(cache, config, measured, batch, tokens, kv_cache_bytes):
    assert measured == kv_cache_bytes(config, tokens, batch)
    assert len(cache.layers) == config.num_hidden_layers
    head_dim = config.head_dim
    for layer in cache.layers:
        for t in (layer.keys, layer.values):
            assert t.dtype == torch.bfloat16
            assert tuple(t.shape) == (batch, config.num_key_value_heads, tokens, head_dim)
    return f"{measured:,} bytes for {batch} × {tokens} tokens"


@claim(
    "The cache grows with the batch: one sequence of the same length takes half the bytes of two."
)
def batch_multiplies(model, inputs, measured):
    single = {k: v[:1] for k, v in inputs.items()}
    with torch.no_grad():
        cache = model(**single, use_cache=True).past_key_values
    assert cache_bytes(cache) * 2 == measured


@claim(
    "At full size, Llama-3.1-8B-Instruct's KV cache takes 128 KiB per token in bfloat16: "
    "1 GiB for 8,192 tokens, and 16 GiB for one sequence of its full 131,072-token context, "
    "more than its 14.96 GiB of weights."
)
def llama_full_size(kv_cache_bytes):
    config = real_config("meta-llama/Llama-3.1-8B-Instruct")
    assert kv_cache_bytes(config, 1) == 2 * 32 * 8 * 128 * 2 == 128 * 2**10
    assert kv_cache_bytes(config, 8192) == 2**30
    full_context = kv_cache_bytes(config, config.max_position_embeddings)
    assert config.max_position_embeddings == 131_072
    assert full_context == 16 * 2**30
    assert full_context > 16_060_523_008  # the model's bf16 weights, in bytes
    return f"{kv_cache_bytes(config, 1) // 1024} KiB per token, {full_context / 2**30:.0f} GiB for 131,072 tokens"


@claim("Qwen2.5-Coder-7B-Instruct needs 56 KiB per token: 1.75 GiB for its 32,768-token context.")
def qwen_full_size(kv_cache_bytes):
    config = real_config("Qwen/Qwen2.5-Coder-7B-Instruct")
    assert kv_cache_bytes(config, 1) == 56 * 2**10
    assert kv_cache_bytes(config, 32_768) == 1.75 * 2**30
    return f"{kv_cache_bytes(config, 32_768) / 2**30:.2f} GiB for 32,768 tokens"


@claim(
    "Grouped-query attention is why it is that small: with one KV head per query head (32 instead "
    "of 8), Llama-3.1-8B's cache would be four times larger."
)
def gqa_shrinks(kv_cache_bytes):
    config = real_config("meta-llama/Llama-3.1-8B-Instruct")
    gqa = kv_cache_bytes(config, 1)
    config.num_key_value_heads = config.num_attention_heads
    assert config.num_key_value_heads == 32
    assert kv_cache_bytes(config, 1) == 4 * gqa
    return f"{kv_cache_bytes(config, 1) // 1024} KiB per token without GQA"
