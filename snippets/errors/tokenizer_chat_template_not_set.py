from transformers import AutoTokenizer

# gpt2 is a base model: its tokenizer files define no chat template
tokenizer = AutoTokenizer.from_pretrained("gpt2")
messages = [{"role": "user", "content": "What is a tokenizer?"}]
text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
