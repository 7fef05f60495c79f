import warnings

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

# peft 0.21.2 reads a property that transformers 5 deprecated: harmless, silenced here.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")

model_id = "Qwen/Qwen2.5-0.5B-Instruct"

# Two adapters trained on the same base (random weights stand in for the training).
for seed, folder in [(1, "adapter-chat"), (2, "adapter-sql")]:
    torch.manual_seed(seed)
    lora_config = LoraConfig(
        r=8,
        lora_alpha=16,
        target_modules=["q_proj", "v_proj"],
        task_type="CAUSAL_LM",
        init_lora_weights=False,
    )
    get_peft_model(AutoModelForCausalLM.from_pretrained(model_id), lora_config).save_pretrained(
        folder
    )

tokenizer = AutoTokenizer.from_pretrained(model_id)
inputs = tokenizer("SELECT name FROM users WHERE", return_tensors="pt")


def next_token_logits(model):
    with torch.no_grad():
        return model(**inputs).logits[0, -1]


# --8<-- [start:load]
base = AutoModelForCausalLM.from_pretrained(model_id)
model = PeftModel.from_pretrained(base, "adapter-chat", adapter_name="chat")
model.load_adapter("adapter-sql", adapter_name="sql")
print(list(model.peft_config), model.active_adapters)
#> ['chat', 'sql'] ['chat']
# --8<-- [end:load]

# --8<-- [start:switch]
chat = next_token_logits(model)
model.set_adapter("sql", inference_mode=True)  # without inference_mode=True it becomes trainable
sql = next_token_logits(model)
with model.disable_adapter():
    plain = next_token_logits(model)  # the base alone
print(model.active_adapters, torch.equal(chat, sql))
#> ['sql'] False
# --8<-- [end:switch]

# --8<-- [start:combine]
model.add_weighted_adapter(
    adapters=["chat", "sql"], weights=[1.0, 1.0], adapter_name="both", combination_type="cat"
)
model.set_adapter("both", inference_mode=True)
both = next_token_logits(model)
print(model.active_adapters, model.peft_config["both"].r)
#> ['both'] 16
# --8<-- [end:combine]

# --8<-- [start:transformers]
hf_model = AutoModelForCausalLM.from_pretrained(model_id)
hf_model.load_adapter("adapter-chat", adapter_name="chat")
hf_model.load_adapter("adapter-sql", adapter_name="sql")
print(hf_model.active_adapters())  # a method here; the last adapter loaded is active
#> ['sql']
hf_model.set_adapter("chat")
hf_model.disable_adapters()
hf_plain = next_token_logits(hf_model)
hf_model.enable_adapters()
print(hf_model.active_adapters())
#> ['chat']
# --8<-- [end:transformers]
