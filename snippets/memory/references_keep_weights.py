import gc
import weakref

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
inputs = tokenizer("Gradients are on", return_tensors="pt")
outputs = model(**inputs)  # no torch.no_grad(): the autograd graph saves the weights it used
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)

model_ref = weakref.ref(model)
weight_ref = weakref.ref(model.model.layers[0].mlp.down_proj.weight)

del model
gc.collect()
print(model_ref() is None, weight_ref() is None)  # the module is gone, its weights are not
#> True False

del optimizer
gc.collect()
print(weight_ref() is None)  # the outputs' graph still holds them
#> False

del outputs
gc.collect()
print(weight_ref() is None)
#> True
