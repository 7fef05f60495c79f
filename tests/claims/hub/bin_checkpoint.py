import os

import torch

from kb.claims import claim


@claim(
    "`save_pretrained(..., safe_serialization=False)` still writes `model.safetensors` and no "
    "`.bin` file, silently: the argument is ignored."
)
def safe_serialization_ignored(log):
    files = sorted(os.listdir("qwen-saved"))
    assert files == ["config.json", "generation_config.json", "model.safetensors"]
    assert "safe_serialization" not in log


@claim(
    "A folder holding only `pytorch_model.bin` loads by default, with exactly the weights that "
    "were saved."
)
def bin_loads(model, from_bin):
    assert sorted(os.listdir("qwen-bin")) == ["config.json", "pytorch_model.bin"]
    a, b = model.state_dict(), from_bin.state_dict()
    assert list(a) == list(b)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert from_bin.dtype == torch.bfloat16


@claim(
    "Loading the `.bin` folder and calling `save_pretrained` converts it: the new "
    "`model.safetensors` holds the same tensors."
)
def converted(model):
    from safetensors.torch import load_file

    stored = load_file("qwen-converted/model.safetensors")
    state = model.state_dict()
    assert stored and all(torch.equal(state[k], v) for k, v in stored.items())
    assert set(state) - set(stored) <= {"lm_head.weight"}


@claim("transformers reads the `.bin` file with `torch.load(..., weights_only=True)`.")
def read_weights_only():
    from transformers import AutoModelForCausalLM

    calls = []
    original = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return original(*args, **kwargs)

    torch.load = spy
    try:
        AutoModelForCausalLM.from_pretrained("qwen-bin")
    finally:
        torch.load = original
    assert calls == [True], calls


@claim(
    "`use_safetensors=True` on a `.bin`-only folder raises `OSError: Error no file named "
    "model.safetensors found in directory qwen-bin.`"
)
def use_safetensors_refuses(message):
    assert message == "Error no file named model.safetensors found in directory qwen-bin."


@claim(
    "The reverse also fails: `use_safetensors=False` on a safetensors-only folder raises "
    "`OSError` naming both file names it looked for."
)
def reverse_fails():
    import pytest
    from transformers import AutoModelForCausalLM

    with pytest.raises(OSError) as info:
        AutoModelForCausalLM.from_pretrained("qwen-saved", use_safetensors=False)
    assert str(info.value) == (
        "Error no file named model.safetensors, or pytorch_model.bin, found in directory qwen-saved."
    )
