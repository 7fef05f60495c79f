import json
import warnings
from pathlib import Path

from peft import LoraConfig, get_peft_model
from safetensors import safe_open
from transformers import AutoModelForCausalLM

# peft 0.21.2 reads a property that transformers 5 deprecated: harmless, silenced here.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# --8<-- [start:save]
base = AutoModelForCausalLM.from_pretrained(model_id)  # bfloat16, the checkpoint's dtype
lora_config = LoraConfig(
    r=16,
    lora_alpha=32,
    lora_dropout=0.05,
    target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    task_type="CAUSAL_LM",
)
model = get_peft_model(base, lora_config)
model.save_pretrained("my-adapter")
print(sorted(path.name for path in Path("my-adapter").iterdir()))
#> ['README.md', 'adapter_config.json', 'adapter_model.safetensors']
# --8<-- [end:save]

# --8<-- [start:config]
adapter_config = json.loads(Path("my-adapter/adapter_config.json").read_text())
for key in ("base_model_name_or_path", "revision", "peft_type", "task_type", "r", "lora_alpha"):
    print(f"{key}: {adapter_config[key]!r}")
    #> base_model_name_or_path: 'Qwen/Qwen2.5-0.5B-Instruct'
    #> revision: None
    #> peft_type: 'LORA'
    #> task_type: 'CAUSAL_LM'
    #> r: 16
    #> lora_alpha: 32
print(sorted(adapter_config["target_modules"]))
#> ['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj']
# --8<-- [end:config]

# --8<-- [start:weights]
with safe_open("my-adapter/adapter_model.safetensors", framework="pt") as weights:
    names = list(weights.keys())
    dtypes = {weights.get_slice(name).get_dtype() for name in names}
print(names[0])
#> base_model.model.model.layers.0.mlp.down_proj.lora_A.weight
print(all(name.endswith((".lora_A.weight", ".lora_B.weight")) for name in names), dtypes)
#> True {'F32'}
# --8<-- [end:weights]
