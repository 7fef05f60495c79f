from transformers import AutoModelForCausalLM

from kb.claims import below

model = AutoModelForCausalLM.from_pretrained("gpt2")
print(below(1, 2))
