import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "gpt2"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    device_map="auto",
    dtype=torch.bfloat16,
)

print(type(model).__name__)
#> GPT2LMHeadModel
print(model.device)
#> cpu
print(model.dtype)
#> torch.bfloat16
print(model.training)
#> False

inputs = tokenizer("Loading a model is", return_tensors="pt").to(model.device)
output_ids = model.generate(**inputs, max_new_tokens=8, min_new_tokens=8, do_sample=False)
new_tokens = output_ids.shape[1] - inputs["input_ids"].shape[1]
print(new_tokens)
#> 8
