import json
from pathlib import Path

import torch

from kb.claims import claim


@claim(
    "Casting a plain model after loading works: `.to(torch.bfloat16)` leaves every parameter in bfloat16, "
    "equal to a direct bfloat16 load."
)
def cast_matches_direct(direct, cast):
    assert {p.dtype for p in cast.parameters()} == {torch.bfloat16}
    for (name, a), (_, b) in zip(direct.named_parameters(), cast.named_parameters(), strict=True):
        assert torch.equal(a, b), name


@claim(
    "`.to()` also casts the float32 rotary buffers that `dtype=` leaves alone, so the two models are not "
    "numerically identical."
)
def buffers_differ(direct, cast):
    assert {b.dtype for b in direct.buffers()} == {torch.float32}
    assert {b.dtype for b in cast.buffers()} == {torch.bfloat16}
    ids = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8]])
    with torch.no_grad():
        diff = (direct(ids).logits.float() - cast(ids).logits.float()).abs().max().item()
    assert diff > 0
    return f"max |Δlogit| {diff:.2e}"


@claim(
    "After `.to()`, `config.dtype` still says float32: the cast does not update it, so read `model.dtype` instead."
)
def config_stale(output, cast):
    lines = output.splitlines()
    assert lines[2] == "torch.bfloat16 torch.float32"  # direct.config.dtype, cast.config.dtype
    assert cast.dtype == torch.bfloat16


@claim(
    "`save_pretrained` writes the dtype of the weights, bfloat16, into the saved config.json, and on the way "
    "replaces `config.dtype` with the string `'bfloat16'` (no longer a `torch.dtype`)."
)
def saved_dtype(cast):
    saved = json.loads(Path("qwen-bf16/config.json").read_text())
    assert saved["dtype"] == "bfloat16"
    assert cast.config.dtype == "bfloat16"
    assert cast.config.dtype != torch.bfloat16
    return f'"dtype": "{saved["dtype"]}"'


@claim(
    "A model with modules offloaded to disk cannot be cast after loading: `.to(torch.float32)` raises "
    "`RuntimeError: You can't move a model that has some modules offloaded to cpu or disk.`"
)
def offloaded_refuses_cast(model_id):
    import pytest
    from transformers import AutoModelForCausalLM

    offloaded = AutoModelForCausalLM.from_pretrained(
        model_id, device_map={"": "disk"}, offload_folder="offload"
    )
    assert offloaded.hf_device_map == {"": "disk"}
    with pytest.raises(RuntimeError) as info:
        offloaded.to(torch.float32)
    assert (
        str(info.value) == "You can't move a model that has some modules offloaded to cpu or disk."
    )
