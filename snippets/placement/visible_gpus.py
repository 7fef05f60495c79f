import torch
from accelerate.utils import get_max_memory

n_gpus = torch.cuda.device_count()  # the GPUs this process can see (CUDA_VISIBLE_DEVICES)
print(n_gpus)
#> 0

# The starting budget of device_map="auto" without max_memory: free bytes per GPU, then the CPU.
budget = get_max_memory()
print([device for device in budget])
#> ['cpu']
