from collections import Counter

import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

model_id = "Qwen/Qwen2.5-Coder-7B-Instruct"
model = AutoModelForCausalLM.from_pretrained(
    model_id,
    quantization_config=BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_compute_dtype=torch.bfloat16,
        bnb_4bit_use_double_quant=True,
    ),
    device_map="auto",
    dtype=torch.bfloat16,
)


# --8<-- [start:summary]
def quantization_summary(model):
    """What a loaded model's quantization is, read from the model itself."""
    if not getattr(model, "is_quantized", False):  # unset on a model loaded without quantization
        return None
    config = model.config.quantization_config  # the config in force
    layers = Counter(type(m).__name__ for m in model.modules() if isinstance(m, torch.nn.Linear))
    return {
        "method": model.quantization_method.value,  # which library: bitsandbytes, gptq, ...
        "scheme": config.quantization_method(),  # bitsandbytes: "nf4", "fp4" or "llm_int8"
        "quantizer": type(model.hf_quantizer).__name__,
        "layers": dict(layers),
    }
# --8<-- [end:summary]


summary = quantization_summary(model)
print(summary["method"], summary["scheme"], summary["quantizer"])
#> bitsandbytes nf4 Bnb4BitHfQuantizer
print(summary["layers"]["Linear4bit"] == 7 * model.config.num_hidden_layers)
#> True

# --8<-- [start:state]
weight = model.model.layers[0].self_attn.q_proj.weight
state = weight.quant_state  # how bitsandbytes packed this weight
print(type(weight).__name__, weight.dtype, state.quant_type, state.blocksize, state.dtype)
#> Params4bit torch.uint8 nf4 64 torch.bfloat16
print(tuple(weight.shape) == (weight.numel(), 1), state.shape.numel() == 2 * weight.numel())
#> True True
print(state.nested, state.absmax.dtype, state.state2.absmax.dtype)
#> True torch.uint8 torch.float32
# --8<-- [end:state]
