import os

import torch
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")

# --8<-- [start:save]
# save_pretrained writes safetensors whatever you ask: safe_serialization=False is ignored.
model.save_pretrained("qwen-saved", safe_serialization=False)
print(sorted(os.listdir("qwen-saved")))
#> ['config.json', 'generation_config.json', 'model.safetensors']
# --8<-- [end:save]

# --8<-- [start:bin]
# A folder with only a pickled checkpoint, as older repositories have.
model.config.save_pretrained("qwen-bin")
torch.save(model.state_dict(), "qwen-bin/pytorch_model.bin")

# Loaded by default, through torch.load(..., weights_only=True).
from_bin = AutoModelForCausalLM.from_pretrained("qwen-bin")
print(from_bin.dtype, torch.equal(from_bin.lm_head.weight, model.lm_head.weight))
#> torch.bfloat16 True

# Converting it to safetensors: load it, save it again.
from_bin.save_pretrained("qwen-converted")
print(sorted(os.listdir("qwen-converted")))
#> ['config.json', 'generation_config.json', 'model.safetensors']

# Asking for safetensors refuses the folder.
try:
    AutoModelForCausalLM.from_pretrained("qwen-bin", use_safetensors=True)
except OSError as error:
    message = str(error)
print(message)
#> Error no file named model.safetensors found in directory qwen-bin.
# --8<-- [end:bin]
