import os
import tempfile
from pathlib import Path

import torch

from kb.claims import claim

TIMEOUT = 300


def mapped_device(device_map, name):
    """The device a parameter or module name gets from a device map (longest matching key)."""
    keys = [k for k in device_map if k == "" or name == k or name.startswith(k + ".")]
    return device_map[max(keys, key=len)]


@claim(
    'With a CPU budget below the size of the weights, `device_map="auto"` keeps the embeddings '
    "and `lm_head` on the CPU and sends the last decoder blocks and the final norm to disk; "
    "`hf_device_map` says which module went where."
)
def split_cpu_disk(model, device_map, on_disk):
    assert set(device_map.values()) == {"cpu", "disk"}
    for name in ("transformer.wte", "transformer.wpe", "lm_head"):
        assert device_map[name] == "cpu", name
    assert device_map["transformer.ln_f"] == "disk"
    blocks = [
        mapped_device(device_map, f"transformer.h.{i}") for i in range(len(model.transformer.h))
    ]
    first_disk = blocks.index("disk")
    assert blocks[first_disk:] == ["disk"] * (len(blocks) - first_disk)
    assert set(blocks[:first_disk]) <= {"cpu"}
    assert on_disk == [k for k, v in device_map.items() if v == "disk"]
    assert all(k.count(".") <= 2 for k in device_map)  # whole decoder blocks, never parts of one
    return (
        f"decoder blocks {first_disk}-{len(blocks) - 1} of {len(blocks)} and the final norm on disk"
    )


@claim(
    'Parameters of modules mapped to "disk" are placeholders on the `meta` device; those mapped '
    'to "cpu" are real CPU tensors, and their bytes fit in the `max_memory` budget.'
)
def offloaded_on_meta(model, device_map, model_bytes):
    kept = 0
    for name, param in model.named_parameters():
        expected = "meta" if mapped_device(device_map, name) == "disk" else "cpu"
        assert param.device.type == expected, (name, param.device)
        if expected == "cpu":
            kept += param.numel() * param.element_size()
    budget = int(0.8 * model_bytes)
    assert 0 < kept <= budget
    return f"{kept:,} bytes kept in memory, budget {budget:,} bytes"


@claim(
    "For a safetensors checkpoint nothing is written to `offload_folder`: the offloaded weights "
    "are read in place from the checkpoint's `.safetensors` file."
)
def read_in_place(model):
    assert Path("offload").is_dir()
    assert os.listdir("offload") == []
    hook = model.transformer.ln_f._hf_hook
    entry = hook.weights_map.dataset.index["transformer.ln_f.weight"]
    source = Path(entry["safetensors_file"])
    assert source.name.endswith(".safetensors") and "snapshots" in source.parts
    assert source.is_file()
    return f"transformer.ln_f.weight read from {source.parent.parent.parent.name}/.../{source.name}"


@claim(
    "`offload_folder` is only required when weights must be re-saved: the same `device_map` loads "
    "a safetensors checkpoint without it, but a `.bin` checkpoint raises a `ValueError` asking for it."
)
def folder_needed_for_bin(model_id, device_map):
    import pytest
    from transformers import AutoModelForCausalLM

    AutoModelForCausalLM.from_pretrained(model_id, device_map=device_map)  # no offload_folder
    plain = AutoModelForCausalLM.from_pretrained(model_id)
    with tempfile.TemporaryDirectory() as bin_dir:
        plain.config.save_pretrained(bin_dir)
        torch.save(plain.state_dict(), os.path.join(bin_dir, "pytorch_model.bin"))
        with pytest.raises(ValueError) as raised:
            AutoModelForCausalLM.from_pretrained(bin_dir, device_map=device_map)
    assert str(raised.value).startswith(
        "The current `device_map` had weights offloaded to the disk, which needed to be re-saved. "
        "This is either because the weights are not in `safetensors` format"
    )
    assert str(raised.value).endswith(
        "Please provide an `offload_folder` for them in `from_pretrained`."
    )


@claim(
    "`generate` works with offloaded weights and gives exactly the tokens of the same model held "
    "entirely in memory; `model.device` is the CPU, where the embeddings are."
)
def generate_matches(model, model_id, inputs, output_ids):
    from transformers import AutoModelForCausalLM

    assert model.device == torch.device("cpu") == inputs["input_ids"].device
    in_memory = AutoModelForCausalLM.from_pretrained(model_id)
    assert not hasattr(in_memory, "hf_device_map")
    expected = in_memory.generate(**inputs, max_new_tokens=5, min_new_tokens=5, do_sample=False)
    assert torch.equal(output_ids, expected)


@claim(
    "A GPU that is not listed in `max_memory` gets nothing: on a machine with a GPU the same call "
    "still places the model on the CPU and the disk only.",
    needs="gpu",
)
def gpu_not_listed(model, device_map):
    assert torch.cuda.device_count() >= 1
    assert set(device_map.values()) == {"cpu", "disk"}
    assert {p.device.type for p in model.parameters()} == {"cpu", "meta"}
