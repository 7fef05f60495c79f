import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
model = AutoModelForCausalLM.from_pretrained(model_id, device_map="auto", dtype=torch.bfloat16)
tokenizer = AutoTokenizer.from_pretrained(model_id)


def nbytes(tensors):
    return sum(t.numel() * t.element_size() for t in tensors)


# --8<-- [start:identity]
footprint = model.get_memory_footprint()
weights_only = model.get_memory_footprint(return_buffers=False)
print(footprint == nbytes(model.parameters()) + nbytes(model.buffers()))
#> True
print(footprint - weights_only == nbytes(model.buffers()))
#> True
# --8<-- [end:identity]

# --8<-- [start:not_counted]
# Inference: the KV cache grows with every token, outside the footprint
inputs = tokenizer("The capital of France is", return_tensors="pt").to(model.device)
with torch.no_grad():
    out = model(**inputs, use_cache=True)
cache = nbytes(t for layer in out.past_key_values.layers for t in (layer.keys, layer.values))

# Training: gradients and optimizer state, outside the footprint too
model.train()
model(**inputs, labels=inputs["input_ids"]).loss.backward()
grads = nbytes(p.grad for p in model.parameters())
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)
optimizer.step()
adam_state = nbytes(t for s in optimizer.state.values() for t in s.values())

print(model.get_memory_footprint() == footprint)
#> True
# --8<-- [end:not_counted]
