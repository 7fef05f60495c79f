import torch
from peft import LoraConfig, PeftConfig
from transformers import AutoModelForCausalLM, AutoTokenizer

# What a fine-tuning run leaves behind: an adapter folder (random, non-zero LoRA weights here).
# --8<-- [start:adapter]
trained = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct", dtype=torch.bfloat16)
lora_config = LoraConfig(
    r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"], init_lora_weights=False
)
trained.add_adapter(lora_config)
trained.save_pretrained("my-adapter")
del trained
# --8<-- [end:adapter]

# --8<-- [start:base]
adapter_config = PeftConfig.from_pretrained("my-adapter")
base_id = adapter_config.base_model_name_or_path
print(base_id, adapter_config.revision)
#> Qwen/Qwen2.5-0.5B-Instruct None
# --8<-- [end:base]

# --8<-- [start:load]
model = AutoModelForCausalLM.from_pretrained(base_id, dtype=torch.bfloat16, device_map="auto")
model.load_adapter("my-adapter")
print(model.active_adapters(), model.training, any(p.requires_grad for p in model.parameters()))
#> ['default'] False False
# --8<-- [end:load]

# --8<-- [start:generate]
tokenizer = AutoTokenizer.from_pretrained(base_id)
messages = [{"role": "user", "content": "Name a colour."}]
inputs = tokenizer.apply_chat_template(
    messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
).to(model.device)
print(model.generation_config.do_sample, model.generation_config.temperature)
#> True 0.7
torch.manual_seed(0)
generated = model.generate(**inputs, max_new_tokens=16)
reply = tokenizer.decode(generated[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
# --8<-- [end:generate]
