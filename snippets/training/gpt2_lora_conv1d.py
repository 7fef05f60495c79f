import torch
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("gpt2")
model = AutoModelForCausalLM.from_pretrained("gpt2")

# --8<-- [start:config]
# gpt2's attention and MLP layers are Conv1D, which store their weight transposed
lora_config = LoraConfig(r=8, lora_alpha=16, target_modules=["c_attn"], fan_in_fan_out=True)
model.add_adapter(lora_config)  # transformers' own call: no peft wrapper around the model
# --8<-- [end:config]

model.train()
batch = tokenizer(["GPT-2 keeps its weights transposed."], return_tensors="pt")
loss = model(**batch, labels=batch["input_ids"]).loss
loss.backward()
print(type(model.transformer.h[0].attn.c_attn.base_layer).__name__, torch.isfinite(loss).item())
#> Conv1D True
