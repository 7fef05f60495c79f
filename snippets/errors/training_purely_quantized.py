import torch
from datasets import Dataset
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

texts = ["Fine-tune the 4-bit model directly."] * 4
train_dataset = Dataset.from_dict(tokenizer(texts)).map(lambda row: {"labels": row["input_ids"]})
args = TrainingArguments(output_dir="out", max_steps=2, report_to="none")
trainer = Trainer(model=model, args=args, train_dataset=train_dataset)
