import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, device_map="auto")

# --8<-- [start:placement]
# 1. Where do the weights live, in which dtype, and is anything offloaded?
print(model.device, model.dtype)
#> cpu torch.bfloat16
print(getattr(model, "hf_device_map", None))  # None: one device, nothing dispatched
#> None
print(sum(p.device.type == "meta" for p in model.parameters()))  # offloaded weights
#> 0
# --8<-- [end:placement]

# --8<-- [start:offloaded]
# The same checks on a model whose decoder layers were sent to disk
main = 0 if torch.cuda.is_available() else "cpu"
parts = ["model.embed_tokens", "model.norm", "model.rotary_emb", "lm_head"]
device_map = {"model.layers": "disk", **{name: main for name in parts}}
slow = AutoModelForCausalLM.from_pretrained(model_id, device_map=device_map)
print(sorted(set(slow.hf_device_map.values()), key=str))
#> ['cpu', 'disk']
print(sum(p.device.type == "meta" for p in slow.parameters()) > 0)
#> True
print(hasattr(slow.model.layers[0], "_hf_hook"))
#> True
# --8<-- [end:offloaded]

messages = [{"role": "user", "content": "Why is my generation slow?"}]
inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt")
inputs = inputs.to(model.device)

# --8<-- [start:cache]
# 2. Is the KV cache on? Record how many tokens each forward pass processes.
lengths = []
hook = model.register_forward_pre_hook(
    lambda module, args, kwargs: lengths.append(kwargs["input_ids"].shape[1]), with_kwargs=True
)
model.generate(**inputs, max_new_tokens=6, min_new_tokens=6, do_sample=False)
cached, lengths = lengths, []
model.generate(**inputs, max_new_tokens=6, min_new_tokens=6, do_sample=False, use_cache=False)
uncached = lengths
hook.remove()
print(len(cached), cached[1:])  # the prompt once, then one token per step
#> 6 [1, 1, 1, 1, 1]
print(len(uncached), [n - uncached[0] for n in uncached])  # the whole sequence every step
#> 6 [0, 1, 2, 3, 4, 5]
# --8<-- [end:cache]

# --8<-- [start:stop]
# 3. What stops generation? A reply that always has max_new_tokens tokens never met these.
print(tokenizer.convert_ids_to_tokens(model.generation_config.eos_token_id))
#> ['<|im_end|>', '<|endoftext|>']
# --8<-- [end:stop]
