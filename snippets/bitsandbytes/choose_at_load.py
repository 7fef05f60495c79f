import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

model_id = "meta-llama/Llama-3.1-8B-Instruct"

# --8<-- [start:load]
# Decide the dtype and the device while loading: a quantized model keeps both.
bnb_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_compute_dtype=torch.bfloat16,  # the dtype the 4-bit matmuls run in
)
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    quantization_config=bnb_config,
    dtype=torch.bfloat16,  # the dtype of everything that is not quantized
    device_map="auto",  # the GPU if there is one, else the CPU
)
# --8<-- [end:load]
tokenizer = AutoTokenizer.from_pretrained(model_id)

# --8<-- [start:inputs]
# Move the inputs to the model, never the model to the inputs.
inputs = tokenizer("The capital of France is", return_tensors="pt").to(model.device)
with torch.no_grad():
    logits = model(**inputs).logits
# --8<-- [end:inputs]

print(model.model.layers[0].mlp.down_proj.weight.dtype, model.lm_head.weight.dtype, logits.dtype)
#> torch.uint8 torch.bfloat16 torch.bfloat16
