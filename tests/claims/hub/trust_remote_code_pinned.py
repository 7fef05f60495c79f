import os
import re
import sys
from pathlib import Path

import torch

from kb.claims import claim

# At full size (the GPU job) this loads a 7B checkpoint from disk, and compares it.
TIMEOUT = 600

PACKAGE = "transformers_modules.internlm.internlm2_5_hyphen_7b_hyphen_chat"


def _stored_tensors(folder):
    """Every tensor of a snapshot's safetensors weights, sharded or not."""
    import json

    from safetensors.torch import load_file

    index = folder / "model.safetensors.index.json"
    if index.exists():
        shards = sorted(set(json.loads(index.read_text())["weight_map"].values()))
    else:
        shards = ["model.safetensors"]
    stored = {}
    for shard in shards:
        stored.update(load_file(folder / shard))
    return stored


@claim(
    "`snapshot_download` returns the snapshot folder of one commit, and its name is the "
    "40-character commit hash passed as `revision`."
)
def revision_is_commit(code_dir, revision):
    assert re.fullmatch(r"[0-9a-f]{40}", revision)
    assert code_dir.parent.name == "snapshots"
    assert (code_dir / "modeling_internlm2.py").is_file()


@claim(
    "With `trust_remote_code=True` the model class is the repository's own: its module is "
    "`transformers_modules.internlm.internlm2_5_hyphen_7b_hyphen_chat.<commit>.modeling_internlm2`, "
    "the commit being the pinned revision."
)
def class_from_repo(model, revision):
    assert type(model).__name__ == "InternLM2ForCausalLM"
    assert type(model).__module__ == f"{PACKAGE}.{revision}.modeling_internlm2"
    assert type(model.config).__module__ == f"{PACKAGE}.{revision}.configuration_internlm2"


@claim(
    "The repository's `.py` files are copied to "
    "`HF_MODULES_CACHE/transformers_modules/<org>/<name>/<commit>/` (`HF_MODULES_CACHE` "
    "defaults to `$HF_HOME/modules`), and the file that runs is byte-for-byte the one in the "
    "commit's snapshot folder."
)
def code_copied_from_snapshot(model, code_dir, revision):
    from huggingface_hub import constants
    from transformers.utils.hub import HF_MODULES_CACHE

    expected_root = os.environ.get("HF_MODULES_CACHE", os.path.join(constants.HF_HOME, "modules"))
    assert HF_MODULES_CACHE == expected_root
    folder = (
        Path(HF_MODULES_CACHE)
        / "transformers_modules"
        / "internlm"
        / "internlm2_5_hyphen_7b_hyphen_chat"
        / revision
    )
    running = Path(sys.modules[type(model).__module__].__file__)
    assert running == folder / "modeling_internlm2.py"
    for name in ("modeling_internlm2.py", "configuration_internlm2.py"):
        assert (folder / name).read_bytes() == (code_dir / name).read_bytes()


@claim(
    "The weights come from the same commit: every tensor of the snapshot's "
    "`model.safetensors` equals the loaded parameter."
)
def weights_same_commit(model, code_dir):
    stored = _stored_tensors(code_dir)
    state = model.state_dict()
    assert set(stored) == set(state)
    assert all(torch.equal(state[k], v) for k, v in stored.items())


@claim("`auto_map` in `config.json` names the module file and class each Auto class will run.")
def auto_map_names_code(auto_map, code_dir):
    assert auto_map["AutoModelForCausalLM"] == "modeling_internlm2.InternLM2ForCausalLM"
    assert auto_map["AutoConfig"] == "configuration_internlm2.InternLM2Config"
    for ref in auto_map.values():
        assert (code_dir / (ref.split(".")[0] + ".py")).is_file()
