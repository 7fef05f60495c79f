import os
import subprocess
import sys

import torch

from kb.claims import claim

PINS = {
    "transformers": "5.23.0",
    "accelerate": "1.15.0",
    "peft": "0.21.2",
    "bitsandbytes": "0.50.2",
    "trl": "1.16.0",
    "datasets": "5.2.0",
}
KERNELS_LINE = "Failed to load CPU gemm_4bit_forward from kernels-community"


@claim("The libraries report the versions this site pins and checks its snippets with.")
def pinned_versions():
    from importlib.metadata import version

    found = {name: version(name) for name in PINS}
    assert found == PINS
    assert version("torch").split("+")[0] == "2.13.0"


@claim(
    "The CPU wheel of torch names itself `2.13.0+cpu` and was built without CUDA: "
    "`torch.version.cuda` is None and `torch.cuda.is_available()` is False.",
    needs="cpu",
)
def cpu_wheel(output):
    from importlib.metadata import version

    lines = output.splitlines()
    assert lines[0] == "torch 2.13.0+cpu"
    assert version("torch") == "2.13.0+cpu" == torch.__version__
    assert torch.version.cuda is None
    assert torch.cuda.is_available() is False
    assert lines[7] == "CUDA available: False | torch built with CUDA: None"


@claim(
    "With a CUDA build on a GPU machine, `torch.cuda.is_available()` is True and "
    "`torch.version.cuda` names the CUDA version.",
    needs="gpu",
)
def cuda_wheel():
    assert torch.cuda.is_available() is True
    assert isinstance(torch.version.cuda, str) and torch.version.cuda[:2].isdigit()
    return f"CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}"


@claim(
    'Without a GPU, `device_map="auto"` puts the whole model on the CPU, in the checkpoint\'s '
    "own dtype (float32 for gpt2), and a forward pass gives finite logits.",
    needs="cpu",
)
def loads_on_cpu(model, logits, output):
    assert output.splitlines()[8] == "cpu torch.float32"
    assert model.device.type == "cpu"
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    assert not hasattr(model, "hf_device_map")
    assert model.dtype == torch.float32
    assert torch.isfinite(logits).all()


@claim("On a GPU, the same call puts the model on `cuda:0`.", needs="gpu")
def loads_on_gpu(model, model_4bit):
    assert str(model.device) == "cuda:0"
    assert str(model_4bit.device) == "cuda:0"


@claim(
    "bitsandbytes runs 4-bit layers on the CPU: gpt2's projections became `Linear4bit` with "
    "packed `uint8` weights, on the CPU, and the forward pass gives finite logits.",
    needs="cpu",
)
def four_bit_on_cpu(model_4bit, logits_4bit, output):
    import bitsandbytes as bnb

    assert output.splitlines()[9] == "cpu Linear4bit"
    layers = [m for m in model_4bit.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert len(layers) == 4 * model_4bit.config.n_layer
    assert {m.weight.dtype for m in layers} == {torch.uint8}
    assert {p.device.type for p in model_4bit.parameters()} == {"cpu"}
    assert torch.isfinite(logits_4bit).all()


@claim(
    "On a CPU with AVX512-BF16 instructions, importing bitsandbytes 0.50.2 without the "
    "optional `kernels` package logs `Failed to load CPU gemm_4bit_forward from "
    "kernels-community: ...`; on other CPUs it logs nothing. 4-bit layers run either way.",
    needs="cpu",
)
def kernels_warning():
    from bitsandbytes.functional import has_avx512bf16

    try:
        import kernels  # noqa: F401 - the optional package bitsandbytes looks for

        kernels_installed = True
    except ImportError:
        kernels_installed = False

    run = subprocess.run(
        [sys.executable, "-c", "import bitsandbytes"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, HF_HUB_OFFLINE="1"),
    )
    assert run.returncode == 0, run.stderr
    logged = [line for line in run.stderr.splitlines() if line.startswith(KERNELS_LINE)]
    expected = has_avx512bf16() and not kernels_installed
    assert bool(logged) == expected, run.stderr
    if logged:
        assert logged[0] == (
            "Failed to load CPU gemm_4bit_forward from kernels-community: No module named "
            "'kernels'. Please make sure you already `pip install kernels` and the "
            "kernels >= 0.11.1"
        )
        return logged[0]
    return "this CPU has no AVX512-BF16 (or kernels is installed): nothing logged"
