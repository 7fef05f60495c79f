import bitsandbytes as bnb
import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

model_id = "Qwen/Qwen2.5-0.5B-Instruct"
nf4_model = AutoModelForCausalLM.from_pretrained(
    model_id,
    quantization_config=BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_compute_dtype=torch.bfloat16,
    ),
    device_map="auto",
    dtype=torch.bfloat16,
)
int8_model = AutoModelForCausalLM.from_pretrained(
    model_id,
    quantization_config=BitsAndBytesConfig(load_in_8bit=True),
    device_map="auto",
    dtype=torch.bfloat16,
)


# --8<-- [start:hidden]
def quantization_constants(model):
    """Bytes bitsandbytes keeps beside the weights, outside parameters and buffers."""
    tensors = []
    for module in model.modules():
        if isinstance(module, bnb.nn.Linear4bit):
            state = module.weight.quant_state
            tensors += [state.absmax, state.code]  # one scale per 64 weights, the nf4 table
        elif isinstance(module, bnb.nn.Linear8bitLt):
            scb = module.weight.SCB if module.weight.SCB is not None else module.state.SCB
            tensors.append(scb)  # one scale per output row
    return sum(t.numel() * t.element_size() for t in tensors)


nf4_hidden = quantization_constants(nf4_model)
int8_hidden = quantization_constants(int8_model)
print(nf4_hidden > 0, int8_hidden > 0)
#> True True
# --8<-- [end:hidden]
