import torch
from transformers import AutoModelForCausalLM


# --8<-- [start:pick]
def pick_dtype() -> torch.dtype:
    """bfloat16 on a GPU that runs it natively, float16 on an older GPU, float32 on CPU."""
    if torch.cuda.is_available():
        # including_emulation=False: True only from compute capability 8.0 (Ampere) on
        if torch.cuda.is_bf16_supported(including_emulation=False):
            return torch.bfloat16
        # --8<-- [start:older]
        return torch.float16  # T4, V100: watch for overflow, float16 tops out at 65504
        # --8<-- [end:older]
    return torch.float32
# --8<-- [end:pick]


dtype = pick_dtype()
model = AutoModelForCausalLM.from_pretrained(
    "Qwen/Qwen2.5-0.5B-Instruct",
    dtype=dtype,
    device_map="auto",
)
print(dtype)
#> torch.float32
