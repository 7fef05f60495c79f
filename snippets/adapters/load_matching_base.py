import warnings
from pathlib import Path

from huggingface_hub import hf_hub_download
from peft import AutoPeftModelForCausalLM, LoraConfig, PeftConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM

# peft 0.21.2 reads a property that transformers 5 deprecated: harmless, silenced here.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# --8<-- [start:record]
# Training: pin the base to a commit and record that commit in the adapter.
revision = Path(hf_hub_download(model_id, "config.json")).parent.name  # the snapshot's commit
base = AutoModelForCausalLM.from_pretrained(model_id, revision=revision)
lora_config = LoraConfig(
    r=16,
    lora_alpha=32,
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    task_type="CAUSAL_LM",
)
get_peft_model(base, lora_config, revision=revision).save_pretrained("my-adapter")
# --8<-- [end:record]

# --8<-- [start:load]
# Inference: take the base's id and revision from the adapter, not from memory.
adapter_config = PeftConfig.from_pretrained("my-adapter")
base = AutoModelForCausalLM.from_pretrained(
    adapter_config.base_model_name_or_path, revision=adapter_config.revision
)
model = PeftModel.from_pretrained(base, "my-adapter")
# --8<-- [end:load]
print(adapter_config.base_model_name_or_path, adapter_config.revision == revision)
#> Qwen/Qwen2.5-0.5B-Instruct True

# --8<-- [start:auto]
# The same in one call: AutoPeftModel reads both fields.
auto_model = AutoPeftModelForCausalLM.from_pretrained("my-adapter")
# --8<-- [end:auto]


# --8<-- [start:check]
def check_base(base, adapter_path):
    """Refuse to attach an adapter to a base other than the one it was trained on."""
    trained_on = PeftConfig.from_pretrained(adapter_path).base_model_name_or_path
    if base.name_or_path != trained_on:
        raise ValueError(f"{adapter_path} was trained on {trained_on}, not {base.name_or_path}")


base = AutoModelForCausalLM.from_pretrained(model_id, revision=revision)
check_base(base, "my-adapter")  # passes: same id
checked = PeftModel.from_pretrained(base, "my-adapter")
# --8<-- [end:check]
