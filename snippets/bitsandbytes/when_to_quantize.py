import torch
from transformers import AutoConfig, AutoModelForCausalLM

GIB = 2**30


# --8<-- [start:needed]
def memory_needed(config, tokens=8192):
    """GiB for the weights in bf16, int8 and nf4, each plus the bf16 KV cache of `tokens`."""
    with torch.device("meta"):  # shapes only: nothing is allocated
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    head = model.get_output_embeddings()
    quantized = {
        id(m.weight)
        for m in model.modules()
        if isinstance(m, torch.nn.Linear) and m is not head
    }
    buffers = sum(b.numel() * b.element_size() for b in model.buffers())
    weights = {"bf16": buffers, "int8": buffers, "nf4": buffers}
    for p in model.parameters():
        n = p.numel()
        if id(p) not in quantized:  # embeddings, norms, biases, lm_head stay in bf16
            for scheme in weights:
                weights[scheme] += 2 * n
            continue
        weights["bf16"] += 2 * n
        weights["int8"] += n + 4 * p.shape[0]  # 1 byte + a float32 scale per row
        weights["nf4"] += n // 2 + 4 * -(-n // 64)  # 4 bits + a float32 absmax per 64
    head_dim = getattr(config, "head_dim", None)
    head_dim = head_dim or config.hidden_size // config.num_attention_heads
    layers, kv_heads = config.num_hidden_layers, config.num_key_value_heads
    kv_cache = 2 * layers * kv_heads * head_dim * 2 * tokens  # keys and values, 2 bytes
    return {scheme: (size + kv_cache) / GIB for scheme, size in weights.items()}
# --8<-- [end:needed]


# --8<-- [start:rule]
def least_quantization(needed, gpu_gib, reserve_gib=2.0):
    """The first of bf16, int8 and nf4 that fits the GPU with `reserve_gib` to spare
    (CUDA context, activations, allocator slack), or None: then even nf4 needs offloading."""
    for scheme in ("bf16", "int8", "nf4"):
        if needed[scheme] + reserve_gib <= gpu_gib:
            return scheme
    return None
# --8<-- [end:rule]


config = AutoConfig.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
needed = memory_needed(config, tokens=8192)
print(least_quantization(needed, gpu_gib=24))
#> bf16
