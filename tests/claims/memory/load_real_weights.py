import torch

from kb.claims import claim

# The GPU job loads the full-size 15 GB stand-in into CPU memory.
TIMEOUT = 600


@claim(
    'A model from `from_pretrained` has no tensor left on the meta device, so `.to("cpu")` works.'
)
def no_meta_left(model):
    tensors = list(model.parameters()) + list(model.buffers())
    assert tensors and not any(t.is_meta for t in tensors)
    assert {t.device.type for t in tensors} == {"cpu"}


@claim("Its rotary-embedding buffers hold the computed frequencies, starting at 1.0.")
def buffers_are_real(model):
    inv_freq = model.model.rotary_emb.inv_freq
    assert inv_freq[0].item() == 1.0
    assert torch.all(inv_freq[1:] < inv_freq[:-1])
