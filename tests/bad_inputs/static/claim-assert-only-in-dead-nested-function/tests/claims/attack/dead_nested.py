import torch

from kb.claims import claim


@claim("GPT-2 loads in float32.")
def loads_in_float32(model):
    def check():
        assert model.dtype == torch.float32

    return "checked"
