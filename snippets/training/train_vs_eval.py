import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("gpt2")
model = AutoModelForCausalLM.from_pretrained("gpt2")  # gpt2 has dropout: p = 0.1
batch = tokenizer(["Dropout is on only in training mode."], return_tensors="pt")

# --8<-- [start:eval]
print(model.training, all(p.requires_grad for p in model.parameters()))
#> False True
with torch.no_grad():
    first, second = model(**batch).logits, model(**batch).logits
print(torch.equal(first, second))  # eval mode: dropout off, the same output every time
#> True
# --8<-- [end:eval]

# --8<-- [start:train]
model.train()
with torch.no_grad():
    first, second = model(**batch).logits, model(**batch).logits
print(torch.equal(first, second))  # training mode: each pass drops different activations
#> False
# --8<-- [end:train]
