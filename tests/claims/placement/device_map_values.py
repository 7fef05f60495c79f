import os

import torch

from kb.claims import claim


@claim(
    'A device string, a `torch.device` and the dict `{"": device}` are the same placement: the '
    "whole model on that device, with no `hf_device_map`."
)
def single_device(output, model):
    assert output.splitlines() == ["cpu False"] * 3
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    assert not any(hasattr(m, "_hf_hook") for m in model.modules())


@claim(
    'Before placing anything, `from_pretrained` turns a single device into `{"": device}`: an int '
    'is a GPU index, `"cuda"` becomes `cuda:<LOCAL_RANK>` (so each process of a `torchrun` launch '
    "takes its own GPU), and a negative int is refused."
)
def normalised(model):
    import pytest
    from transformers.integrations.accelerate import check_and_set_device_map

    assert check_and_set_device_map("cpu") == {"": torch.device("cpu")}
    assert check_and_set_device_map(torch.device("cpu")) == {"": torch.device("cpu")}
    assert check_and_set_device_map(1) == {"": 1}
    assert check_and_set_device_map("auto") == "auto"
    old = os.environ.get("LOCAL_RANK")
    os.environ["LOCAL_RANK"] = "3"
    try:
        assert check_and_set_device_map("cuda") == {"": torch.device("cuda:3")}
    finally:
        if old is None:
            del os.environ["LOCAL_RANK"]
        else:
            os.environ["LOCAL_RANK"] = old
    with pytest.raises(ValueError, match=r"^You can't pass device_map as a negative int"):
        check_and_set_device_map(-1)
