import torch

from kb.claims import claim


@claim("On a machine without a CUDA GPU the check prints `False` and stops there.", needs="cpu")
def cpu_prints_false(output, has_cuda):
    assert has_cuda is False
    assert output.strip() == "False"


@claim(
    "On a bfloat16-capable GPU the compute capability is 8.0 or higher and native bfloat16 support is True.",
    needs="gpu",
)
def gpu_capability(has_cuda, capability, native_bf16):
    assert has_cuda is True
    assert capability >= (8, 0)
    assert native_bf16 is True
    assert torch.cuda.is_bf16_supported() is True
    return f"{torch.cuda.get_device_name()}: capability {capability[0]}.{capability[1]}"


@claim(
    "Native bfloat16 support follows the compute capability exactly: True from 8.0 on, False below.",
    needs="gpu",
)
def native_follows_capability(capability, native_bf16):
    assert native_bf16 is (capability[0] >= 8)


@claim(
    "Without CUDA, `torch.cuda.is_bf16_supported()` returns False, with the default `including_emulation=True` "
    "as with `False`.",
    needs="cpu",
)
def no_cuda_no_bf16():
    assert torch.cuda.is_bf16_supported() is False
    assert torch.cuda.is_bf16_supported(including_emulation=False) is False
