import torch

from kb.claims import claim


@claim(
    "`BatchEncoding.to(model.device)` moves every tensor the tokenizer returned (`input_ids` and "
    "`attention_mask`) to the model's device, and the forward pass runs there."
)
def all_inputs_moved(model, inputs, outputs):
    assert set(inputs.keys()) == {"input_ids", "attention_mask"}
    assert {v.device for v in inputs.values()} == {model.device}
    assert outputs.logits.device == model.device
    assert torch.isfinite(outputs.logits).all()


@claim("On a machine with a GPU, `model.device` is `cuda:0` and the inputs follow it.", needs="gpu")
def on_gpu(model, inputs):
    assert model.device == torch.device("cuda:0") == inputs["input_ids"].device


@claim("Without a GPU the same code runs on the CPU, unchanged.", needs="cpu")
def on_cpu(model, inputs):
    assert model.device == torch.device("cpu") == inputs["input_ids"].device


@claim(
    "A CPU cannot stand in for the GPU to show the mismatch: mixing a `meta` tensor with a CPU "
    "tensor raises a different message, `Tensor on device cpu is not on the expected device meta!`."
)
def meta_is_no_stand_in():
    import pytest

    with pytest.raises(RuntimeError) as raised:
        torch.ones(2, device="meta") + torch.ones(2)
    assert str(raised.value) == "Tensor on device cpu is not on the expected device meta!"
    assert "Expected all tensors to be on the same device" not in str(raised.value)
