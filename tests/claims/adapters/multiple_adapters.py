import warnings

import pytest
import torch

from kb.claims import below, claim, load_reports


def quiet_from_pretrained(base, path, **kwargs):
    from peft import PeftModel

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        return PeftModel.from_pretrained(base, path, **kwargs)


def trainable_adapters(model):
    return {n.split(".")[-2] for n, p in model.named_parameters() if p.requires_grad}


@claim(
    "`PeftModel.from_pretrained(..., adapter_name=...)` loads the first adapter and makes it "
    "active; `load_adapter(..., adapter_name=...)` adds a second one without activating it. "
    "Both are frozen."
)
def loaded_not_active(model):
    assert set(model.peft_config) == {"chat", "sql", "both"}
    for name in ("chat", "sql"):
        assert model.peft_config[name].inference_mode is True
    assert not any(p.requires_grad for p in model.parameters())


@claim(
    "Switching with `set_adapter` changes the output, and each adapter gives exactly the "
    "output it gives when loaded alone on a fresh base."
)
def switching(chat, sql, model_id, inputs):
    from transformers import AutoModelForCausalLM

    assert not torch.allclose(chat.float(), sql.float(), atol=0.05)
    for folder, got in (("adapter-chat", chat), ("adapter-sql", sql)):
        alone = quiet_from_pretrained(AutoModelForCausalLM.from_pretrained(model_id), folder)
        with torch.no_grad():
            assert torch.equal(alone(**inputs).logits[0, -1], got)


@claim(
    "Inside `with model.disable_adapter():` the output is exactly the base model's; the active "
    "adapter is back on after the block."
)
def disabled_is_base(model, plain, sql, model_id, inputs, next_token_logits):
    from transformers import AutoModelForCausalLM

    fresh = AutoModelForCausalLM.from_pretrained(model_id)
    with torch.no_grad():
        assert torch.equal(fresh(**inputs).logits[0, -1], plain)
    model.set_adapter("sql", inference_mode=True)
    assert torch.equal(next_token_logits(model), sql)
    with model.disable_adapter():
        assert torch.equal(next_token_logits(model), plain)
    assert torch.equal(next_token_logits(model), sql)
    model.set_adapter("both", inference_mode=True)


@claim(
    "`PeftModel.set_adapter(name)` also makes that adapter trainable unless you pass "
    "`inference_mode=True`; it takes one name only (a list raises `TypeError`), while "
    '`model.base_model.set_adapter(["chat", "sql"])` activates several at once.'
)
def set_adapter_side_effects(model_id):
    from transformers import AutoModelForCausalLM

    m = quiet_from_pretrained(
        AutoModelForCausalLM.from_pretrained(model_id), "adapter-chat", adapter_name="chat"
    )
    m.load_adapter("adapter-sql", adapter_name="sql")
    assert trainable_adapters(m) == set()
    m.set_adapter("sql")
    assert trainable_adapters(m) == {"sql"}
    m.set_adapter("chat", inference_mode=True)
    assert trainable_adapters(m) == set()
    with pytest.raises(TypeError, match="unhashable type: 'list'"):
        m.set_adapter(["chat", "sql"])
    m.base_model.set_adapter(["chat", "sql"], inference_mode=True)
    assert m.active_adapters == ["chat", "sql"]


@claim(
    '`add_weighted_adapter(..., combination_type="cat")` with weights 1 and 1 builds one adapter '
    "of rank 8 + 8 = 16 that gives the output of both adapters active at once: exactly in float32, "
    "within bfloat16 rounding on a bfloat16 base, where the new adapter is created in bfloat16 "
    "while the loaded ones are float32."
)
def cat_equals_both(model, both, inputs, model_id):
    from transformers import AutoModelForCausalLM

    assert model.peft_config["both"].r == 16
    q_proj = model.get_base_model().model.layers[0].self_attn.q_proj
    assert q_proj.lora_A["both"].weight.dtype == torch.bfloat16
    assert q_proj.lora_A["chat"].weight.dtype == torch.float32
    model.base_model.set_adapter(["chat", "sql"], inference_mode=True)
    with torch.no_grad():
        stacked = model(**inputs).logits[0, -1]
    model.set_adapter("both", inference_mode=True)
    diff = (stacked.float() - both.float()).abs().max().item()
    below(diff, 0.02 * stacked.float().abs().max().item())
    # the same in float32: the combination is exact
    fp32 = quiet_from_pretrained(
        AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float32),
        "adapter-chat",
        adapter_name="chat",
    )
    fp32.load_adapter("adapter-sql", adapter_name="sql")
    fp32.base_model.set_adapter(["chat", "sql"], inference_mode=True)
    with torch.no_grad():
        stacked32 = fp32(**inputs).logits[0, -1]
    fp32.add_weighted_adapter(["chat", "sql"], [1.0, 1.0], "both", combination_type="cat")
    fp32.set_adapter("both", inference_mode=True)
    with torch.no_grad():
        both32 = fp32(**inputs).logits[0, -1]
    assert torch.allclose(stacked32, both32, atol=1e-5, rtol=0)
    return f"bfloat16: largest difference {diff:.4f}; float32: within 1e-5"


@claim(
    "Through transformers the calls differ: `active_adapters()` is a method (in peft a "
    "property), loading a second adapter makes it the active one, `set_adapter` switches back, "
    "and between `disable_adapters()` and `enable_adapters()` the output is the base model's."
)
def transformers_api(hf_model, hf_plain, plain, next_token_logits, model_id):
    from transformers import AutoModelForCausalLM

    assert callable(hf_model.active_adapters)
    fresh = AutoModelForCausalLM.from_pretrained(model_id)
    fresh.load_adapter("adapter-chat", adapter_name="chat")
    assert fresh.active_adapters() == ["chat"]
    fresh.load_adapter("adapter-sql", adapter_name="sql")
    assert fresh.active_adapters() == ["sql"]
    assert hf_model.active_adapters() == ["chat"]
    assert set(hf_model.peft_config) == {"chat", "sql"}
    assert torch.equal(hf_plain, plain)
    hf_model.set_adapter("sql")
    sql_hf = next_token_logits(hf_model)
    hf_model.set_adapter("chat")
    assert not torch.equal(sql_hf, next_token_logits(hf_model))


@claim(
    "Loading the second adapter through transformers logs a LOAD REPORT that lists the first "
    'adapter\'s weights as MISSING ("newly initialized"); they are not touched: the first '
    "adapter still gives the output it gives alone."
)
def misleading_report(log, hf_model, model_id, next_token_logits):
    from transformers import AutoModelForCausalLM

    # one report in the whole run: the PeftModel loads logged none
    reports = load_reports(log)
    assert len(reports) == 1 and reports[0][1] == "adapter-sql"
    cls, _, rows = reports[0]
    assert cls == "Qwen2ForCausalLM"
    assert rows and all(".lora_" in k and ".chat." in k for k in rows)
    assert set(rows.values()) == {"MISSING"}
    alone = AutoModelForCausalLM.from_pretrained(model_id)
    alone.load_adapter("adapter-chat", adapter_name="chat")
    hf_model.set_adapter("chat")
    assert torch.equal(next_token_logits(alone), next_token_logits(hf_model))
    return "; ".join(f"{k} | {v}" for k, v in rows.items())


@claim(
    "Loading an adapter name twice through transformers raises `ValueError: Adapter with name sql "
    "already exists. Please use a different name.`"
)
def duplicate_name(model_id):
    from transformers import AutoModelForCausalLM

    m = AutoModelForCausalLM.from_pretrained(model_id)
    m.load_adapter("adapter-sql", adapter_name="sql")
    with pytest.raises(ValueError) as raised:
        m.load_adapter("adapter-sql", adapter_name="sql")
    assert str(raised.value) == "Adapter with name sql already exists. Please use a different name."


@claim(
    '`combination_type="linear"` averages the `A`s and the `B`s separately: its rank stays 8, '
    'and its output differs from `"cat"` with the same weights (the sum of half of each update). '
    "Adapters of different ranks are refused: `ValueError: All adapters must have the same r "
    "value when using combination_type linear, ties, dare_ties or dare_linear.`"
)
def linear_is_not_cat(model_id, inputs):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    m = quiet_from_pretrained(
        AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float32),
        "adapter-chat",
        adapter_name="chat",
    )
    m.load_adapter("adapter-sql", adapter_name="sql")
    m.add_weighted_adapter(["chat", "sql"], [0.5, 0.5], "lin", combination_type="linear")
    m.add_weighted_adapter(["chat", "sql"], [0.5, 0.5], "cat_half", combination_type="cat")
    assert m.peft_config["lin"].r == 8 and m.peft_config["cat_half"].r == 16
    outputs = {}
    for name in ("lin", "cat_half"):
        m.set_adapter(name, inference_mode=True)
        with torch.no_grad():
            outputs[name] = m(**inputs).logits[0, -1]
    assert not torch.allclose(outputs["lin"], outputs["cat_half"], atol=1e-3)
    torch.manual_seed(3)
    config = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        get_peft_model(AutoModelForCausalLM.from_pretrained(model_id), config).save_pretrained(
            "adapter-r4"
        )
    m.load_adapter("adapter-r4", adapter_name="r4")
    with pytest.raises(ValueError) as raised:
        m.add_weighted_adapter(["chat", "r4"], [0.5, 0.5], "mixed", combination_type="linear")
    assert str(raised.value) == (
        "All adapters must have the same r value when using combination_type linear, ties, "
        "dare_ties or dare_linear."
    )
