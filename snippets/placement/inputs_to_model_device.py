import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "gpt2"
tokenizer = AutoTokenizer.from_pretrained(model_id)
# on cuda:0 if there is a GPU
model = AutoModelForCausalLM.from_pretrained(model_id, device_map="auto")

# --8<-- [start:fix]
inputs = tokenizer("Where are my tensors?", return_tensors="pt").to(model.device)
with torch.no_grad():
    outputs = model(**inputs)
# --8<-- [end:fix]
print(outputs.logits.device == model.device)
#> True
