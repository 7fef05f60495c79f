import torch

from kb.claims import claim


@claim(
    "`get_memory_footprint()` is exactly the bytes of the parameters plus the bytes of the "
    "buffers (numel × element size); `return_buffers=False` leaves the buffers out."
)
def parameters_plus_buffers(model, footprint, weights_only, nbytes):
    assert footprint == nbytes(model.parameters()) + nbytes(model.buffers())
    assert weights_only == nbytes(model.parameters())
    buffers = dict(model.named_buffers())
    assert buffers and all(b.dtype == torch.float32 for b in buffers.values())
    return f"{footprint:,} bytes, of which {footprint - weights_only:,} in buffers ({', '.join(buffers)})"


@claim(
    "A tied weight is counted once: Qwen2.5-0.5B-Instruct's `lm_head` shares the embedding "
    "matrix, and the footprint holds it once."
)
def tied_counted_once(model, weights_only):
    assert model.lm_head.weight is model.get_input_embeddings().weight
    assert weights_only == 2 * model.num_parameters()
    every_module = sum(
        p.numel() * p.element_size() for m in model.modules() for p in m.parameters(recurse=False)
    )
    assert every_module - weights_only == model.lm_head.weight.numel() * 2


@claim(
    "The KV cache is not in it: after a forward pass with `use_cache=True` the footprint is "
    "unchanged while the cache holds 2 × layers × KV heads × head size × tokens × 2 bytes."
)
def kv_cache_outside(model, cache, inputs, footprint):
    cfg = model.config
    head_dim = cfg.hidden_size // cfg.num_attention_heads
    tokens = inputs["input_ids"].shape[1]
    assert cache == 2 * cfg.num_hidden_layers * cfg.num_key_value_heads * head_dim * tokens * 2
    assert model.get_memory_footprint() == footprint
    return f"{cache:,} bytes of cache for {tokens} tokens"


@claim(
    "Gradients are not in it: after `backward()` every parameter holds a gradient of its own "
    "size, as many bytes again as the weights."
)
def gradients_outside(model, grads, weights_only):
    assert all(p.grad is not None for p in model.parameters())
    assert grads == weights_only
    return f"{grads:,} bytes of gradients"


@claim(
    "Optimizer state is not in it: AdamW keeps two moments per parameter (in the parameters' "
    "bfloat16 here) plus a float32 step count per tensor, twice the weights' bytes and a little "
    "more."
)
def optimizer_state_outside(model, optimizer, adam_state, weights_only, footprint):
    params = list(model.parameters())
    assert adam_state == 2 * weights_only + 4 * len(params)
    state = optimizer.state[params[0]]
    assert state["exp_avg"].dtype == state["exp_avg_sq"].dtype == params[0].dtype
    assert model.get_memory_footprint() == footprint
    return f"{adam_state:,} bytes of AdamW state for {weights_only:,} bytes of weights"


@claim(
    "On a GPU, the memory PyTorch has allocated is larger than the footprint: at least the "
    "footprint plus gradients, optimizer state and KV cache, and the caching allocator reserves "
    "more again.",
    needs="gpu",
)
def allocator_holds_more(footprint, grads, adam_state, cache):
    allocated = torch.cuda.memory_allocated()
    reserved = torch.cuda.memory_reserved()
    assert allocated >= footprint + grads + adam_state + cache
    assert reserved >= allocated
    return (
        f"footprint {footprint / 2**30:.2f} GiB, allocated {allocated / 2**30:.2f} GiB, "
        f"reserved {reserved / 2**30:.2f} GiB"
    )


@claim(
    "Offloaded parameters are counted too: with the decoder blocks offloaded to disk, their "
    "parameters sit on the meta device and the footprint is the same."
)
def offloaded_counted(model_id, weights_only):
    from transformers import AutoModelForCausalLM

    offloaded = AutoModelForCausalLM.from_pretrained(
        model_id,
        device_map={
            "model.embed_tokens": "cpu",
            "model.layers": "disk",
            "model.norm": "cpu",
            "model.rotary_emb": "cpu",
            "lm_head": "cpu",
        },
        dtype=torch.bfloat16,
    )
    assert {p.device.type for p in offloaded.model.layers.parameters()} == {"meta"}
    assert offloaded.get_memory_footprint(return_buffers=False) == weights_only
