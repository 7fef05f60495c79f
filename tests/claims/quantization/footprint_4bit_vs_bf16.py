from kb.claims import claim

# Loading the full-size 7B stand-in from disk takes minutes on the GPU job.
TIMEOUT = 600


@claim(
    "Loaded in nf4, the decoder Linear layers take exactly a quarter of their bfloat16 bytes; "
    "everything else takes the same bytes, so the whole model shrinks by three quarters of its "
    "Linear layers' share."
)
def linears_quarter(bf16_model, nf4_model, bf16_bytes, nf4_bytes, ratio):
    import bitsandbytes as bnb

    quantized = {n for n, m in nf4_model.named_modules() if isinstance(m, bnb.nn.Linear4bit)}
    assert quantized
    linear_bf16 = sum(
        m.weight.numel() * m.weight.element_size()
        for n, m in bf16_model.named_modules()
        if n in quantized
    )
    assert bf16_bytes - nf4_bytes == linear_bf16 * 3 // 4
    return (
        f"{nf4_bytes / 2**20:.2f} MiB vs {bf16_bytes / 2**20:.2f} MiB on the scaled-down "
        f"stand-in ({ratio:.0%}; its embeddings weigh relatively more than at full size)"
    )


@claim(
    "By its real config, Qwen2.5-Coder-7B-Instruct has about 7.6 billion parameters, so about "
    "15.2 GB in bfloat16, of which the embeddings and `lm_head`, which 4-bit leaves alone, hold "
    "over a billion (counted on the meta device: nothing is allocated)."
)
def full_size_bf16_on_meta(model_id):
    import torch
    from accelerate import init_empty_weights
    from transformers import AutoConfig, AutoModelForCausalLM

    from kb.standin import load_registry

    real = dict(load_registry()[model_id].config)
    config = AutoConfig.for_model(real.pop("model_type"), **real)
    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    assert {p.device.type for p in model.parameters()} == {"meta"}
    params = sum(p.numel() for p in model.parameters())
    assert 7.5e9 < params < 7.7e9
    unquantized = model.get_input_embeddings().weight.numel() + model.lm_head.weight.numel()
    assert 1.0e9 < unquantized < 1.2e9
    buffers = sum(b.numel() * b.element_size() for b in model.buffers())  # rotary tables
    assert model.get_memory_footprint() == 2 * params + buffers
    return f"{params / 1e9:.2f} billion parameters, {2 * params / 1e9:.2f} GB in bfloat16"


@claim(
    "Loaded at full size, Qwen2.5-Coder-7B-Instruct takes about 15.2 GB in bfloat16 and about 5.4 GB in nf4 (ratio 0.33 to 0.38).",
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
