import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id)

# --8<-- [start:defaults]
settings = model.generation_config  # read from generation_config.json
print(settings.do_sample, settings.temperature, settings.top_p, settings.top_k)
#> True 0.7 0.8 20
print(settings.repetition_penalty, settings.max_new_tokens, settings.max_length)
#> 1.1 None None
# --8<-- [end:defaults]

messages = [{"role": "user", "content": "Name three colours."}]
inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")

# --8<-- [start:greedy]
# Per call: greedy decoding and a length limit, for this call only
first = model.generate(**inputs, do_sample=False, max_new_tokens=12)
second = model.generate(**inputs, do_sample=False, max_new_tokens=12)
print(torch.equal(first, second), model.generation_config.do_sample)
#> True True
# --8<-- [end:greedy]

# --8<-- [start:persistent]
# For every later call (and for save_pretrained): edit the model's own settings
model.generation_config.update(do_sample=False, temperature=None, top_p=None, top_k=None)
model.generation_config.max_new_tokens = 12
third = model.generate(**inputs)
print(torch.equal(third, first))
#> True
# --8<-- [end:persistent]

# --8<-- [start:gpt2]
gpt2 = AutoModelForCausalLM.from_pretrained("gpt2")  # its generation_config.json: only ids
print(gpt2.generation_config.do_sample, gpt2.generation_config.max_new_tokens)
#> None None
# --8<-- [end:gpt2]
