import torch

has_cuda = torch.cuda.is_available()
print(has_cuda)
#> False

if has_cuda:
    capability = torch.cuda.get_device_capability()  # (8, 0) for A100, (9, 0) for H100
    native_bf16 = torch.cuda.is_bf16_supported(including_emulation=False)
    print(torch.cuda.get_device_name(), capability, native_bf16)
