import torch
from transformers import AutoConfig, AutoModelForCausalLM


# --8<-- [start:estimate]
def estimate(config, dtype=torch.bfloat16):
    """Parameters, weight bytes and KV-cache bytes per token, with nothing allocated."""
    with torch.device("meta"):  # tensors get a shape and a dtype, but no storage
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    heads = config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    kv_heads = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    return {
        "model": model,
        "parameters": sum(p.numel() for p in model.parameters()),  # a tied weight counts once
        "weight_bytes": model.get_memory_footprint(),  # parameters + buffers
        "kv_bytes_per_token": 2 * config.num_hidden_layers * kv_heads * head_dim * dtype.itemsize,
    }
# --8<-- [end:estimate]


# --8<-- [start:call]
config = AutoConfig.from_pretrained("Qwen/Qwen2.5-Coder-7B-Instruct")  # reads config.json only
result = estimate(config, torch.bfloat16)
print(result["model"].device)
#> meta
# --8<-- [end:call]
