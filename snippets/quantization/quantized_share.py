import torch
from transformers import AutoConfig, AutoModelForCausalLM


# --8<-- [start:split]
def split_parameters(config):
    """Weights bitsandbytes quantizes (the decoder's Linear layers) and the weights it keeps."""
    with torch.device("meta"):  # shapes only: nothing is allocated
        model = AutoModelForCausalLM.from_config(config)
    head = model.get_output_embeddings()  # lm_head is never quantized by default
    linears = [m for m in model.modules() if type(m) is torch.nn.Linear and m is not head]
    quantized = sum(m.weight.numel() for m in linears)
    rows = sum(m.out_features for m in linears)
    kept = sum(p.numel() for p in model.parameters()) - quantized
    return quantized, kept, rows
# --8<-- [end:split]


# --8<-- [start:bytes]
def weight_bytes(config, scheme):
    """Bytes of the weights in bf16, or with bitsandbytes int8 / nf4 Linear layers."""
    quantized, kept, rows = split_parameters(config)
    if scheme == "bf16":
        return 2 * (quantized + kept)
    if scheme == "int8":  # 1 byte per weight + one float32 scale per output row
        return quantized + 4 * rows + 2 * kept
    if scheme == "nf4":  # half a byte per weight + one float32 absmax per block of 64
        return quantized // 2 + 4 * (quantized // 64) + 2 * kept
    raise ValueError(scheme)
# --8<-- [end:bytes]


config = AutoConfig.from_pretrained("mistralai/Mistral-7B-v0.1")
naive = weight_bytes(config, "bf16") / 4  # "4-bit is a quarter of 16-bit"
print(weight_bytes(config, "nf4") > naive)
#> True
