import json

import torch
from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)

texts = ["Trainer turns activation checkpointing on for you."] * 4
train_dataset = Dataset.from_dict(tokenizer(texts)).map(lambda row: {"labels": row["input_ids"]})

# --8<-- [start:trainer]
args = TrainingArguments(
    output_dir="out",
    activation_checkpointing=True,  # 4.x: gradient_checkpointing=True
    max_steps=2,
    per_device_train_batch_size=2,
    report_to="none",
)
trainer = Trainer(model=model, args=args, train_dataset=train_dataset)
print(model.config.use_cache)  # Trainer set it from args.use_cache (False by default)
#> False
trainer.train()
print(model.is_activation_checkpointing)
#> True
# --8<-- [end:trainer]

# --8<-- [start:save]
trainer.save_model("final")
with open("final/config.json") as f:
    saved = json.load(f)
print(saved["use_cache"])
#> False

model.config.use_cache = True  # for whoever loads the checkpoint for inference
trainer.save_model("final-with-cache")
with open("final-with-cache/config.json") as f:
    restored = json.load(f)
print(restored["use_cache"])
#> True
# --8<-- [end:save]
