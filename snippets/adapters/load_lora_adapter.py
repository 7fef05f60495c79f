import warnings

import torch
from peft import AutoPeftModelForCausalLM, LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

# peft 0.21.2 reads a property that transformers 5 deprecated: harmless, silenced here.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# --8<-- [start:save]
# What a LoRA training run leaves behind: a folder with the adapter alone.
torch.manual_seed(0)
lora_config = LoraConfig(
    r=8,
    lora_alpha=16,
    target_modules=["q_proj", "v_proj"],
    task_type="CAUSAL_LM",
    init_lora_weights=False,  # random instead of zero B: changes outputs like a trained adapter
)
trained = get_peft_model(AutoModelForCausalLM.from_pretrained(model_id), lora_config)
trained.save_pretrained("my-adapter")
# --8<-- [end:save]

tokenizer = AutoTokenizer.from_pretrained(model_id)
inputs = tokenizer("The capital of France is", return_tensors="pt")

# --8<-- [start:peft]
# 1. You load the base; PeftModel wraps it and adds the adapter (frozen by default).
base = AutoModelForCausalLM.from_pretrained(model_id)
model = PeftModel.from_pretrained(base, "my-adapter")
# --8<-- [end:peft]

# --8<-- [start:auto]
# 2. The adapter folder names its base: AutoPeftModel loads both.
auto_model = AutoPeftModelForCausalLM.from_pretrained("my-adapter")
# --8<-- [end:auto]

# --8<-- [start:trainable]
# 3. To train the adapter further, ask for it: is_trainable=True.
resumed = PeftModel.from_pretrained(
    AutoModelForCausalLM.from_pretrained(model_id), "my-adapter", is_trainable=True
)
# --8<-- [end:trainable]

# --8<-- [start:transformers]
# 4. Without the wrapper: transformers' own PEFT integration.
hf_model = AutoModelForCausalLM.from_pretrained(model_id)
hf_model.load_adapter("my-adapter")
hf_auto = AutoModelForCausalLM.from_pretrained("my-adapter")  # base + adapter, one call
# --8<-- [end:transformers]

print(type(model).__name__, type(auto_model).__name__, type(hf_model).__name__)
#> PeftModelForCausalLM PeftModelForCausalLM Qwen2ForCausalLM
print(any(p.requires_grad for p in model.parameters()))
#> False
print(all(p.requires_grad == ("lora_" in n) for n, p in resumed.named_parameters()))
#> True

with torch.no_grad():
    logits = {
        name: m(**inputs).logits
        for name, m in [("peft", model), ("auto", auto_model), ("transformers", hf_model)]
    }
print(torch.equal(logits["peft"], logits["auto"]))
#> True
