import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

model_id = "mistralai/Mistral-7B-v0.1"

# --8<-- [start:map]
# Everything on GPU 0 except the last decoder block, which stays on the CPU.
last = AutoConfig.from_pretrained(model_id).num_hidden_layers - 1
device_map = {"model.embed_tokens": 0, "model.norm": 0, "model.rotary_emb": 0, "lm_head": 0}
device_map |= {f"model.layers.{i}": 0 for i in range(last)}
device_map[f"model.layers.{last}"] = "cpu"
# --8<-- [end:map]

# --8<-- [start:load]
bnb_config = BitsAndBytesConfig(
    load_in_8bit=True,
    llm_int8_enable_fp32_cpu_offload=True,  # without it, any "cpu" entry is refused
)
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    quantization_config=bnb_config,
    device_map=device_map,
    dtype=torch.bfloat16,
)
# --8<-- [end:load]

tokenizer = AutoTokenizer.from_pretrained(model_id)
inputs = tokenizer("The capital of France is", return_tensors="pt").to(model.device)
with torch.no_grad():
    logits = model(**inputs).logits
