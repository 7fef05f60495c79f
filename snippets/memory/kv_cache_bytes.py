import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer


# --8<-- [start:formula]
def kv_cache_bytes(config, tokens, batch=1, dtype=torch.bfloat16):
    """Keys and values for every layer:
    2 × layers × kv_heads × head_dim × tokens × batch × bytes."""
    heads = config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    kv_heads = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    return 2 * config.num_hidden_layers * kv_heads * head_dim * tokens * batch * dtype.itemsize
# --8<-- [end:formula]


model_id = "meta-llama/Llama-3.1-8B-Instruct"
config = AutoConfig.from_pretrained(model_id)
tokenizer = AutoTokenizer.from_pretrained(model_id)
model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16, device_map="auto")

prompts = ["The KV cache grows with every token", "and with every sequence in the batch"]
tokenizer.pad_token = tokenizer.eos_token
inputs = tokenizer(prompts, return_tensors="pt", padding=True).to(model.device)
with torch.no_grad():
    cache = model(**inputs, use_cache=True).past_key_values

batch, tokens = inputs["input_ids"].shape
tensors = [t for layer in cache.layers for t in (layer.keys, layer.values)]
measured = sum(t.numel() * t.element_size() for t in tensors)
print(measured == kv_cache_bytes(config, tokens, batch))
#> True
