import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

model_id = "Qwen/Qwen2.5-Coder-7B-Instruct"

# --8<-- [start:load]
bnb_config = BitsAndBytesConfig(
    load_in_8bit=True,
    llm_int8_threshold=6.0,  # the default: input features above it are multiplied in 16-bit
)
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    quantization_config=bnb_config,
    device_map="auto",
    dtype=torch.bfloat16,  # the dtype of everything that is not quantized
)
# --8<-- [end:load]

q_proj = model.model.layers[0].self_attn.q_proj
print(type(q_proj).__name__, q_proj.weight.dtype, q_proj.weight.SCB.dtype, q_proj.bias.dtype)
#> Linear8bitLt torch.int8 torch.float32 torch.bfloat16
print(type(model.lm_head).__name__, model.lm_head.weight.dtype)
#> Linear torch.bfloat16

# --8<-- [start:forward]
tokenizer = AutoTokenizer.from_pretrained(model_id)
inputs = tokenizer("def fibonacci(n):", return_tensors="pt").to(model.device)
with torch.no_grad():
    logits = model(**inputs).logits
print(logits.dtype)
#> torch.bfloat16
# --8<-- [end:forward]
