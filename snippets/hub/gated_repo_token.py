import os

from huggingface_hub import get_token
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "meta-llama/Llama-3.1-8B-Instruct"  # gated: request access on its Hub page first

# In CI the token comes from a secret; this placeholder stands in for it.
os.environ["HF_TOKEN"] = "hf_placeholder_for_your_ci_secret"
print(get_token() == os.environ["HF_TOKEN"])
#> True

# With no token argument, the token get_token() finds is sent; token= overrides it for one call.
tokenizer = AutoTokenizer.from_pretrained(model_id, token=os.environ["HF_TOKEN"])
model = AutoModelForCausalLM.from_pretrained(model_id, token=os.environ["HF_TOKEN"])
print(type(model).__name__)
#> LlamaForCausalLM
