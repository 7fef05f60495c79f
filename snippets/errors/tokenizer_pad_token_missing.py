from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("gpt2")  # no pad token in its tokenizer files
prompts = ["Hi", "Padding makes every row of a batch the same length."]
batch = tokenizer(prompts, padding=True, return_tensors="pt")
