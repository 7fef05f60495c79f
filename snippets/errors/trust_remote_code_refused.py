from transformers import AutoModelForCausalLM

# The repository ships its own modelling code (config.json has an auto_map), and the call
# does not say whether to run it. In a terminal this prompts; anywhere else it refuses.
model = AutoModelForCausalLM.from_pretrained("internlm/internlm2_5-7b-chat")
