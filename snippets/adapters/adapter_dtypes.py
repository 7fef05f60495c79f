import warnings

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

# peft 0.21.2 reads a property that transformers 5 deprecated: harmless, silenced here.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
lora_config = LoraConfig(r=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
get_peft_model(AutoModelForCausalLM.from_pretrained(model_id), lora_config).save_pretrained(
    "my-adapter"
)


def adapter_dtype(model):
    """The dtype of the LoRA matrices attached to a model."""
    return next(p.dtype for name, p in model.named_parameters() if ".lora_A." in name)


nf4 = BitsAndBytesConfig(
    load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
)
dtypes = {}

# --8<-- [start:bf16]
base = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
dtypes["bf16 base, PeftModel"] = adapter_dtype(PeftModel.from_pretrained(base, "my-adapter"))

base = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
same = PeftModel.from_pretrained(base, "my-adapter", autocast_adapter_dtype=False)
dtypes["bf16 base, PeftModel, autocast_adapter_dtype=False"] = adapter_dtype(same)

base = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
base.load_adapter("my-adapter")
dtypes["bf16 base, load_adapter"] = adapter_dtype(base)
# --8<-- [end:bf16]

# --8<-- [start:nf4]
quantized = AutoModelForCausalLM.from_pretrained(model_id, quantization_config=nf4)
dtypes["nf4 base, PeftModel"] = adapter_dtype(PeftModel.from_pretrained(quantized, "my-adapter"))

quantized = AutoModelForCausalLM.from_pretrained(model_id, quantization_config=nf4)
quantized.load_adapter("my-adapter")
dtypes["nf4 base, load_adapter"] = adapter_dtype(quantized)
# --8<-- [end:nf4]

for where, dtype in dtypes.items():
    print(f"{where}: {dtype}")
    #> bf16 base, PeftModel: torch.float32
    #> bf16 base, PeftModel, autocast_adapter_dtype=False: torch.bfloat16
    #> bf16 base, load_adapter: torch.bfloat16
    #> nf4 base, PeftModel: torch.float32
    #> nf4 base, load_adapter: torch.bfloat16
