import torch
from safetensors import safe_open

from kb.claims import claim


def _shard_contents(folder, shards):
    contents = {}
    for shard in shards:
        with safe_open(folder / shard, framework="pt") as f:
            contents[shard] = {k: f.get_tensor(k) for k in f.keys()}
    return contents


@claim(
    "With a shard limit below the model's size, `save_pretrained` writes numbered "
    "`model-0000k-of-0000n.safetensors` shards plus `model.safetensors.index.json`, and no "
    "single `model.safetensors` or `.bin` file."
)
def shard_files(folder, shards):
    names = sorted(p.name for p in folder.iterdir())
    n = len(shards)
    assert n > 1
    assert shards == [f"model-{i:05d}-of-{n:05d}.safetensors" for i in range(1, n + 1)]
    assert "model.safetensors.index.json" in names
    assert "model.safetensors" not in names
    assert not any(name.endswith(".bin") for name in names)
    return f"{n} shards"


@claim(
    "The index's `weight_map` names every stored tensor exactly once, with the shard file "
    "that holds it."
)
def weight_map_is_exact(folder, shards, weight_map):
    contents = _shard_contents(folder, shards)
    located = {name: shard for shard, tensors in contents.items() for name in tensors}
    assert located == weight_map


@claim(
    "`metadata.total_size` is the sum of the stored tensors' bytes (numel × element size), "
    "and `metadata.total_parameters` is the model's parameter count: for this bfloat16 "
    "checkpoint, `total_size` is exactly twice `total_parameters`."
)
def total_size_is_bytes(folder, shards, index, model):
    contents = _shard_contents(folder, shards)
    size = sum(t.numel() * t.element_size() for ts in contents.values() for t in ts.values())
    assert index["metadata"]["total_size"] == size
    assert index["metadata"]["total_parameters"] == model.num_parameters()
    assert index["metadata"]["total_size"] == 2 * index["metadata"]["total_parameters"]


@claim(
    "Each shard holds at most `max_shard_size` bytes of tensors, unless one tensor alone is larger."
)
def shards_respect_limit(folder, shards, weight_bytes):
    limit = weight_bytes // 4
    for tensors in _shard_contents(folder, shards).values():
        size = sum(t.numel() * t.element_size() for t in tensors.values())
        assert size <= limit or len(tensors) == 1, (size, limit)


@claim(
    "Tied weights are stored once: Qwen2.5-0.5B ties `lm_head` to the embeddings, so "
    "`lm_head.weight` is not in the checkpoint, and after loading both share one tensor."
)
def tied_once(weight_map, reloaded):
    assert "lm_head.weight" not in weight_map
    assert "model.embed_tokens.weight" in weight_map
    assert reloaded.lm_head.weight.data_ptr() == reloaded.model.embed_tokens.weight.data_ptr()


@claim(
    "`safe_open` reports each tensor's dtype and shape from the file header, and they match "
    "the loaded model's parameters."
)
def header_matches_model(folder, shards, reloaded):
    params = dict(reloaded.named_parameters(remove_duplicate=False))
    dtype_names = {torch.bfloat16: "BF16", torch.float32: "F32", torch.float16: "F16"}
    for shard in shards:
        with safe_open(folder / shard, framework="pt") as f:
            for name in f.keys():
                view = f.get_slice(name)
                assert view.get_dtype() == dtype_names[params[name].dtype]
                assert list(view.get_shape()) == list(params[name].shape)


@claim(
    "Loading the sharded folder gives back identical weights: same tensor names, same "
    "values, same dtype."
)
def reload_identical(model, reloaded, same):
    assert same is True
    a, b = model.state_dict(), reloaded.state_dict()
    assert list(a) == list(b)
    assert all(torch.equal(a[k], b[k]) and a[k].dtype == b[k].dtype for k in a)
    assert type(reloaded).__name__ == "Qwen2ForCausalLM"
