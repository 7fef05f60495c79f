import torch
from peft import LoraConfig
from transformers import AutoConfig, AutoModelForCausalLM

model_id = "mistralai/Mistral-7B-v0.1"


def training_state_bytes(config, r=16):
    """Weights, gradients and AdamW state of what gets trained, counted on the meta device."""
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    parameters = sum(p.numel() for p in model.parameters())
    model.add_adapter(LoraConfig(r=r, lora_alpha=2 * r, target_modules="all-linear"))
    lora = sum(p.numel() for p in model.parameters() if p.requires_grad)
    per_trained = 4 + 4 + 2 * 4  # float32 weight, its gradient, AdamW's two float32 states
    return {
        "model": model,
        "parameters": parameters,
        "lora_parameters": lora,
        "full_fine_tuning_bytes": parameters * per_trained,
        "lora_bytes": lora * per_trained,
    }


result = training_state_bytes(AutoConfig.from_pretrained(model_id))
model = result["model"]
print(model.training, {p.device.type for p in model.parameters()})
#> True {'meta'}
