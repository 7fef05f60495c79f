from transformers import AutoModelForCausalLM

# Offline, with a revision (here a tag name) that this cache does not hold.
model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct", revision="v2.0")
