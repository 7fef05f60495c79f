import functools
import importlib.util
import os
import subprocess
import sys

from kb.claims import claim

KERNELS_LINE = (
    "Failed to load CPU gemm_4bit_forward from kernels-community: No module named 'kernels'. "
    "Please make sure you already `pip install kernels` and the kernels >= 0.11.1"
)
NO_GPU_LINE = "No CUDA, ROCm, or XPU detected; CPU library loaded successfully."


def python(*args, env=None):
    done = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@functools.cache
def fresh_import():
    """A fresh `import bitsandbytes`, what this CPU supports, then the diagnostics that
    `python -m bitsandbytes` prints (its `__main__` calls `diagnostics.main.main()`)."""
    code = (
        "import bitsandbytes, bitsandbytes.functional as F, bitsandbytes.cextension as C;"
        "print(bool(F.has_avx512bf16()), C.BNB_BACKEND, type(C.lib).__name__, flush=True);"
        "from bitsandbytes.diagnostics.main import main; main()"
    )
    done = python("-c", code)
    first, *diagnostics = done.stdout.splitlines()
    avx512bf16, backend, library = first.split()
    return avx512bf16 == "True", backend, library, done.stderr, diagnostics


@claim(
    "On a CPU with AVX512-BF16 and without the `kernels` package, importing bitsandbytes 0.50.2 "
    "logs one warning, about its optional fused 4-bit kernel; on other CPUs it logs nothing.",
    needs="cpu",
)
def import_log_line():
    avx512bf16, _, _, stderr, _ = fresh_import()
    assert importlib.util.find_spec("kernels") is None
    expected = [KERNELS_LINE] if avx512bf16 else []
    assert stderr.splitlines() == expected, stderr
    return KERNELS_LINE if avx512bf16 else "(nothing: this CPU has no AVX512-BF16)"


@claim(
    "Without a GPU, bitsandbytes picks its CPU backend and loads its CPU library: no error, no "
    "mock library.",
    needs="cpu",
)
def cpu_library_loaded():
    _, backend, library, _, _ = fresh_import()
    assert (backend, library) == ("CPU", "BNBNativeLibrary")
    return f"backend {backend}, library {library}"


@claim(
    "`python -m bitsandbytes` on a machine without a GPU ends with `No CUDA, ROCm, or XPU "
    "detected; CPU library loaded successfully.` and exits with status 0.",
    needs="cpu",
)
def diagnostics_without_gpu():
    lines = fresh_import()[4]
    assert lines[0] == "=================== bitsandbytes v0.50.2 ==================="
    assert "  CUDA: N/A" in lines
    assert lines[-1] == NO_GPU_LINE
    return NO_GPU_LINE


@claim(
    "The 4-bit forward pass on the CPU logs nothing more and gives a bfloat16 result.",
)
def forward_is_quiet(layer, y, log):
    import torch

    assert layer.weight.dtype == torch.uint8
    assert y.dtype == torch.bfloat16 and tuple(y.shape) == (2, 32)
    assert "bitsandbytes" not in log and "Linear4bit" not in log, log


@claim(
    "On a CUDA machine, a `BNB_CUDA_VERSION` that names a library bitsandbytes does not ship "
    "makes the import log `bitsandbytes library load error: No compatible CUDA binary found at "
    ".../libbitsandbytes_cuda999.so` instead of failing.",
    needs="gpu",
)
def missing_cuda_library():
    done = python("-c", "import bitsandbytes", env={**os.environ, "BNB_CUDA_VERSION": "999"})
    assert "WARNING: BNB_CUDA_VERSION=999 environment variable detected" in done.stderr
    line = next(
        (x for x in done.stderr.splitlines() if x.startswith("bitsandbytes library load error:")),
        None,
    )
    assert line is not None, done.stderr[-2000:]
    assert line.startswith("bitsandbytes library load error: No compatible CUDA binary found at ")
    assert line.endswith("libbitsandbytes_cuda999.so")
    return line


@claim(
    "None of the old setup messages is left in bitsandbytes 0.50.2: its source holds neither "
    '"CUDA Setup failed despite", nor "compiled without GPU support", nor "Required library '
    'version not found".'
)
def old_messages_gone():
    import pathlib

    import bitsandbytes

    package = pathlib.Path(bitsandbytes.__file__).parent
    sources = sorted(package.rglob("*.py"))
    assert bitsandbytes.__version__ == "0.50.2" and len(sources) > 20
    text = "\n".join(path.read_text(encoding="utf-8") for path in sources)
    for old in (
        "CUDA Setup failed despite",
        "compiled without GPU support",
        "Required library version not found",
    ):
        assert old not in text, old
    assert "No compatible {BNB_BACKEND} binary found at" in text
    return f"checked {len(sources)} source files of bitsandbytes {bitsandbytes.__version__}"
