import torch
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

model_id = "gpt2"

# The size of the weights, measured on the meta device: nothing is loaded.
config = AutoConfig.from_pretrained(model_id)
with torch.device("meta"):
    model_bytes = AutoModelForCausalLM.from_config(config).get_memory_footprint()

# --8<-- [start:load]
# Allow the CPU 80% of what the weights need: "auto" sends the rest to disk.
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    device_map="auto",
    max_memory={"cpu": int(0.8 * model_bytes)},  # bytes, or a string such as "20GiB"
    offload_folder="offload",
)
# --8<-- [end:load]

# --8<-- [start:inspect]
device_map = model.hf_device_map
print(device_map["transformer.wte"], device_map["lm_head"], device_map["transformer.ln_f"])
#> cpu cpu disk
on_disk = [name for name, device in device_map.items() if device == "disk"]
print(model.transformer.ln_f.weight.device)
#> meta
# --8<-- [end:inspect]

# --8<-- [start:generate]
tokenizer = AutoTokenizer.from_pretrained(model_id)
inputs = tokenizer("Offloaded weights still", return_tensors="pt").to(model.device)
output_ids = model.generate(**inputs, max_new_tokens=5, min_new_tokens=5, do_sample=False)
print(output_ids.shape[1] - inputs["input_ids"].shape[1])
#> 5
# --8<-- [end:generate]
