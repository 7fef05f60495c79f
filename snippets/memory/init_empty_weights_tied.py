import torch
from accelerate import init_empty_weights
from transformers import AutoConfig, AutoModelForCausalLM

config = AutoConfig.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")  # ties lm_head to the embedding

with init_empty_weights():
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
print(model.lm_head.weight is model.model.embed_tokens.weight)
#> False
untied_parameters = sum(p.numel() for p in model.parameters())

# --8<-- [start:fix]
model.tie_weights()  # outside the `with` block: the tie holds again
print(model.lm_head.weight is model.model.embed_tokens.weight)
#> True
parameters = sum(p.numel() for p in model.parameters())
# --8<-- [end:fix]
