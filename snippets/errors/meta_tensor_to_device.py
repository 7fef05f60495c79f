import torch
from accelerate import init_empty_weights
from transformers import AutoConfig, AutoModelForCausalLM

config = AutoConfig.from_pretrained("Qwen/Qwen2.5-Coder-7B-Instruct")
with init_empty_weights():  # shapes only: the weights were never loaded
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)

model = model.to("cpu")
