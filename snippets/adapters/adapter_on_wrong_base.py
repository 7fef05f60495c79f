import warnings

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

# peft 0.21.2 reads a property that transformers 5 deprecated: harmless, silenced here.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")

# An adapter trained on Mistral-7B-v0.1 (random weights stand in for the training) ...
torch.manual_seed(0)
mistral = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-v0.1")
lora_config = LoraConfig(
    r=16,
    lora_alpha=32,
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    task_type="CAUSAL_LM",
    init_lora_weights=False,
)
get_peft_model(mistral, lora_config).save_pretrained("mistral-adapter")

# --8<-- [start:wrong]
# ... attached to Llama-3.1-8B-Instruct: same layer names, same shapes. No error, no warning.
llama = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
model = PeftModel.from_pretrained(llama, "mistral-adapter")
print(model.peft_config["default"].base_model_name_or_path)
#> mistralai/Mistral-7B-v0.1
print(model.get_base_model().name_or_path)
#> meta-llama/Llama-3.1-8B-Instruct
# --8<-- [end:wrong]
