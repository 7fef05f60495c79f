import bitsandbytes.functional as F
import torch

torch.manual_seed(0)
# A trained layer's weights are close to normally distributed around zero.
weight = torch.randn(1024, 1024, dtype=torch.bfloat16) * 0.02


def relative_error(restored):
    return ((restored.float() - weight.float()).norm() / weight.float().norm()).item()


# --8<-- [start:roundtrip]
errors = {}
for quant_type in ("nf4", "fp4"):
    packed, state = F.quantize_4bit(weight, quant_type=quant_type, blocksize=64)
    errors[quant_type] = relative_error(F.dequantize_4bit(packed, state))

int8, scales, _ = F.int8_vectorwise_quant(weight.half())  # LLM.int8: one scale per row
errors["int8"] = relative_error(F.int8_vectorwise_dequant(int8, scales))
# --8<-- [end:roundtrip]

print(errors["int8"] < errors["nf4"] < errors["fp4"])
#> True
