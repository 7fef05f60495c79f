import torch

from kb.claims import below, claim, log_records

TOLERANCE = 1e-4


@claim(
    "`model.config._attn_implementation` names the backend in force, and every attention layer shares it."
)
def backend_in_force(models):
    for backend, model in models.items():
        assert model.config._attn_implementation == backend
        for layer in model.model.layers:
            assert layer.self_attn.config._attn_implementation == backend


@claim(
    "In float32, `sdpa` and `eager` give the same logits up to rounding: the largest difference is far below 1e-4."
)
def sdpa_matches_eager(max_diff, logits):
    below(max_diff, TOLERANCE / 10)  # at least ten times under the tolerance
    assert torch.equal(logits["sdpa"].argmax(-1), logits["eager"].argmax(-1))
    return f"max |Δlogit| {max_diff:.1e}"


@claim("The two backends are different code paths: their logits are not bit-for-bit identical.")
def not_identical(logits):
    assert not torch.equal(logits["sdpa"], logits["eager"])


@claim(
    "Of the two, only `eager` returns attention weights: with `output_attentions=True`, `sdpa` gives "
    "none (and logs that it does not support them), `eager` gives one tensor per layer."
)
def attentions_need_eager(models, inputs):
    import logging

    with log_records("transformers") as records, torch.no_grad():
        sdpa = models["sdpa"](**inputs, output_attentions=True)
        eager = models["eager"](**inputs, output_attentions=True)
    messages = [r.getMessage() for r in records if r.levelno >= logging.WARNING]
    assert not sdpa.attentions
    notice = "`sdpa` attention does not support `output_attentions=True`."
    assert [m for m in messages if m.startswith(notice)]
    layers = len(models["eager"].model.layers)
    assert len(eager.attentions) == layers
    seq = inputs["input_ids"].shape[1]
    heads = models["eager"].config.num_attention_heads
    assert eager.attentions[0].shape == (1, heads, seq, seq)
