import warnings

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoConfig, AutoModelForCausalLM

# peft 0.21.2 reads a property that transformers 5 deprecated: harmless, silenced here.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
torch.manual_seed(0)
lora_config = LoraConfig(
    r=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM", init_lora_weights=False
)
get_peft_model(AutoModelForCausalLM.from_pretrained(model_id), lora_config).save_pretrained(
    "my-adapter"
)

# --8<-- [start:placed]
base = AutoModelForCausalLM.from_pretrained(model_id, device_map="auto")
model = PeftModel.from_pretrained(base, "my-adapter")
q_proj = model.get_base_model().model.layers[0].self_attn.q_proj
print(q_proj.lora_A["default"].weight.device == q_proj.base_layer.weight.device)
#> True
# --8<-- [end:placed]

# --8<-- [start:offloaded]
# A CPU budget of 70% of the model: accelerate sends the rest to disk.
config = AutoConfig.from_pretrained(model_id)
with torch.device("meta"):
    model_bytes = AutoModelForCausalLM.from_config(config).get_memory_footprint()
offloaded = AutoModelForCausalLM.from_pretrained(
    model_id, device_map="auto", max_memory={"cpu": int(0.7 * model_bytes)}
)
offloaded.load_adapter("my-adapter")  # no error, no warning
print(sorted(set(offloaded.hf_device_map.values())))
#> ['cpu', 'disk']
q_projs = [layer.self_attn.q_proj for layer in offloaded.model.layers]
# The adapter weights of every layer on disk stay on the meta device: they hold no values.
print(any(q.lora_A["default"].weight.is_meta for q in q_projs))
#> True
print(all(q.lora_A["default"].weight.is_meta == q.base_layer.weight.is_meta for q in q_projs))
#> True
# --8<-- [end:offloaded]
