import torch

from kb.claims import claim


@claim(
    "Without `max_memory`, the budget lists every visible GPU by index, in order, then the CPU; "
    "each GPU's figure is its free memory, never more than the card holds.",
    needs="gpu",
)
def gpu_budget(n_gpus, budget):
    assert n_gpus >= 1
    assert list(budget) == [*range(n_gpus), "cpu"]
    for i in range(n_gpus):
        assert 0 < budget[i] <= torch.cuda.get_device_properties(i).total_memory
        assert abs(budget[i] - torch.cuda.mem_get_info(i)[0]) < 2**29  # free now, within 512 MiB
    return f"{n_gpus} GPU(s); GPU 0: {budget[0] / 2**30:.1f} GiB free"


@claim(
    'On a machine without a GPU the count is 0 and the budget holds only `"cpu"`, so every '
    "strategy places the whole model on the CPU.",
    needs="cpu",
)
def cpu_budget(n_gpus, budget):
    assert n_gpus == 0
    assert list(budget) == ["cpu"]
    assert budget["cpu"] > 0
