import torch
from huggingface_hub import hf_hub_download
from safetensors import safe_open
from transformers import AutoConfig, AutoModelForCausalLM

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# --8<-- [start:stored]
# What the checkpoint stores: the dtype its config declares, and that of its tensors.
config = AutoConfig.from_pretrained(model_id)
print(config.dtype)
#> torch.bfloat16

weights_file = hf_hub_download(model_id, "model.safetensors")
with safe_open(weights_file, framework="pt") as f:
    stored = {f.get_slice(name).get_dtype() for name in f.keys()}
print(stored)
#> {'BF16'}
# --8<-- [end:stored]

# --8<-- [start:loaded]
# What you get: the default keeps the stored dtype; an explicit dtype converts while loading.
default = AutoModelForCausalLM.from_pretrained(model_id)
upcast = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float32)
print(default.dtype, upcast.dtype)
#> torch.bfloat16 torch.float32
# --8<-- [end:loaded]
