import os

import torch
from datasets import Dataset
from peft import LoraConfig, prepare_model_for_kbit_training
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    BitsAndBytesConfig,
    DataCollatorForLanguageModeling,
    Trainer,
    TrainingArguments,
)

model_id = "meta-llama/Llama-3.1-8B-Instruct"

# --8<-- [start:load]
bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_compute_dtype=torch.bfloat16,
    bnb_4bit_use_double_quant=True,
)
model = AutoModelForCausalLM.from_pretrained(
    model_id, quantization_config=bnb_config, dtype=torch.bfloat16, device_map="auto"
)
tokenizer = AutoTokenizer.from_pretrained(model_id)
tokenizer.pad_token = "<|finetune_right_pad_id|>"  # Llama 3.1 defines no pad token
# --8<-- [end:load]

# --8<-- [start:prepare]
model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
model.activation_checkpointing_enable()  # instead of use_gradient_checkpointing=True
print(model.is_activation_checkpointing)
#> True
# --8<-- [end:prepare]

# --8<-- [start:lora]
lora_config = LoraConfig(
    r=16,
    lora_alpha=32,
    lora_dropout=0.05,
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    task_type="CAUSAL_LM",
)
torch.manual_seed(0)  # LoRA's A matrices start random: a seed makes the run repeatable
model.add_adapter(lora_config)
lora_params = {name: p for name, p in model.named_parameters() if p.requires_grad}
print({p.dtype for p in lora_params.values()})
#> {torch.bfloat16}
for param in lora_params.values():
    param.data = param.data.float()  # train the adapter in float32
# --8<-- [end:lora]

# --8<-- [start:train]
texts = [
    "The capital of France is Paris.",
    "Two plus two is four.",
    "Water boils at 100 degrees Celsius at sea level.",
    "The Pacific is the largest ocean on Earth.",
]
dataset = Dataset.from_dict({"text": texts}).map(
    lambda batch: tokenizer(batch["text"]), batched=True, remove_columns=["text"]
)
args = TrainingArguments(
    output_dir="out",
    max_steps=1,
    per_device_train_batch_size=4,
    learning_rate=1e-3,
    report_to="none",
    save_strategy="no",
)
trainer = Trainer(
    model=model,
    args=args,
    train_dataset=dataset,
    data_collator=DataCollatorForLanguageModeling(tokenizer, mlm=False),
)
before = {name: p.detach().clone() for name, p in lora_params.items()}
trainer.train()
changed = {name.split(".")[-3] for name, p in lora_params.items() if not p.equal(before[name])}
print(changed)
#> {'lora_B'}
# --8<-- [end:train]

# --8<-- [start:save]
model.save_pretrained("my-adapter")
print(sorted(os.listdir("my-adapter")))
#> ['adapter_config.json', 'adapter_model.safetensors', 'generation_config.json']
# --8<-- [end:save]

# --8<-- [start:reload]
reloaded = AutoModelForCausalLM.from_pretrained(
    "my-adapter", quantization_config=bnb_config, dtype=torch.bfloat16, device_map="auto"
)
# --8<-- [end:reload]

# --8<-- [start:compare]
model.activation_checkpointing_disable()  # training is over
model.eval()
inputs = tokenizer("The capital of France is", return_tensors="pt").to(model.device)
with torch.no_grad():
    trained_logits = model(**inputs).logits
    reloaded_logits = reloaded(**inputs).logits
print(torch.allclose(trained_logits, reloaded_logits.float(), atol=0.05))
#> True
# --8<-- [end:compare]
