import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_compute_dtype=torch.bfloat16,
)
# Where the bitsandbytes package (or accelerate) is missing, this call raises ImportError.
model = AutoModelForCausalLM.from_pretrained(
    "meta-llama/Llama-3.1-8B-Instruct",
    quantization_config=bnb_config,
    dtype=torch.bfloat16,
    device_map="auto",
)
print(type(model.model.layers[0].mlp.down_proj).__name__)
#> Linear4bit
