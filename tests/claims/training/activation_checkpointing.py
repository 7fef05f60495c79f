import json
import logging
import warnings

import pytest
import torch

from kb.claims import claim

CACHE_LINE = (
    "`use_cache=True` is incompatible with gradient checkpointing. Setting `use_cache=False`."
)


@claim(
    "`from_pretrained` returns the model in eval mode, with `use_cache` on and no checkpointing."
)
def loaded_for_inference(model_id):
    from transformers import AutoModelForCausalLM

    fresh = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
    assert fresh.training is False
    assert fresh.config.use_cache is True
    assert fresh.is_activation_checkpointing is False


@claim(
    "`activation_checkpointing_enable()` marks every decoder layer for checkpointing, with "
    "`use_reentrant=False` by default."
)
def every_layer(model):
    layers = model.model.layers
    assert all(layer.gradient_checkpointing for layer in layers)
    assert all(
        layer._gradient_checkpointing_func.keywords == {"use_reentrant": False} for layer in layers
    )


@claim("`every_n_layers=2` checkpoints only every second decoder layer, starting with the first.")
def every_n_layers(model_id):
    from transformers import AutoModelForCausalLM

    fresh = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
    fresh.activation_checkpointing_enable(every_n_layers=2)
    flags = [layer.gradient_checkpointing for layer in fresh.model.layers]
    assert flags == [i % 2 == 0 for i in range(len(flags))]
    assert flags[0] is True and False in flags


@claim(
    "A training forward with `use_cache` on in the config logs one WARNING from "
    "`transformers.utils.generic` and runs without a cache: `past_key_values` is None, while "
    "`model.config.use_cache` stays True."
)
def cache_switched_off(log, outputs, model):
    assert CACHE_LINE in log
    assert log.count(CACHE_LINE) == 1
    assert outputs.past_key_values is None
    assert model.config.use_cache is True
    return CACHE_LINE


@claim(
    "In eval mode the same model builds its KV cache again: checkpointing only acts in training."
)
def eval_mode_caches(model, batch):
    from transformers import DynamicCache

    model.eval()
    try:
        with torch.no_grad():
            out = model(**batch)
    finally:
        model.train()
    assert isinstance(out.past_key_values, DynamicCache)


@claim(
    "The line comes from the `transformers.utils.generic` logger at WARNING level, once per "
    "process however many steps run; with `model.config.use_cache = False` set before training "
    "the same forward logs nothing."
)
def where_the_line_comes_from(model_id, batch):
    from transformers import AutoModelForCausalLM

    from kb.claims import log_records

    def train_forwards(use_cache, steps):
        fresh = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
        fresh.activation_checkpointing_enable()
        fresh.config.use_cache = use_cache
        fresh.train()
        logging.Logger.warning_once.cache_clear()  # forget that the snippet logged it already
        with log_records("transformers") as records:
            for _ in range(steps):
                assert fresh(**batch, labels=batch["input_ids"]).past_key_values is None
        return [r for r in records if "use_cache" in r.getMessage()]

    on = train_forwards(True, 3)
    assert [(r.name, r.levelname, r.getMessage()) for r in on] == [
        ("transformers.utils.generic", "WARNING", CACHE_LINE)
    ]
    assert train_forwards(False, 3) == []


@claim(
    "Checkpointing is not saved: `config.json` keeps `use_cache: true` and has no "
    "`gradient_checkpointing` key, and the reloaded model has checkpointing off."
)
def not_saved(saved):
    from transformers import AutoModelForCausalLM

    with open("checkpointed/config.json") as f:
        assert json.load(f) == saved
    assert saved["use_cache"] is True
    assert "gradient_checkpointing" not in saved
    reloaded = AutoModelForCausalLM.from_pretrained("checkpointed")
    assert reloaded.is_activation_checkpointing is False
    assert reloaded.config.use_cache is True


@claim(
    "A config that still says `gradient_checkpointing: true` (written by old versions) turns "
    "checkpointing on when the model is built, and the key is then removed from the config."
)
def legacy_config_key(model_id):
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(model_id)
    config.gradient_checkpointing = True
    model = AutoModelForCausalLM.from_config(config)
    assert model.is_activation_checkpointing is True
    assert not hasattr(model.config, "gradient_checkpointing")


DEPRECATED = {
    "gradient_checkpointing_enable": "`gradient_checkpointing_enable` is deprecated and will be "
    "removed in v6. Use `activation_checkpointing_enable` instead.",
    "gradient_checkpointing_disable": "`gradient_checkpointing_disable` is deprecated and will be "
    "removed in v6. Use `activation_checkpointing_disable` instead.",
    "is_gradient_checkpointing": "`is_gradient_checkpointing` is deprecated and will be removed in "
    "v6. Use `is_activation_checkpointing` instead.",
}


@claim(
    "The 4.x names still work but each emits a `FutureWarning`: `gradient_checkpointing_enable()`, "
    "`gradient_checkpointing_disable()` and `is_gradient_checkpointing` (model), and "
    "`TrainingArguments(gradient_checkpointing=True)` and `gradient_checkpointing_kwargs=...`."
)
def old_names_warn(model_id):
    from transformers import AutoModelForCausalLM, TrainingArguments

    fresh = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
    with pytest.warns(FutureWarning) as enable:
        fresh.gradient_checkpointing_enable()
    with pytest.warns(FutureWarning) as flag:
        assert fresh.is_gradient_checkpointing is True
    with pytest.warns(FutureWarning) as disable:
        fresh.gradient_checkpointing_disable()
    assert fresh.is_activation_checkpointing is False
    got = {
        "gradient_checkpointing_enable": [str(w.message) for w in enable],
        "is_gradient_checkpointing": [str(w.message) for w in flag],
        "gradient_checkpointing_disable": [str(w.message) for w in disable],
    }
    assert got == {name: [text] for name, text in DEPRECATED.items()}
    with pytest.warns(FutureWarning) as args_warning:
        args = TrainingArguments(output_dir="out", report_to="none", gradient_checkpointing=True)
    assert [str(w.message) for w in args_warning] == [
        "`gradient_checkpointing` is deprecated and will be removed in v6. "
        "Use `activation_checkpointing` instead."
    ]
    assert args.activation_checkpointing is True
    with pytest.warns(FutureWarning) as kwargs_warning:
        args = TrainingArguments(
            output_dir="out",
            report_to="none",
            activation_checkpointing=True,
            gradient_checkpointing_kwargs={"use_reentrant": False},
        )
    assert [str(w.message) for w in kwargs_warning] == [
        "`gradient_checkpointing_kwargs` is deprecated and will be removed in v6. "
        "Use `activation_checkpointing_kwargs` instead."
    ]
    assert args.activation_checkpointing_kwargs == {"use_reentrant": False}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert TrainingArguments(output_dir="out", report_to="none", activation_checkpointing=True)
    return "; ".join(DEPRECATED.values())
