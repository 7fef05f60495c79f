import torch
from transformers import AutoConfig, AutoModelForCausalLM

model_id = "Qwen/Qwen2.5-Coder-7B-Instruct"
reference = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)

config = AutoConfig.from_pretrained(model_id)
with torch.device("meta"):
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
model.to_empty(device="cpu")  # allocates every tensor, uninitialized
print(model.load_state_dict(reference.state_dict()))
#> <All keys matched successfully>
print(torch.equal(model.model.rotary_emb.inv_freq, reference.model.rotary_emb.inv_freq))
#> False
