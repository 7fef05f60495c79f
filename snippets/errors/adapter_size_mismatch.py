import warnings

from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

# peft 0.21.2 reads a property that transformers 5 deprecated: harmless, silenced here.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")

# An adapter trained on Qwen2.5-0.5B-Instruct ...
qwen = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
lora_config = LoraConfig(
    r=16,
    lora_alpha=32,
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    task_type="CAUSAL_LM",
)
get_peft_model(qwen, lora_config).save_pretrained("qwen-adapter")

# ... loaded onto another base model.
base = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
model = PeftModel.from_pretrained(base, "qwen-adapter")
