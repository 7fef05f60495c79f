import json
from pathlib import Path

from huggingface_hub import snapshot_download
from transformers import AutoModelForCausalLM

model_id = "internlm/internlm2_5-7b-chat"

# --8<-- [start:review]
# 1. Download the code and configs only (no weights), and note their commit.
code_dir = Path(snapshot_download(model_id, allow_patterns=["*.py", "*.json"]))
revision = code_dir.name

# config.json's auto_map names the files and classes that will run: read them.
auto_map = json.loads((code_dir / "config.json").read_text())["auto_map"]
print(auto_map["AutoModelForCausalLM"])
#> modeling_internlm2.InternLM2ForCausalLM
# --8<-- [end:review]

# --8<-- [start:load]
# 2. Run exactly the commit you read.
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    revision=revision,
    trust_remote_code=True,
)
# --8<-- [end:load]

# --8<-- [start:check]
module = type(model).__module__
print(type(model).__name__, module.startswith("transformers_modules."))
#> InternLM2ForCausalLM True
print(revision in module.split("."))
#> True
# --8<-- [end:check]
