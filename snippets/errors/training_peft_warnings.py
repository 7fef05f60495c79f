import warnings

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

# peft 0.21 reads model.is_gradient_checkpointing, which transformers 5.23 deprecates: the
# FutureWarning (the third warning on this page) would fire at every PeftModel below.
warnings.filterwarnings("ignore", "`is_gradient_checkpointing` is deprecated", FutureWarning)

# --8<-- [start:merge]
model_id = "mistralai/Mistral-7B-v0.1"
bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_compute_dtype=torch.bfloat16,
)
base = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
base.add_adapter(LoraConfig(r=8, lora_alpha=16, target_modules="all-linear"))
base.save_pretrained("my-adapter")  # stands in for a trained adapter

base_4bit = AutoModelForCausalLM.from_pretrained(
    model_id, quantization_config=bnb_config, dtype=torch.bfloat16
)
model = PeftModel.from_pretrained(base_4bit, "my-adapter")
merged = model.merge_and_unload()  # "Merge lora module to 4-bit linear ..." for each layer
# --8<-- [end:merge]

# --8<-- [start:conv1d]
gpt2 = AutoModelForCausalLM.from_pretrained("gpt2")
gpt2_lora = get_peft_model(gpt2, LoraConfig(target_modules=["c_attn"]))  # "fan_in_fan_out ..."
# --8<-- [end:conv1d]
