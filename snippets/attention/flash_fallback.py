import torch
from transformers import AutoModelForCausalLM
from transformers.utils import is_flash_attn_2_available


# --8<-- [start:pick]
def pick_attention() -> str:
    """FlashAttention 2 where it can run, PyTorch's SDPA everywhere else."""
    if (
        is_flash_attn_2_available()  # the flash-attn package (>= 2.3.3) and a CUDA device
        and torch.cuda.is_available()
        and torch.cuda.get_device_capability() >= (8, 0)  # Ampere or newer
    ):
        return "flash_attention_2"
    return "sdpa"
# --8<-- [end:pick]


attn_implementation = pick_attention()
model = AutoModelForCausalLM.from_pretrained(
    "Qwen/Qwen2.5-0.5B-Instruct",
    dtype=torch.bfloat16,  # FlashAttention 2 runs in float16 or bfloat16 only
    attn_implementation=attn_implementation,
    device_map="auto",
)
print(model.config._attn_implementation)
#> sdpa
