from importlib.metadata import version

import bitsandbytes as bnb
import torch

# The versions these pages were checked with.
for package in ("transformers", "accelerate", "bitsandbytes"):
    print(package, version(package))
    #> transformers 5.23.0
    #> accelerate 1.15.0
    #> bitsandbytes 0.50.2

# --8<-- [start:layer]
# A tiny 4-bit layer on the device you have: its weight is quantized when it is moved there.
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)
layer = bnb.nn.Linear4bit(64, 32, compute_dtype=torch.bfloat16, quant_type="nf4")
layer = layer.to(device)
x = torch.randn(2, 64, dtype=torch.bfloat16, device=device)
with torch.no_grad():
    y = layer(x)
print(layer.weight.dtype, y.dtype, tuple(y.shape))
#> torch.uint8 torch.bfloat16 (2, 32)
# --8<-- [end:layer]
