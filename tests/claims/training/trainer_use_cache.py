import torch

from kb.claims import claim

CACHE_LINE = (
    "`use_cache=True` is incompatible with gradient checkpointing. Setting `use_cache=False`."
)


@claim(
    "`Trainer(...)` sets `model.config.use_cache` from `TrainingArguments.use_cache`, which "
    "defaults to False; checkpointing itself is turned on by `trainer.train()`, not before."
)
def trainer_sets_use_cache(model_id, train_dataset, model):
    from transformers import AutoModelForCausalLM, Trainer, TrainingArguments

    fresh = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
    assert fresh.config.use_cache is True
    args = TrainingArguments(output_dir="out", report_to="none", activation_checkpointing=True)
    assert args.use_cache is False
    Trainer(model=fresh, args=args, train_dataset=train_dataset)
    assert fresh.config.use_cache is False
    assert fresh.is_activation_checkpointing is False
    assert model.is_activation_checkpointing is True


@claim("So the training run logs no `use_cache` line.")
def no_cache_line(log):
    assert "use_cache" not in log


@claim(
    "`trainer.save_model` writes `use_cache: false` into `config.json`. Reloaded from it, a "
    "plain forward pass returns no cache, while `generate()` still uses one (it reads "
    "`generation_config`, whose `use_cache` defaults to True)."
)
def saved_false(saved, tokenizer):
    from transformers import AutoModelForCausalLM, DynamicCache

    assert saved["use_cache"] is False
    assert "gradient_checkpointing" not in saved
    reloaded = AutoModelForCausalLM.from_pretrained("final")
    assert reloaded.config.use_cache is False
    batch = tokenizer(["Hello"], return_tensors="pt").to(reloaded.device)
    with torch.no_grad():
        assert reloaded(**batch).past_key_values is None
    out = reloaded.generate(
        **batch, max_new_tokens=3, do_sample=False, return_dict_in_generate=True
    )
    assert isinstance(out.past_key_values, DynamicCache)


@claim(
    "Setting `model.config.use_cache = True` before saving writes `true`, and a forward pass of "
    "the reloaded model returns its cache again."
)
def saved_true(restored, tokenizer):
    from transformers import AutoModelForCausalLM, DynamicCache

    assert restored["use_cache"] is True
    reloaded = AutoModelForCausalLM.from_pretrained("final-with-cache")
    batch = tokenizer(["Hello"], return_tensors="pt").to(reloaded.device)
    with torch.no_grad():
        assert isinstance(reloaded(**batch).past_key_values, DynamicCache)
    assert reloaded.is_activation_checkpointing is False


@claim(
    "`trainer.train()` switches the model to training mode itself: no `model.train()` call is "
    "needed with `Trainer`."
)
def trainer_trains(model):
    assert model.training is True
    assert all(m.training for m in model.modules())
