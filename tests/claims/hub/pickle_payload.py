import os
import pickle

import torch

from kb.claims import claim


@claim(
    "`from_pretrained` refuses the tampered `.bin` with `pickle.UnpicklingError` "
    '("Weights only load failed ... unsupported GLOBAL posix.mkdir"), naming the function '
    "the file tried to call, and the payload does not run."
)
def transformers_refuses(refusal, model):
    assert refusal.startswith("Weights only load failed.")
    assert "unsupported GLOBAL" in refusal
    assert "mkdir" in refusal
    assert "can result in arbitrary code execution" in refusal
    # the first check in the snippet ran before the unsafe load: re-check it on a fresh copy
    state = dict(model.state_dict())

    class Payload:
        def __reduce__(self):
            return (os.mkdir, ("payload-ran-again",))

    state["extra"] = Payload()
    os.makedirs("tampered-again", exist_ok=True)
    model.config.save_pretrained("tampered-again")
    torch.save(state, "tampered-again/pytorch_model.bin")
    from transformers import AutoModelForCausalLM

    try:
        AutoModelForCausalLM.from_pretrained("tampered-again")
    except pickle.UnpicklingError:
        pass
    else:
        raise AssertionError("the tampered checkpoint loaded")
    assert not os.path.exists("payload-ran-again")


@claim(
    "transformers reads a `.bin` checkpoint with `torch.load(..., weights_only=True)`, "
    "whatever the file holds."
)
def weights_only_true():
    from transformers import AutoModelForCausalLM

    calls = []
    original = torch.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("weights_only"))
        return original(*args, **kwargs)

    torch.load = spy
    try:
        AutoModelForCausalLM.from_pretrained("tampered")
    except pickle.UnpicklingError:
        pass
    finally:
        torch.load = original
    assert calls == [True], calls


@claim(
    "A plain `torch.load(path)` with no `weights_only` argument refuses the file too: since "
    "PyTorch 2.6 the default is `weights_only=True`."
)
def torch_default_refuses():
    import pytest

    with pytest.raises(pickle.UnpicklingError, match="^Weights only load failed"):
        torch.load("tampered/pytorch_model.bin")


@claim(
    "`torch.load(..., weights_only=False)` on the same file executes the payload: "
    "the folder it creates exists afterwards."
)
def unsafe_load_runs_code():
    assert os.path.isdir("payload-ran")


@claim(
    "Every entry of a safetensors header is only a dtype, a shape and byte offsets, and the "
    "offsets cover the rest of the file exactly."
)
def header_is_data(header, header_length):
    entries = {k: v for k, v in header.items() if k != "__metadata__"}
    assert all(set(v) == {"dtype", "shape", "data_offsets"} for v in entries.values())
    assert all(isinstance(v, str) for v in header.get("__metadata__", {}).values())
    spans = sorted(v["data_offsets"] for v in entries.values())
    assert spans[0][0] == 0
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    size = os.path.getsize("safe/model.safetensors")
    assert 8 + header_length + spans[-1][1] == size
    assert header["transformer.wte.weight"]["dtype"] == "F32"
