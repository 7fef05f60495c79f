from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id)

messages = [{"role": "user", "content": "What is a tokenizer?"}]

# --8<-- [start:text]
text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
print(text, end="")
'''
<|im_start|>system
You are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>
<|im_start|>user
What is a tokenizer?<|im_end|>
<|im_start|>assistant
'''
# --8<-- [end:text]

# --8<-- [start:ids]
inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
print(type(inputs).__name__, list(inputs.keys()))
#> BatchEncoding ['input_ids', 'attention_mask']
print(tokenizer.decode(inputs["input_ids"][0]) == text)
#> True
output_ids = model.generate(**inputs, max_new_tokens=16, do_sample=False)
reply_ids = output_ids[0, inputs["input_ids"].shape[1] :]  # only the new tokens
reply = tokenizer.decode(reply_ids, skip_special_tokens=True)
# --8<-- [end:ids]
