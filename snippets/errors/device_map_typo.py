from transformers import AutoModelForCausalLM

# "gpu" is neither a torch device name nor a placement strategy.
model = AutoModelForCausalLM.from_pretrained("gpt2", device_map="gpu")
