import bitsandbytes as bnb
import torch

# Importing bitsandbytes loads its native library and logs what it could not find.
print(bnb.__version__)
#> 0.50.2

# A 4-bit layer on the CPU: bitsandbytes 0.50 runs it without CUDA.
torch.manual_seed(0)
layer = bnb.nn.Linear4bit(64, 32, compute_dtype=torch.bfloat16, quant_type="nf4").to("cpu")
with torch.no_grad():
    y = layer(torch.randn(2, 64, dtype=torch.bfloat16))
print(layer.weight.dtype, y.dtype, tuple(y.shape))
#> torch.uint8 torch.bfloat16 (2, 32)
