import torch
from transformers import AutoConfig

from kb.claims import claim
from kb.standin import load_registry


def real_config(model_id):
    cfg = dict(load_registry()[model_id].config)
    cfg.pop("torch_dtype", None)
    return AutoConfig.for_model(cfg.pop("model_type"), **cfg)


@claim(
    "Built under `init_empty_weights()`, a model with tied embeddings gets a separate `lm_head` "
    "weight, so the parameter count includes the embedding matrix twice."
)
def untied_counts_twice(model, untied_parameters, parameters):
    vocab, hidden = model.lm_head.weight.shape
    assert untied_parameters == parameters + vocab * hidden
    assert all(p.device.type == "meta" for p in model.parameters())


@claim(
    "For the full-size Qwen2.5-0.5B-Instruct that is 630,167,424 parameters instead of "
    "494,032,768: 28% too many."
)
def full_size_overcount():
    from accelerate import init_empty_weights
    from transformers import AutoModelForCausalLM

    config = real_config("Qwen/Qwen2.5-0.5B-Instruct")
    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    untied = sum(p.numel() for p in model.parameters())
    model.tie_weights()
    tied = sum(p.numel() for p in model.parameters())
    assert (untied, tied) == (630_167_424, 494_032_768)
    return f"{untied:,} untied vs {tied:,} tied: {untied / tied - 1:.0%} too many"


@claim(
    "`model.tie_weights()` after the `with` block restores the tie, and the count drops to the "
    "real one."
)
def tie_weights_fixes(model, parameters, config):
    assert model.lm_head.weight is model.model.embed_tokens.weight
    with torch.device("meta"):
        from transformers import AutoModelForCausalLM

        reference = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    assert parameters == sum(p.numel() for p in reference.parameters())


@claim(
    "`init_empty_weights()` leaves buffers (here the rotary-embedding frequencies) as real "
    'tensors on the CPU; `torch.device("meta")` and `init_empty_weights(include_buffers=True)` '
    "put them on meta too, and keep the tie."
)
def buffers_stay_on_cpu(model, config):
    from accelerate import init_empty_weights
    from transformers import AutoModelForCausalLM

    devices = {name: b.device.type for name, b in model.named_buffers()}
    assert devices and set(devices.values()) == {"cpu"}, devices
    with torch.device("meta"):
        on_meta = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    with init_empty_weights(include_buffers=True):
        with_buffers = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    for other in (on_meta, with_buffers):
        assert {b.device.type for b in other.buffers()} == {"meta"}
        assert other.lm_head.weight is other.model.embed_tokens.weight
    return ", ".join(sorted(devices)) + " on cpu"
