import torch

from kb.claims import claim


@claim(
    "`del model` is not enough while anything else refers to the model: the pipeline keeps it "
    "alive through `gc.collect()` and `torch.cuda.empty_cache()`."
)
def pipeline_keeps_it(output):
    assert output.split() == ["False", "True"]


@claim("Once the last reference is gone, the model is collected: its weakref is dead.")
def collected(model_ref):
    assert model_ref() is None


@claim(
    "`torch.cuda.empty_cache()` is safe without a GPU: with CUDA never initialized it does nothing, "
    "and `torch.cuda.memory_allocated()` returns 0.",
    needs="cpu",
)
def empty_cache_without_cuda(allocated_in_use, allocated_after):
    assert not torch.cuda.is_available()
    assert not torch.cuda.is_initialized()
    assert allocated_in_use == allocated_after == 0
    torch.cuda.empty_cache()
    assert not torch.cuda.is_initialized()


@claim(
    "On a GPU, `torch.cuda.memory_allocated()` drops by at least the model's whole footprint once "
    "the last reference is gone.",
    needs="gpu",
)
def gpu_memory_released(allocated_in_use, allocated_after, footprint):
    assert allocated_in_use >= footprint > 0
    assert allocated_in_use - allocated_after >= footprint
    return (
        f"{allocated_in_use / 2**20:.0f} MiB allocated in use, {allocated_after / 2**20:.0f} MiB "
        f"after; the model's footprint is {footprint / 2**20:.0f} MiB"
    )
