from pathlib import Path

from huggingface_hub import hf_hub_download
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# --8<-- [start:commit]
# The commit of the files you reviewed: the name of the snapshot folder they are in.
config_path = Path(hf_hub_download(model_id, "config.json"))
revision = config_path.parent.name
print(config_path.parent.parent.name, len(revision))
#> snapshots 40
# --8<-- [end:commit]

# --8<-- [start:load]
model = AutoModelForCausalLM.from_pretrained(model_id, revision=revision)
tokenizer = AutoTokenizer.from_pretrained(model_id, revision=revision)
# --8<-- [end:load]

# The model records the id it came from, not the commit: keep `revision` yourself.
print(model.name_or_path)
#> Qwen/Qwen2.5-0.5B-Instruct
