import torch

from kb.claims import claim


@claim(
    "On a machine without a CUDA GPU (and without flash-attn), `pick_attention()` chooses `sdpa` and the model loads with it.",
    needs="cpu",
)
def cpu_sdpa(pick_attention, model):
    from transformers.utils import is_flash_attn_2_available

    assert is_flash_attn_2_available() is False
    assert pick_attention() == "sdpa"
    assert model.config._attn_implementation == "sdpa"
    assert {p.device.type for p in model.parameters()} == {"cpu"}


@claim(
    "On a GPU, the model ends up with `flash_attention_2` exactly when flash-attn is installed and the GPU is "
    "Ampere or newer, and with `sdpa` otherwise; either way it loads on the GPU.",
    needs="gpu",
)
def gpu_consistent(pick_attention, model):
    from transformers.utils import is_flash_attn_2_available

    usable = is_flash_attn_2_available() and torch.cuda.get_device_capability() >= (8, 0)
    expected = "flash_attention_2" if usable else "sdpa"
    assert pick_attention() == expected
    assert model.config._attn_implementation == expected
    assert {p.device.type for p in model.parameters()} == {"cuda"}
    return f"flash-attn usable: {usable}; backend {expected}"
