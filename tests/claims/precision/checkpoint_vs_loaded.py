import json
from pathlib import Path

import torch

from kb.claims import claim


@claim(
    "The checkpoint declares bfloat16 in its config, and every tensor in its safetensors file is stored as BF16."
)
def stored_bf16(config, stored, weights_file):
    assert config.dtype == torch.bfloat16
    assert stored == {"BF16"}
    raw = json.loads((Path(weights_file).parent / "config.json").read_text())
    declared = raw.get("dtype", raw.get("torch_dtype"))
    assert declared == "bfloat16"
    return f"config.json: {declared!r}"


@claim(
    'With no `dtype` argument (the default, `"auto"`), the model comes back in the stored dtype: every parameter is bfloat16.'
)
def default_keeps_stored(default):
    assert default.dtype == torch.bfloat16
    assert {p.dtype for p in default.parameters()} == {torch.bfloat16}
    assert default.config.dtype == torch.bfloat16


@claim(
    "`dtype=torch.float32` upcasts every parameter while loading, which takes exactly twice the bytes of the bfloat16 load."
)
def upcast_doubles_bytes(default, upcast):
    assert {p.dtype for p in upcast.parameters()} == {torch.float32}

    def nbytes(model):
        return sum(p.numel() * p.element_size() for p in model.parameters())

    assert nbytes(upcast) == 2 * nbytes(default)
    return f"{nbytes(default):,} bytes in bfloat16, {nbytes(upcast):,} in float32"


@claim("Upcasting a bfloat16 checkpoint to float32 is exact: no value changes.")
def upcast_is_exact(default, upcast):
    for (name, a), (_, b) in zip(
        default.named_parameters(), upcast.named_parameters(), strict=True
    ):
        assert torch.equal(a.float(), b), name
