import torch

from kb.claims import claim


@claim(
    "On a machine without a CUDA GPU, `pick_dtype()` returns float32 and the model loads in it.",
    needs="cpu",
)
def cpu_float32(pick_dtype, model):
    assert torch.cuda.is_available() is False
    assert pick_dtype() is torch.float32
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    assert {p.device.type for p in model.parameters()} == {"cpu"}


@claim(
    "Without CUDA, `torch.cuda.is_bf16_supported()` is False, with or without emulation.",
    needs="cpu",
)
def no_cuda_no_bf16():
    assert torch.cuda.is_bf16_supported() is False
    assert torch.cuda.is_bf16_supported(including_emulation=False) is False


@claim(
    "bfloat16 also works on the CPU: the same model loads in bfloat16 there and gives finite logits.",
    needs="cpu",
)
def bf16_on_cpu():
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct", dtype=torch.bfloat16)
    with torch.no_grad():
        logits = model(torch.tensor([[1, 2, 3, 4]])).logits
    assert logits.dtype == torch.bfloat16
    assert torch.isfinite(logits).all().item()


@claim(
    "On a GPU of compute capability 8.0 or newer, `pick_dtype()` returns bfloat16 and the model is loaded on the GPU in bfloat16; "
    "on an older GPU it returns float16.",
    needs="gpu",
)
def gpu_choice(pick_dtype, model):
    capability = torch.cuda.get_device_capability()
    expected = torch.bfloat16 if capability >= (8, 0) else torch.float16
    assert pick_dtype() is expected
    assert {p.dtype for p in model.parameters()} == {expected}
    assert {p.device.type for p in model.parameters()} == {"cuda"}
    return (
        f"{torch.cuda.get_device_name()} (capability {capability[0]}.{capability[1]}): {expected}"
    )


@claim(
    "float16 overflows where bfloat16 does not: 70000 becomes `inf` in float16 (70144 in bfloat16), "
    "and a softmax over that `inf` gives `nan` everywhere."
)
def fp16_overflow():
    values = torch.tensor([70000.0, 1.0])
    assert torch.isinf(values.half()[0]).item()
    assert values.bfloat16()[0].item() == 70144.0
    assert torch.isnan(torch.softmax(values.half(), dim=0)).all().item()
    assert torch.isfinite(torch.softmax(values.bfloat16(), dim=0)).all().item()
