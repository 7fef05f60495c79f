from pathlib import Path

from huggingface_hub import snapshot_download

# On a machine with network access, with the HF_HOME the offline machine will use
# (from a shell: `hf download Qwen/Qwen2.5-0.5B-Instruct`). Offline, it returns the cached copy.
snapshot = Path(snapshot_download("Qwen/Qwen2.5-0.5B-Instruct"))

# Copy or mount $HF_HOME on the offline machine: this is what from_pretrained will find there.
print(snapshot.relative_to(snapshot.parents[2]).parts[:2])
#> ('models--Qwen--Qwen2.5-0.5B-Instruct', 'snapshots')
for name in sorted(p.name for p in snapshot.iterdir()):
    print(name)
    #> config.json
    #> generation_config.json
    #> model.safetensors
    #> tokenizer.json
    #> tokenizer_config.json
