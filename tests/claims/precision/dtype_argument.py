import logging

import torch

from kb.claims import claim, log_records

DEPRECATION = "`torch_dtype` is deprecated! Use `dtype` instead!"


@claim(
    'A torch dtype (`torch.float16`) and its name as a string (`"float16"`) load the same way: every parameter in float16.'
)
def torch_dtype_or_string(as_dtype_object, as_string):
    for model in (as_dtype_object, as_string):
        assert model.dtype == torch.float16
        assert {p.dtype for p in model.parameters()} == {torch.float16}
    for a, b in zip(as_dtype_object.parameters(), as_string.parameters(), strict=True):
        assert torch.equal(a, b)


@claim('`dtype="auto"` keeps the dtype the checkpoint was stored in: bfloat16 for Qwen2.5.')
def auto_keeps_stored(as_stored):
    assert {p.dtype for p in as_stored.parameters()} == {torch.bfloat16}


@claim(
    "`config.dtype` records the dtype in force as a `torch.dtype`, also when it was asked for by its string name."
)
def config_records_dtype(as_string, as_stored):
    assert as_string.config.dtype is torch.float16
    assert as_stored.config.dtype is torch.bfloat16


@claim(
    "`dtype` applies to parameters, not to every buffer: the rotary-embedding frequency buffers stay float32."
)
def buffers_stay_fp32(model):
    buffers = dict(model.named_buffers())
    assert set(buffers) == {"model.rotary_emb.inv_freq", "model.rotary_emb.original_inv_freq"}
    assert {b.dtype for b in buffers.values()} == {torch.float32}


@claim(
    "The old name `torch_dtype` still works: through an Auto class transformers logs "
    "`` `torch_dtype` is deprecated! Use `dtype` instead! `` (a logger warning, not a Python warning); "
    "through a concrete class such as `Qwen2ForCausalLM` it is accepted silently. Both give the dtype asked for."
)
def torch_dtype_old_name(model_id):
    import warnings

    from transformers import AutoModelForCausalLM, Qwen2ForCausalLM

    with log_records("transformers") as records:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # the concrete class first: if it logged, the Auto call below would hit the
            # warning_once cache and log nothing, so the Auto assertion also covers it
            concrete = Qwen2ForCausalLM.from_pretrained(model_id, torch_dtype=torch.float16)
            concrete_logs = [r.getMessage() for r in records]
            records.clear()
            auto = AutoModelForCausalLM.from_pretrained(model_id, torch_dtype=torch.float16)
            auto_logs = [r for r in records]

    assert DEPRECATION not in concrete_logs
    deprecations = [r for r in auto_logs if r.getMessage() == DEPRECATION]
    assert len(deprecations) == 1
    assert deprecations[0].levelno == logging.WARNING
    assert deprecations[0].name == "transformers.configuration_utils"
    assert not [w for w in caught if "torch_dtype" in str(w.message)]
    for m in (concrete, auto):
        assert {p.dtype for p in m.parameters()} == {torch.float16}
    return f"{deprecations[0].name}: WARNING {DEPRECATION}"
