import torch
from transformers import AutoModelForCausalLM

# Make this GPU behave like a 4 GiB card: the caching allocator refuses anything beyond it.
total = torch.cuda.get_device_properties(0).total_memory
torch.cuda.set_per_process_memory_fraction(4 * 2**30 / total, device=0)

# About 15.2 GB of bfloat16 weights, all asked for on cuda:0
model = AutoModelForCausalLM.from_pretrained(
    "Qwen/Qwen2.5-Coder-7B-Instruct",
    dtype=torch.bfloat16,
    device_map="cuda:0",
)
