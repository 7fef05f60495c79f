import torch
from transformers import AutoModelForCausalLM

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# --8<-- [start:cast]
direct = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
cast = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float32).to(torch.bfloat16)
# --8<-- [end:cast]

print(direct.dtype, cast.dtype)
#> torch.bfloat16 torch.bfloat16
print(direct.model.rotary_emb.inv_freq.dtype, cast.model.rotary_emb.inv_freq.dtype)
#> torch.float32 torch.bfloat16
print(direct.config.dtype, cast.config.dtype)
#> torch.bfloat16 torch.float32

cast.save_pretrained("qwen-bf16")
