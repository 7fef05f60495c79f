from transformers import AutoModelForCausalLM

# HF_HUB_OFFLINE=1, and this repository was never downloaded into the cache.
model_id = "Qwen/Qwen2.5-7B-Instruct"
model = AutoModelForCausalLM.from_pretrained(model_id)  # standin-hub: ignore
