import torch
from transformers import AutoModelForCausalLM

# On a machine where the flash-attn package is not installed:
model = AutoModelForCausalLM.from_pretrained(
    "Qwen/Qwen2.5-0.5B-Instruct",
    dtype=torch.bfloat16,
    attn_implementation="flash_attention_2",
)
