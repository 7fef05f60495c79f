from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("gpt2")
messages = [{"role": "user", "content": "What is a tokenizer?"}]

# --8<-- [start:template]
# A plain format for a base model you are about to fine-tune: you choose it, so write it down
tokenizer.chat_template = (
    "{% for message in messages %}"
    "{{ message['role'] }}: {{ message['content'] }}{{ eos_token }}\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}"
)
text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
print(text)
'''
user: What is a tokenizer?<|endoftext|>
assistant:
'''
tokenizer.save_pretrained("my-tokenizer")  # writes my-tokenizer/chat_template.jinja
# --8<-- [end:template]
