import re

import torch
from safetensors.torch import load_file

from kb.claims import claim


@claim(
    "`hf_hub_download` returns a path inside `snapshots/<commit>/`, the folder name is a full "
    "40-character hexadecimal commit hash, and the cache's `refs/main` holds that same hash."
)
def revision_is_commit(revision, config_path):
    assert re.fullmatch(r"[0-9a-f]{40}", revision)
    assert config_path.parent.parent.name == "snapshots"
    assert config_path.is_file()
    repo_dir = config_path.parents[2]
    assert repo_dir.name == "models--Qwen--Qwen2.5-0.5B-Instruct"
    assert (repo_dir / "refs" / "main").read_text() == revision


@claim(
    'The commit is the one `main` points to now: `huggingface_hub.resolve_revision(model_id, revision="main")` '
    "resolves to the same hash."
)
def main_resolves_to_it(model_id, revision):
    from huggingface_hub import resolve_revision

    resolved = resolve_revision(model_id, revision="main")
    assert resolved.resolved == revision


@claim(
    "The weights the model holds are exactly the tensors stored in that commit's "
    "`model.safetensors`."
)
def weights_from_that_commit(model, config_path):
    import json

    folder = config_path.parent
    index = folder / "model.safetensors.index.json"
    shards = (
        sorted(set(json.loads(index.read_text())["weight_map"].values()))
        if index.exists()
        else ["model.safetensors"]
    )
    stored = {}
    for shard in shards:
        stored.update(load_file(folder / shard))
    state = model.state_dict()
    assert set(stored) <= set(state)
    assert all(torch.equal(state[name], tensor) for name, tensor in stored.items())


@claim(
    "The tokenizer comes from the same commit: its vocabulary is that of the snapshot's "
    "`tokenizer.json`, and its special tokens match the model's config."
)
def tokenizer_from_that_commit(tokenizer, model, config_path):
    import json

    data = json.loads((config_path.parent / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = dict(data["model"]["vocab"])
    vocab.update({t["content"]: t["id"] for t in data["added_tokens"]})
    assert tokenizer.get_vocab() == vocab
    assert tokenizer.eos_token_id == model.config.eos_token_id


@claim(
    "In transformers 5.23 the config does not record the commit: `config._commit_hash`, which "
    "older releases set, raises `AttributeError`, and `model.name_or_path` is the model id."
)
def no_commit_hash(model, model_id):
    import pytest

    with pytest.raises(AttributeError, match="_commit_hash"):
        model.config._commit_hash  # noqa: B018
    assert model.name_or_path == model_id
    assert model.config._name_or_path == model_id


@claim(
    "The same call with a revision the cache does not hold fails offline instead of falling "
    "back to another commit (`OSError`)."
)
def other_revision_fails(model_id):
    import pytest
    from transformers import AutoModelForCausalLM

    with pytest.raises(OSError, match="^We couldn't connect to 'https://huggingface.co'"):
        AutoModelForCausalLM.from_pretrained(model_id, revision="0" * 40)
