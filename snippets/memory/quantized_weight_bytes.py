import torch
from transformers import AutoConfig, AutoModelForCausalLM


# --8<-- [start:weight_bytes]
def weight_bytes(config, scheme="bf16"):
    """Bytes of a model's weights in bf16, or with bitsandbytes int8 / nf4 Linear layers."""
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    # bitsandbytes quantizes every Linear layer except the output head
    head = model.get_output_embeddings()
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear) and m is not head]
    quantized = {id(m.weight) for m in linears}
    total = sum(b.numel() * b.element_size() for b in model.buffers())
    for p in model.parameters():
        n = p.numel()
        if scheme == "bf16" or id(p) not in quantized:
            total += 2 * n  # embeddings, norms, biases, lm_head stay in bf16
        elif scheme == "int8":
            total += n + 4 * p.shape[0]  # int8 weights + one fp32 scale per output row
        elif scheme == "nf4":
            total += n // 2 + 4 * -(-n // 64)  # two weights per byte + one fp32 absmax per 64
    return total
# --8<-- [end:weight_bytes]


# --8<-- [start:compare]
config = AutoConfig.from_pretrained("Qwen/Qwen2.5-Coder-7B-Instruct")
sizes = {scheme: weight_bytes(config, scheme) for scheme in ("bf16", "int8", "nf4")}
print(sizes["bf16"] > sizes["int8"] > sizes["nf4"])
#> True
# --8<-- [end:compare]
