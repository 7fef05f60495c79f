import warnings

import torch
from peft import LoraConfig, PeftModel, prepare_model_for_kbit_training
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

model_id = "mistralai/Mistral-7B-v0.1"
bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_compute_dtype=torch.bfloat16,
    bnb_4bit_use_double_quant=True,
)
tokenizer = AutoTokenizer.from_pretrained(model_id)

# --8<-- [start:train]
# QLoRA leaves behind an adapter trained on the 4-bit base.
torch.manual_seed(0)
model = AutoModelForCausalLM.from_pretrained(
    model_id, quantization_config=bnb_config, dtype=torch.bfloat16, use_cache=False
)
batch = tokenizer(["A QLoRA adapter is trained on the 4-bit base."], return_tensors="pt")
batch = batch.to(model.device)
model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
model.add_adapter(LoraConfig(r=8, lora_alpha=16, target_modules="all-linear"))
for param in model.parameters():
    if param.requires_grad:
        param.data = param.data.float()
model.train()
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
for _ in range(10):
    model(**batch, labels=batch["input_ids"]).loss.backward()
    optimizer.step()
    optimizer.zero_grad()
model.save_pretrained("my-adapter")
# --8<-- [end:train]


def with_adapter(base):
    with warnings.catch_warnings():
        # peft 0.21 reads model.is_gradient_checkpointing, deprecated in transformers 5.23
        warnings.filterwarnings(
            "ignore", "`is_gradient_checkpointing` is deprecated", FutureWarning
        )
        return PeftModel.from_pretrained(base, "my-adapter")


# --8<-- [start:wrong]
# Don't: merge into the 4-bit model. peft warns once per layer, and re-quantizes.
base_4bit = AutoModelForCausalLM.from_pretrained(
    model_id, quantization_config=bnb_config, dtype=torch.bfloat16
)
merged_4bit = with_adapter(base_4bit).merge_and_unload()
# --8<-- [end:wrong]
print(type(merged_4bit.model.layers[0].self_attn.q_proj).__name__)
#> Linear4bit

# --8<-- [start:right]
# Do: merge into a 16-bit copy of the base, save that, quantize when you load it.
base = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
merged = with_adapter(base).merge_and_unload()
merged.save_pretrained("merged")
tokenizer.save_pretrained("merged")
model_4bit = AutoModelForCausalLM.from_pretrained(
    "merged", quantization_config=bnb_config, dtype=torch.bfloat16
)
# --8<-- [end:right]
print(type(merged.model.layers[0].self_attn.q_proj).__name__)
#> Linear
print(type(model_4bit.model.layers[0].self_attn.q_proj).__name__)
#> Linear4bit

# --8<-- [start:dequantized]
# Closest to the model you trained: the 4-bit base, dequantized to bfloat16.
base_dequantized = AutoModelForCausalLM.from_pretrained(
    model_id, quantization_config=bnb_config, dtype=torch.bfloat16
)
base_dequantized.dequantize()
merged_dequantized = with_adapter(base_dequantized).merge_and_unload()
# --8<-- [end:dequantized]
print(type(merged_dequantized.model.layers[0].self_attn.q_proj).__name__)
#> Linear
