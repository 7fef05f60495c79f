import torch
from transformers import AutoModelForCausalLM

# One device, written three ways: the whole model goes there, with no hooks and no hf_device_map.
for device_map in ("cpu", torch.device("cpu"), {"": "cpu"}):
    model = AutoModelForCausalLM.from_pretrained("gpt2", device_map=device_map)
    print(model.device, hasattr(model, "hf_device_map"))
    #> cpu False
    #> cpu False
    #> cpu False
