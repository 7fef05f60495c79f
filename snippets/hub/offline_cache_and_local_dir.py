import torch
from huggingface_hub import constants
from transformers import AutoModelForCausalLM, AutoTokenizer

# Set in the shell before Python starts; huggingface_hub reads both at import:
#   export HF_HUB_OFFLINE=1
#   export HF_HOME=/srv/hf        # holds the cache filled on a connected machine
print(constants.HF_HUB_OFFLINE)
#> True

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
# --8<-- [start:cache]
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id)
# --8<-- [end:cache]

# Per call, without the environment variable (in 5.23 the model still probes for an adapter).
same = AutoModelForCausalLM.from_pretrained(model_id, local_files_only=True)

# A folder written by save_pretrained needs neither the cache nor the network.
model.save_pretrained("qwen-0.5b-local")
tokenizer.save_pretrained("qwen-0.5b-local")
local = AutoModelForCausalLM.from_pretrained("qwen-0.5b-local")
local_tokenizer = AutoTokenizer.from_pretrained("qwen-0.5b-local")

local_weights = local.state_dict()
weights = model.state_dict()
print(all(torch.equal(tensor, local_weights[name]) for name, tensor in weights.items()))
#> True
