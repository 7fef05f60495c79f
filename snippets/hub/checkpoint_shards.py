import json
from pathlib import Path

import torch
from safetensors import safe_open
from transformers import AutoModelForCausalLM

model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")

# --8<-- [start:save]
# A shard limit below the model's size splits the weights (the default limit is "50GB";
# in practice you would write "5GB"). Here: about a quarter of the weights per shard.
weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
model.save_pretrained("qwen-sharded", max_shard_size=weight_bytes // 4)
# --8<-- [end:save]

folder = Path("qwen-sharded")
print(sorted({p.suffix for p in folder.iterdir()}))
#> ['.json', '.safetensors']

# --8<-- [start:index]
index = json.loads((folder / "model.safetensors.index.json").read_text())
weight_map = index["weight_map"]  # tensor name -> shard file
shards = sorted(set(weight_map.values()))
print(len(shards) > 1, shards[0].startswith("model-00001-of-"))
#> True True
print(sorted(index["metadata"]))
#> ['total_parameters', 'total_size']
# --8<-- [end:index]

# --8<-- [start:inspect]
# Names, dtypes and shapes straight from the file headers, without building the model.
name = "model.embed_tokens.weight"
with safe_open(folder / weight_map[name], framework="pt") as f:
    print(f.get_slice(name).get_dtype())
    #> BF16
# --8<-- [end:inspect]

# --8<-- [start:reload]
reloaded = AutoModelForCausalLM.from_pretrained("qwen-sharded")
before, after = model.state_dict(), reloaded.state_dict()
same = before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)
print(same)
#> True
# --8<-- [end:reload]
