import os

from huggingface_hub import constants, scan_cache_dir

# Run at the start of an air-gapped job, before loading anything.
print(constants.HF_HUB_OFFLINE)  # set HF_HUB_OFFLINE=1 before Python starts
#> True
print(constants.HF_HUB_CACHE == os.path.join(constants.HF_HOME, "hub"))
#> True

cached = {repo.repo_id: repo for repo in scan_cache_dir().repos}
needed = ["Qwen/Qwen2.5-0.5B-Instruct", "meta-llama/Llama-3.1-8B-Instruct"]
missing = [model_id for model_id in needed if model_id not in cached]
print(missing)
#> []
