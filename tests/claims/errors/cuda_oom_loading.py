import re

import torch

from kb.claims import claim

# The GPU job reads the full-size 15 GB stand-in; the error comes before most of it is read.
TIMEOUT = 600


@claim(
    "Loading a model larger than the GPU's free memory raises `torch.OutOfMemoryError`, "
    "a subclass of `RuntimeError`, the same class as `torch.cuda.OutOfMemoryError`.",
    needs="gpu",
)
def raises_out_of_memory(error):
    assert type(error) is torch.OutOfMemoryError
    assert torch.OutOfMemoryError is torch.cuda.OutOfMemoryError
    assert isinstance(error, RuntimeError)


@claim(
    'Its message starts with "CUDA out of memory. Tried to allocate", names the GPU, the memory '
    "allowed to the process, and suggests `expandable_segments:True`.",
    needs="gpu",
)
def message_format(error):
    message = str(error)
    assert message.startswith("CUDA out of memory. Tried to allocate ")
    assert ". GPU 0 has a total capacity of " in message
    assert "4.00 GiB allowed; " in message
    assert "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True" in message
    return message[:160] + " ..."


@claim(
    "The first request is for (nearly) the whole model at once: transformers reserves the "
    "weights' total size on the GPU before it copies any of them, about 14.2 GiB here.",
    needs="gpu",
)
def whole_model_at_once(error):
    found = re.match(r"CUDA out of memory\. Tried to allocate ([\d.]+) GiB", str(error))
    assert found, str(error)[:120]
    requested = float(found.group(1))
    assert 12.5 < requested < 16, requested  # the bf16 weights are 14.19 GiB
    return f"Tried to allocate {requested:.2f} GiB"
