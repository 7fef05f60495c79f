import torch

from kb.claims import below, claim


@claim(
    "Loaded with no `dtype`, Qwen2.5 comes back in bfloat16 on any device: the checkpoint's "
    'dtype (`"auto"`), the CPU included.'
)
def dtype_auto(model):
    assert model.dtype == torch.bfloat16
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}


@claim(
    'On a machine without a GPU, `device_map="auto"` keeps the whole model on the CPU, with '
    "no `hf_device_map` and no parameter on the meta device.",
    needs="cpu",
)
def one_device_cpu(model):
    assert str(model.device) == "cpu"
    assert not hasattr(model, "hf_device_map")
    assert not any(p.device.type == "meta" for p in model.parameters())


@claim(
    'With a GPU that fits it, `device_map="auto"` puts every weight on `cuda:0`.',
    needs="gpu",
)
def one_device_gpu(model):
    assert {str(p.device) for p in model.parameters()} == {"cuda:0"}
    assert not any(p.device.type == "meta" for p in model.parameters())


@claim(
    'An offloaded model shows it in three places: `"disk"` entries in `hf_device_map`, its '
    "offloaded parameters on the `meta` device, and an Accelerate `_hf_hook` on each offloaded "
    "module that fetches the weights for every forward pass."
)
def offload_signs(slow):
    assert "disk" in set(slow.hf_device_map.values())
    layer_params = list(slow.model.layers.parameters())
    assert layer_params and all(p.device.type == "meta" for p in layer_params)
    assert not slow.lm_head.weight.is_meta
    hooks = [m._hf_hook for m in slow.model.layers.modules() if hasattr(m, "_hf_hook")]
    assert any(getattr(h, "offload", False) for h in hooks)


@claim(
    "With the KV cache, the first forward pass reads the prompt and every later pass one "
    "token: for a prompt of n tokens and k new tokens, n + k - 1 token positions in all."
)
def cached_lengths(cached, inputs):
    n = inputs["input_ids"].shape[1]
    assert cached == [n] + [1] * 5
    assert sum(cached) == n + 6 - 1


@claim(
    "With `use_cache=False`, every pass runs the whole sequence again (n, n+1, ..., n+k-1): "
    "k·n + k(k-1)/2 positions, so the work per token grows with the length of the text."
)
def uncached_lengths(uncached, inputs):
    n = inputs["input_ids"].shape[1]
    assert uncached == [n + i for i in range(6)]
    assert sum(uncached) == 6 * n + 6 * 5 // 2


@claim(
    "The cache changes the cost, not the result: each step's next-token logits agree with "
    "and without it up to bfloat16 rounding, and the returned `DynamicCache` holds keys of "
    "shape (batch, key-value heads, positions, head size) for each layer."
)
def cache_contents(model, inputs):
    kwargs = dict(
        max_new_tokens=6,
        min_new_tokens=6,
        do_sample=False,
        output_logits=True,
        return_dict_in_generate=True,
    )
    with_cache = model.generate(**inputs, **kwargs)
    without = model.generate(**inputs, use_cache=False, **kwargs)
    n = inputs["input_ids"].shape[1]
    compared = 0
    for step, (a, b) in enumerate(zip(with_cache.logits, without.logits, strict=True)):
        if not torch.equal(with_cache.sequences[0, : n + step], without.sequences[0, : n + step]):
            break  # the prefixes differ from here on: nothing left to compare
        spread = b.float().std().item()
        below((a.float() - b.float()).abs().max().item(), 0.25 * spread)
        compared += 1
    assert compared >= 1
    cache = with_cache.past_key_values
    assert type(cache).__name__ == "DynamicCache"
    n = inputs["input_ids"].shape[1]
    config = model.config
    head_dim = config.hidden_size // config.num_attention_heads
    assert len(cache.layers) == config.num_hidden_layers
    for layer in cache.layers:
        assert tuple(layer.keys.shape) == (1, config.num_key_value_heads, n + 5, head_dim)
        assert layer.values.shape == layer.keys.shape


@claim(
    "The cache is on unless you turn it off per call or in `generation_config`: "
    "`config.use_cache` is True, `generation_config.use_cache` is unset, and even a model "
    "loaded with `use_cache=False` (as training code does) still uses it in `generate`."
)
def cache_default(model, model_id, inputs):
    from transformers import AutoModelForCausalLM

    assert model.config.use_cache is True
    assert model.generation_config.use_cache is None
    trained = AutoModelForCausalLM.from_pretrained(model_id, use_cache=False)
    assert trained.config.use_cache is False
    lengths = []
    hook = trained.register_forward_pre_hook(
        lambda module, args, kwargs: lengths.append(kwargs["input_ids"].shape[1]),
        with_kwargs=True,
    )
    try:
        trained.generate(**inputs, max_new_tokens=3, min_new_tokens=3, do_sample=False)
    finally:
        hook.remove()
    assert lengths[1:] == [1, 1]


@claim(
    "Qwen2.5 stops on either of its generation config's eos ids, `<|im_end|>` and "
    "`<|endoftext|>`; `generate` ends a reply at the first id of `eos_token_id` it produces, "
    "and with no eos id it always runs to `max_new_tokens`."
)
def eos_stops(model, inputs, tokenizer):
    assert tokenizer.convert_ids_to_tokens(model.generation_config.eos_token_id) == [
        "<|im_end|>",
        "<|endoftext|>",
    ]
    n = inputs["input_ids"].shape[1]
    kwargs = dict(max_new_tokens=12, do_sample=False)
    free = model.generate(**inputs, eos_token_id=None, **kwargs)
    assert free.shape[1] == n + 12
    stop_id = free[0, n + 3].item()
    stopped = model.generate(**inputs, eos_token_id=stop_id, **kwargs)[0, n:].tolist()
    assert stopped[-1] == stop_id and stop_id not in stopped[:-1]
    assert len(stopped) <= 4


@claim(
    "For timing, `do_sample=False` with `min_new_tokens` equal to `max_new_tokens` makes every "
    "run produce exactly that many tokens, even past an eos id."
)
def fixed_work(model, inputs):
    n = inputs["input_ids"].shape[1]
    kwargs = dict(max_new_tokens=12, do_sample=False)
    first = model.generate(**inputs, eos_token_id=None, **kwargs)[0, n].item()
    fixed = model.generate(**inputs, eos_token_id=first, min_new_tokens=12, **kwargs)
    assert fixed.shape[1] == n + 12
    early = model.generate(**inputs, eos_token_id=first, **kwargs)
    assert early.shape[1] == n + 1


@claim(
    "Without `device_map`, `from_pretrained` leaves the model on the CPU, on a machine with a "
    "GPU too: `model.device` is the first thing to check."
)
def no_device_map_is_cpu(model_id):
    from transformers import AutoModelForCausalLM

    plain = AutoModelForCausalLM.from_pretrained(model_id)
    assert str(plain.device) == "cpu"
    assert {p.device.type for p in plain.parameters()} == {"cpu"}


@claim(
    "`generate` already runs without gradients and the loaded model is in eval mode: wrapping "
    "the call in `torch.no_grad()` or calling `model.eval()` first changes nothing."
)
def already_no_grad(model, inputs):
    assert model.training is False
    assert torch.is_grad_enabled()
    out = model.generate(
        **inputs,
        max_new_tokens=2,
        do_sample=False,
        output_logits=True,
        return_dict_in_generate=True,
    )
    assert not out.logits[0].requires_grad
    assert out.logits[0].grad_fn is None
