import torch
from transformers import AutoModelForCausalLM

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# --8<-- [start:load]
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    dtype=torch.bfloat16,
    attn_implementation="sdpa",  # or "eager", "flash_attention_2", ...
)
print(model.config._attn_implementation)
#> sdpa
# --8<-- [end:load]

# --8<-- [start:default]
default = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
print(default.config._attn_implementation)
#> sdpa
# --8<-- [end:default]

# --8<-- [start:switch]
model.set_attn_implementation("eager")
print(model.config._attn_implementation)
#> eager
# --8<-- [end:switch]
