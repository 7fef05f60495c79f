from transformers import AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
messages = [{"role": "user", "content": "What is a tokenizer?"}]

# --8<-- [start:text]
text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
print(text, end="")
'''
<|begin_of_text|><|start_header_id|>system<|end_header_id|>

Cutting Knowledge Date: December 2023
Today Date: 26 Jul 2024

<|eot_id|><|start_header_id|>user<|end_header_id|>

What is a tokenizer?<|eot_id|><|start_header_id|>assistant<|end_header_id|>
'''
# --8<-- [end:text]

# --8<-- [start:bos]
ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True)["input_ids"]
again = tokenizer(text)["input_ids"]  # tokenizing the text again adds a second BOS
print(ids.count(tokenizer.bos_token_id), again.count(tokenizer.bos_token_id))
#> 1 2
print(tokenizer(text, add_special_tokens=False)["input_ids"] == ids)
#> True
# --8<-- [end:bos]
