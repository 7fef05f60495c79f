import json

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
print(model.training, model.config.use_cache, model.is_activation_checkpointing)
#> False True False

# --8<-- [start:enable]
model.activation_checkpointing_enable()  # 4.x: model.gradient_checkpointing_enable()
model.train()  # checkpointing only acts in training mode
# --8<-- [end:enable]
print(model.is_activation_checkpointing)
#> True

# --8<-- [start:step]
batch = tokenizer(["Recompute the activations instead of storing them."], return_tensors="pt")
batch = batch.to(model.device)
outputs = model(**batch, labels=batch["input_ids"])  # logs that use_cache is switched off
outputs.loss.backward()
print(outputs.past_key_values, model.config.use_cache)
#> None True
# --8<-- [end:step]

# --8<-- [start:save]
model.save_pretrained("checkpointed")
with open("checkpointed/config.json") as f:
    saved = json.load(f)
print(saved["use_cache"], "gradient_checkpointing" in saved)
#> True False
# --8<-- [end:save]
