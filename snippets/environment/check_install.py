from importlib.metadata import version

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

# --8<-- [start:versions]
for package in ("torch", "transformers", "accelerate", "peft", "bitsandbytes", "trl", "datasets"):
    print(package, version(package))
    #> torch 2.13.0+cpu
    #> transformers 5.23.0
    #> accelerate 1.15.0
    #> peft 0.21.2
    #> bitsandbytes 0.50.2
    #> trl 1.16.0
    #> datasets 5.2.0
cuda_build = torch.version.cuda
print("CUDA available:", torch.cuda.is_available(), "| torch built with CUDA:", cuda_build)
#> CUDA available: False | torch built with CUDA: None
# --8<-- [end:versions]

# --8<-- [start:load]
tokenizer = AutoTokenizer.from_pretrained("gpt2")
model = AutoModelForCausalLM.from_pretrained("gpt2", device_map="auto")
inputs = tokenizer("Hello, world", return_tensors="pt").to(model.device)
with torch.no_grad():
    logits = model(**inputs).logits
print(model.device, model.dtype)
#> cpu torch.float32
# --8<-- [end:load]

# --8<-- [start:four-bit]
bnb_config = BitsAndBytesConfig(
    load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
)
model_4bit = AutoModelForCausalLM.from_pretrained(
    "gpt2", quantization_config=bnb_config, device_map="auto"
)
with torch.no_grad():
    logits_4bit = model_4bit(**inputs).logits
print(model_4bit.device, type(model_4bit.transformer.h[0].attn.c_attn).__name__)
#> cpu Linear4bit
# --8<-- [end:four-bit]
