import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
main = 0 if torch.cuda.is_available() else "cpu"  # where the forward pass runs
tokenizer = AutoTokenizer.from_pretrained(model_id)
# The decoder layers stay on disk, as device_map="auto" does with what does not fit
device_map = {
    "model.embed_tokens": main,
    "model.layers": "disk",
    "model.norm": main,
    "model.rotary_emb": main,
    "lm_head": main,
}
model = AutoModelForCausalLM.from_pretrained(
    model_id, dtype=torch.bfloat16, device_map=device_map
)

inputs = tokenizer("Offloaded weights travel", return_tensors="pt").to(model.device)
with torch.no_grad():
    first = model(**inputs).logits
    second = model(**inputs).logits
print({p.device.type for p in model.model.layers.parameters()})  # between calls: no data
#> {'meta'}
