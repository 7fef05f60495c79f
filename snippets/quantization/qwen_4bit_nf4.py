import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

model_id = "Qwen/Qwen2.5-Coder-7B-Instruct"

# --8<-- [start:config]
# --8<-- [start:quantization]
bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",  # the default is "fp4"
    bnb_4bit_compute_dtype=torch.bfloat16,  # the default is float32
# --8<-- [end:quantization]
    bnb_4bit_use_double_quant=True,
)
model = AutoModelForCausalLM.from_pretrained(
    model_id,
# --8<-- [start:quantization-arg]
    quantization_config=bnb_config,
# --8<-- [end:quantization-arg]
    device_map="auto",
    dtype=torch.bfloat16,
)
# --8<-- [end:config]

q_proj = model.model.layers[0].self_attn.q_proj
print(type(q_proj).__name__, q_proj.weight.dtype)
#> Linear4bit torch.uint8
print(type(model.lm_head).__name__, model.lm_head.weight.dtype)
#> Linear torch.bfloat16
