import torch

from kb.claims import below, claim


@claim('`attn_implementation="sdpa"` at load time selects PyTorch\'s scaled-dot-product attention.')
def sdpa_at_load(output):
    assert output.splitlines()[0] == "sdpa"


@claim("Without `attn_implementation`, transformers picks `sdpa` for a model that supports it.")
def default_sdpa(default):
    assert default.config._attn_implementation == "sdpa"
    assert type(default)._supports_sdpa is True


@claim(
    "`set_attn_implementation` switches a loaded model's backend in place: config and every attention layer "
    "now use `eager` (which returns attention weights), and the outputs stay the same up to bfloat16 rounding."
)
def switch_at_runtime(model, default):
    assert model.config._attn_implementation == "eager"
    assert all(
        layer.self_attn.config._attn_implementation == "eager" for layer in model.model.layers
    )
    ids = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8]])
    with torch.no_grad():
        eager = model(ids).logits.float()
        sdpa = default(ids).logits.float()
    diff = (eager - sdpa).abs().max().item()
    bound = 4 * torch.finfo(torch.bfloat16).eps * sdpa.abs().max().item()  # four bfloat16 steps
    below(diff, bound)
    with torch.no_grad():
        attentions = model(ids, output_attentions=True).attentions
    assert len(attentions) == len(model.model.layers)
    return f"max |Δlogit| sdpa vs eager in bfloat16: {diff:.2e} (bound {bound:.2e})"


@claim(
    "`set_attn_implementation` validates like `from_pretrained`: an unknown name raises the same `ValueError` "
    "and leaves the backend unchanged."
)
def switch_validates(model):
    import pytest

    with pytest.raises(
        ValueError, match=r'^Specified `attn_implementation="sdpa2"` is not supported\.'
    ):
        model.set_attn_implementation("sdpa2")
    assert model.config._attn_implementation == "eager"


@claim(
    "An architecture without flex-attention support refuses `flex_attention` with a `ValueError`: "
    "gpt2 does."
)
def flex_refused_by_gpt2():
    import pytest
    from transformers import AutoModelForCausalLM

    with pytest.raises(ValueError) as info:
        AutoModelForCausalLM.from_pretrained("gpt2", attn_implementation="flex_attention")
    assert str(info.value).startswith(
        "GPT2LMHeadModel does not support an attention implementation through torch's flex_attention."
    )


@claim(
    "Without the `kernels` package, a Hub kernel reference such as `kernels-community/flash-attn2` "
    "raises an `ImportError` asking to install it.",
    needs="cpu",
)
def hub_kernel_needs_kernels(model_id):
    import importlib.util

    import pytest
    from transformers import AutoModelForCausalLM

    assert importlib.util.find_spec("kernels") is None
    with pytest.raises(ImportError) as info:
        AutoModelForCausalLM.from_pretrained(
            model_id, attn_implementation="kernels-community/flash-attn2"
        )
    assert str(info.value).startswith(
        "`kernels` is either not installed or uses an incompatible version."
    )
    return str(info.value)
