import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

model_id = "meta-llama/Llama-3.1-8B-Instruct"

# What you get when you set nothing but load_in_4bit:
default = BitsAndBytesConfig(load_in_4bit=True)
print(default.bnb_4bit_quant_type, default.bnb_4bit_compute_dtype)
#> fp4 torch.float32

# --8<-- [start:explicit]
bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",  # the default is "fp4"
    bnb_4bit_compute_dtype=torch.bfloat16,  # the default is torch.float32
)
model = AutoModelForCausalLM.from_pretrained(
    model_id, quantization_config=bnb_config, dtype=torch.bfloat16, device_map="auto"
)
# --8<-- [end:explicit]

# --8<-- [start:check]
layer = model.model.layers[0].mlp.down_proj
print(layer.weight.quant_state.quant_type, layer.compute_dtype)
#> nf4 torch.bfloat16
# --8<-- [end:check]
