import torch

from kb.claims import claim


@claim(
    "The pinned versions are the ones installed: transformers 5.23.0, accelerate 1.15.0, "
    "bitsandbytes 0.50.2."
)
def pinned_versions(output):
    lines = output.splitlines()
    assert lines[:3] == ["transformers 5.23.0", "accelerate 1.15.0", "bitsandbytes 0.50.2"]


@claim(
    "transformers sees both packages it needs for a bitsandbytes load, at or above its minimum "
    "versions (bitsandbytes 0.46.1, accelerate 1.1.0)."
)
def transformers_sees_them():
    from transformers.utils import import_utils

    assert import_utils.BITSANDBYTES_MIN_VERSION == "0.46.1"
    assert import_utils.ACCELERATE_MIN_VERSION == "1.1.0"
    assert import_utils.is_bitsandbytes_available() is True
    assert import_utils.is_accelerate_available() is True


@claim(
    "Moving a `Linear4bit` to a device quantizes it: its weight becomes packed `uint8` with an "
    "nf4 quantization state, and a bfloat16 forward pass gives a bfloat16 result."
)
def layer_quantized(layer, y, device):
    assert layer.weight.dtype == torch.uint8
    assert layer.weight.quant_state.quant_type == "nf4"
    assert layer.weight.numel() * 2 == 64 * 32
    assert y.dtype == torch.bfloat16 and tuple(y.shape) == (2, 32)
    assert torch.isfinite(y).all()
    assert y.device.type == device
    return f"on {device}"


@claim(
    "bitsandbytes lists the devices it has a backend for, and the CPU is one of them.",
)
def supported_devices():
    import bitsandbytes as bnb

    assert {"cpu", "cuda"} <= bnb.supported_torch_devices
    return ", ".join(sorted(bnb.supported_torch_devices))


@claim("Without a GPU, the layer runs on the CPU.", needs="cpu")
def on_cpu(device, y):
    assert device == "cpu" and y.device.type == "cpu"


@claim("With a GPU, the same snippet quantizes and runs the layer on CUDA.", needs="gpu")
def on_gpu(layer, y):
    assert layer.weight.device.type == "cuda" and y.device.type == "cuda"
    return f"weight on {layer.weight.device}, result on {y.device}"


@claim(
    "On a CPU with AVX512-BF16, a 4-bit layer in eval mode repacks its weight for a fused "
    "kernel at its first call without gradients, which needs `out_features` divisible by 32 "
    "(`AssertionError: N must be divisible by block_n` otherwise); the Linear layers of the real "
    "7B/8B and 0.5B configs all are.",
    needs="cpu",
)
def cpu_fast_path_needs_multiples_of_32():
    import bitsandbytes as bnb
    import bitsandbytes.functional as F
    import pytest

    from kb.standin import load_registry

    def layer(out_features):
        built = bnb.nn.Linear4bit(64, out_features, compute_dtype=torch.bfloat16, quant_type="nf4")
        return built.to("cpu").eval()

    x = torch.randn(2, 64, dtype=torch.bfloat16)
    with torch.no_grad():
        assert layer(32)(x).shape == (2, 32)
        if F.has_avx512bf16():
            with pytest.raises(AssertionError, match="^N must be divisible by block_n$"):
                layer(40)(x)
        else:
            assert layer(40)(x).shape == (2, 40)
    sizes = set()
    for model_id, entry in load_registry().items():
        cfg = entry.config
        if cfg.get("model_type") not in ("qwen2", "llama", "mistral"):
            continue
        head_dim = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
        outs = {cfg["hidden_size"], cfg["intermediate_size"], cfg["num_key_value_heads"] * head_dim}
        assert all(n % 32 == 0 for n in outs), (model_id, outs)
        sizes |= outs
    return f"AVX512-BF16: {bool(F.has_avx512bf16())}; real out_features {sorted(sizes)}"
