import torch
from transformers import AutoModelForCausalLM

# from_pretrained starts on the meta device too, then fills every tensor from the checkpoint
model_id = "Qwen/Qwen2.5-Coder-7B-Instruct"
model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
model = model.to("cpu")  # every tensor has data now: moving it works
print(model.device, model.dtype)
#> cpu torch.bfloat16
