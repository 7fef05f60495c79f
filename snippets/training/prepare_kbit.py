import torch
from peft import LoraConfig, prepare_model_for_kbit_training
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

model_id = "mistralai/Mistral-7B-v0.1"
bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_compute_dtype=torch.bfloat16,
    bnb_4bit_use_double_quant=True,
)
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    quantization_config=bnb_config,
    dtype=torch.bfloat16,
    use_cache=False,  # no KV cache while training
)
print(sorted({str(p.dtype) for p in model.parameters()}))
#> ['torch.bfloat16', 'torch.uint8']

# --8<-- [start:prepare]
# --8<-- [start:clean]
# peft's own switch (the default, True) calls the deprecated gradient_checkpointing_enable()
model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
model.activation_checkpointing_enable()  # the 5.x name; also hooks the embeddings' output
# --8<-- [end:clean]
print(sorted({str(p.dtype) for p in model.parameters()}))
#> ['torch.float32', 'torch.uint8']
# --8<-- [end:prepare]

# --8<-- [start:adapter]
model.add_adapter(LoraConfig(r=16, lora_alpha=32, target_modules="all-linear"))
for param in model.parameters():
    if param.requires_grad:  # only the LoRA weights: train them in float32
        param.data = param.data.float()
# --8<-- [end:adapter]

# --8<-- [start:step]
model.train()  # from_pretrained returned the model in eval mode
batch = tokenizer(["QLoRA trains adapters on a frozen 4-bit base."], return_tensors="pt")
batch = batch.to(model.device)
loss = model(**batch, labels=batch["input_ids"]).loss
loss.backward()
# --8<-- [end:step]
trainable = [p for p in model.parameters() if p.requires_grad]
print(sorted({str(p.dtype) for p in trainable}), all(p.grad is not None for p in trainable))
#> ['torch.float32'] True
