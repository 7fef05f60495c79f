import warnings

import torch
from peft import LoraConfig, PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "mistralai/Mistral-7B-v0.1"
tokenizer = AutoTokenizer.from_pretrained(model_id)

# --8<-- [start:train]
# What a fine-tuning run leaves behind: a trained LoRA adapter, saved on its own.
torch.manual_seed(0)
model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
batch = tokenizer(["Merging folds the adapter into the base weights."], return_tensors="pt")
batch = batch.to(model.device)
model.add_adapter(LoraConfig(r=8, lora_alpha=16, target_modules="all-linear"))
model.train()
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
for _ in range(10):
    model(**batch, labels=batch["input_ids"]).loss.backward()
    optimizer.step()
    optimizer.zero_grad()
model.save_pretrained("my-adapter")
# --8<-- [end:train]

# --8<-- [start:merge]
base = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)  # not quantized
with warnings.catch_warnings():
    # peft 0.21 reads model.is_gradient_checkpointing, deprecated in transformers 5.23
    warnings.filterwarnings("ignore", "`is_gradient_checkpointing` is deprecated", FutureWarning)
    peft_model = PeftModel.from_pretrained(base, "my-adapter")
merged = peft_model.merge_and_unload()  # returns the base model with the adapter folded in
merged.save_pretrained("merged")
tokenizer.save_pretrained("merged")
# --8<-- [end:merge]
print(type(merged).__name__, merged.dtype)
#> MistralForCausalLM torch.bfloat16

# --8<-- [start:reload]
reloaded = AutoModelForCausalLM.from_pretrained("merged")  # no peft needed
# --8<-- [end:reload]
print(type(reloaded).__name__, reloaded.dtype)
#> MistralForCausalLM torch.bfloat16
