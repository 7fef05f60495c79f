import torch
from transformers import AutoConfig, AutoModelForCausalLM

model_id = "gpt2"

# The size of the weights, measured on the meta device without loading them.
config = AutoConfig.from_pretrained(model_id)
with torch.device("meta"):
    model_bytes = AutoModelForCausalLM.from_config(config).get_memory_footprint()

# A CPU budget of 80% of that: the rest of the model has to go to disk.
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    device_map="auto",
    max_memory={"cpu": int(0.8 * model_bytes)},
)
