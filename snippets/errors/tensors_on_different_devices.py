from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "gpt2"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, device_map="cuda:0")

inputs = tokenizer("Where are my tensors?", return_tensors="pt")  # created on the CPU
outputs = model(**inputs)
