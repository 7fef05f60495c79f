import torch
from datasets import Dataset
from peft import LoraConfig, prepare_model_for_kbit_training
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    BitsAndBytesConfig,
    Trainer,
    TrainingArguments,
)

model_id = "mistralai/Mistral-7B-v0.1"
bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_compute_dtype=torch.bfloat16,
)
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(
    model_id, quantization_config=bnb_config, dtype=torch.bfloat16
)

# --8<-- [start:adapter]
model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
model.add_adapter(LoraConfig(r=16, lora_alpha=32, target_modules="all-linear"))
for param in model.parameters():
    if param.requires_grad:  # the LoRA weights: train them in float32
        param.data = param.data.float()
# --8<-- [end:adapter]

texts = ["Fine-tune the adapters, not the 4-bit weights."] * 4
train_dataset = Dataset.from_dict(tokenizer(texts)).map(lambda row: {"labels": row["input_ids"]})
args = TrainingArguments(
    output_dir="out",
    activation_checkpointing=True,
    max_steps=2,
    per_device_train_batch_size=2,
    learning_rate=1e-3,
    logging_steps=1,
    report_to="none",
)
trainer = Trainer(model=model, args=args, train_dataset=train_dataset)
trainer.train()
model.save_pretrained("my-adapter")  # the adapter only, not the base
