from kb.claims import claim

# Loading the full-size 7B stand-in from disk takes minutes on the GPU job.
TIMEOUT = 600


@claim("The nf4 model's memory footprint is less than half of the same model in bfloat16.")
def under_half(ratio, bf16_bytes, nf4_bytes):
    assert ratio < 0.5
    return f"{nf4_bytes / 2**20:.2f} MiB vs {bf16_bytes / 2**20:.2f} MiB: {ratio:.0%}"


@claim(
    "At full size, Qwen2.5-Coder-7B-Instruct takes about 15.2 GB in bfloat16 and about 5.4 GB in nf4 (ratio 0.33 to 0.38).",
    needs="full",
)
def full_size_figures(ratio, bf16_bytes, nf4_bytes):
    assert 14.5e9 < bf16_bytes < 15.8e9
    assert 4.9e9 < nf4_bytes < 5.9e9
    assert 0.33 < ratio < 0.38
    return f"{nf4_bytes / 1e9:.2f} GB vs {bf16_bytes / 1e9:.2f} GB: {ratio:.0%}"


@claim(
    "Only the decoder Linear layers shrink: embeddings and `lm_head` take the same bytes in both models."
)
def only_linears_shrink(bf16_model, nf4_model):
    for name in ("lm_head",):
        a = getattr(bf16_model, name).weight
        b = getattr(nf4_model, name).weight
        assert a.numel() * a.element_size() == b.numel() * b.element_size()
    a = bf16_model.get_input_embeddings().weight
    b = nf4_model.get_input_embeddings().weight
    assert a.numel() * a.element_size() == b.numel() * b.element_size()


@claim(
    "`get_memory_footprint()` counts parameters and buffers only: the 4-bit quantization "
    "constants (absmax) are not in it."
)
def absmax_not_counted(nf4_model, nf4_bytes):
    import bitsandbytes as bnb

    tensors = list(nf4_model.parameters()) + list(nf4_model.buffers())
    assert nf4_bytes == sum(t.numel() * t.element_size() for t in tensors)
    absmax = sum(
        m.weight.quant_state.absmax.numel() * m.weight.quant_state.absmax.element_size()
        for m in nf4_model.modules()
        if isinstance(m, bnb.nn.Linear4bit)
    )
    assert absmax > 0
    return f"{absmax:,} bytes of absmax left out"
