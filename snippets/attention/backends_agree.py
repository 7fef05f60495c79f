import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
tokenizer = AutoTokenizer.from_pretrained(model_id)
inputs = tokenizer("Every backend computes the same attention", return_tensors="pt")

models, logits = {}, {}
for backend in ("sdpa", "eager"):
    models[backend] = AutoModelForCausalLM.from_pretrained(
        model_id, dtype=torch.float32, attn_implementation=backend
    )
    with torch.no_grad():
        logits[backend] = models[backend](**inputs).logits

print(models["sdpa"].config._attn_implementation, models["eager"].config._attn_implementation)
#> sdpa eager
max_diff = (logits["sdpa"] - logits["eager"]).abs().max().item()
