import warnings

import pytest
import torch

from kb.claims import claim

DEPRECATION = (
    "`gradient_checkpointing_enable` is deprecated and will be removed in v6. "
    "Use `activation_checkpointing_enable` instead."
)
TORCH_REENTRANT = "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly."


def fresh(model_id, bnb_config):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(
        model_id, quantization_config=bnb_config, dtype=torch.bfloat16, use_cache=False
    )


def is_4bit(param):
    return type(param).__name__ == "Params4bit"


@claim(
    "`from_pretrained` leaves the bfloat16 parameters of a 4-bit model trainable "
    "(`requires_grad=True`); `prepare_model_for_kbit_training` freezes every parameter."
)
def freezes_everything(model_id, bnb_config):
    from peft import prepare_model_for_kbit_training

    model = fresh(model_id, bnb_config)
    before = {name for name, p in model.named_parameters() if p.requires_grad}
    assert before == {name for name, p in model.named_parameters() if not is_4bit(p)}
    prepared = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    assert not any(p.requires_grad for p in prepared.parameters())
    return f"{len(before)} trainable tensors before, 0 after"


@claim(
    "The packed 4-bit weights are integers: they cannot require grad at all, so no optimizer can "
    "update them."
)
def packed_weights_cannot_train(model):
    packed = model.model.layers[0].self_attn.q_proj.base_layer.weight
    assert is_4bit(packed) and packed.dtype == torch.uint8
    with pytest.raises(RuntimeError) as raised:
        packed.requires_grad_(True)
    assert str(raised.value) == "only Tensors of floating point dtype can require gradients"


@claim(
    "It casts every 16-bit parameter that is not 4-bit to float32: the embeddings, the norms and "
    "`lm_head`. The packed 4-bit weights stay `uint8`."
)
def casts_to_float32(model):
    base = {n: p for n, p in model.named_parameters() if "lora_" not in n}
    cast = {n for n, p in base.items() if p.dtype == torch.float32}
    packed = {n for n, p in base.items() if is_4bit(p)}
    assert cast | packed == set(base) and not cast & packed
    assert all(base[n].dtype == torch.uint8 for n in packed)
    kinds = {n.split(".")[-2] if "layers" in n else n.rsplit(".", 1)[0] for n in cast}
    assert kinds == {"model.embed_tokens", "input_layernorm", "post_attention_layernorm"} | {
        "model.norm",
        "lm_head",
    }
    return f"{len(cast)} tensors cast to float32, {len(packed)} 4-bit weights left as uint8"


@claim(
    "It returns the same model object, still in eval mode. With `use_gradient_checkpointing=False` "
    "it turns on no checkpointing and registers no hook on the embeddings."
)
def same_object_eval_mode(model_id, bnb_config):
    from peft import prepare_model_for_kbit_training

    model = fresh(model_id, bnb_config)
    prepared = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    assert prepared is model
    assert prepared.training is False
    assert prepared.is_activation_checkpointing is False
    assert not getattr(prepared, "_require_grads_hooks", None)


@claim(
    "`activation_checkpointing_enable()` checkpoints every decoder layer with `use_reentrant=False` "
    "and hooks the embedding layer so that its output requires grad while its weight stays frozen."
)
def activation_checkpointing_on(model, batch):
    layers = model.model.layers
    assert all(layer.gradient_checkpointing for layer in layers)
    assert all(
        layer._gradient_checkpointing_func.keywords == {"use_reentrant": False} for layer in layers
    )
    assert len(model._require_grads_hooks) == 1
    embeddings = model.get_input_embeddings()
    assert len(embeddings._forward_hooks) == 1
    assert embeddings.weight.requires_grad is False
    assert embeddings(batch["input_ids"]).requires_grad is True


@claim(
    "The default call, `prepare_model_for_kbit_training(model)`, emits a `FutureWarning` from "
    "transformers, because peft calls the deprecated `gradient_checkpointing_enable()`."
)
def default_call_warns(model_id, bnb_config):
    from peft import prepare_model_for_kbit_training

    model = fresh(model_id, bnb_config)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare_model_for_kbit_training(model)
    future = [w for w in caught if issubclass(w.category, FutureWarning)]
    assert [str(w.message) for w in future] == [DEPRECATION]
    assert future[0].filename.endswith("transformers/modeling_utils.py")
    assert model.is_activation_checkpointing is True
    return f"FutureWarning: {future[0].message}"


@claim(
    "peft's default path passes no `use_reentrant` to the checkpoint function, so at the first "
    "training forward torch warns once per decoder layer and falls back to the reentrant variant "
    "(without the embedding hook, the loss would then have no `grad_fn`). It also registers the "
    "embedding hook twice, once itself and once through transformers; "
    "`disable_input_require_grads()` removes only one."
)
def default_call_reentrant(model_id, bnb_config, batch):
    from peft import LoraConfig, prepare_model_for_kbit_training

    model = fresh(model_id, bnb_config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        prepare_model_for_kbit_training(model)
    assert all(layer._gradient_checkpointing_func.keywords == {} for layer in model.model.layers)
    model.add_adapter(LoraConfig(r=16, lora_alpha=32, target_modules="all-linear"))
    model.train()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model(**batch, labels=batch["input_ids"]).loss.backward()
    texts = [str(w.message) for w in caught if str(w.message).startswith(TORCH_REENTRANT)]
    assert len(texts) == len(model.model.layers)
    embeddings = model.get_input_embeddings()
    assert len(embeddings._forward_hooks) == 2
    model.disable_input_require_grads()
    assert len(embeddings._forward_hooks) == 1
    embeddings._forward_hooks.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert model(**batch, labels=batch["input_ids"]).loss.grad_fn is None
    return texts[0]


@claim(
    "With reentrant checkpointing and frozen embeddings, the hook is what makes training work: "
    "without it the loss has no `grad_fn` and `backward()` raises `RuntimeError: element 0 of "
    "tensors does not require grad and does not have a grad_fn`. With `use_reentrant=False` "
    "the adapters get their gradients even without the hook."
)
def input_hook_needed_for_reentrant(model_id, bnb_config, batch):
    from peft import LoraConfig, prepare_model_for_kbit_training

    def lora_b_grads(reentrant):
        model = fresh(model_id, bnb_config)
        prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
        model.activation_checkpointing_enable({"use_reentrant": reentrant})
        model.disable_input_require_grads()
        model.add_adapter(LoraConfig(r=16, lora_alpha=32, target_modules="all-linear"))
        model.train()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            loss = model(**batch, labels=batch["input_ids"]).loss
        if reentrant:
            assert loss.grad_fn is None
            with pytest.raises(RuntimeError) as raised:
                loss.backward()
            assert str(raised.value) == (
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
            return None
        loss.backward()
        return [p.grad for n, p in model.named_parameters() if "lora_B" in n]

    assert lora_b_grads(True) is None
    grads = lora_b_grads(False)
    assert grads and all(g is not None and g.abs().sum() > 0 for g in grads)


@claim(
    "`add_adapter` creates the LoRA weights in bfloat16, the base's dtype; the snippet upcasts "
    "them to float32. `get_peft_model` upcasts them itself (`autocast_adapter_dtype=True`)."
)
def adapter_dtypes(model, model_id, bnb_config):
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    assert {p.dtype for n, p in model.named_parameters() if "lora_" in n} == {torch.float32}
    config = LoraConfig(r=16, lora_alpha=32, target_modules="all-linear")
    plain = prepare_model_for_kbit_training(
        fresh(model_id, bnb_config), use_gradient_checkpointing=False
    )
    plain.add_adapter(config)
    assert {p.dtype for n, p in plain.named_parameters() if "lora_" in n} == {torch.bfloat16}
    other = prepare_model_for_kbit_training(
        fresh(model_id, bnb_config), use_gradient_checkpointing=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        wrapped = get_peft_model(
            other, LoraConfig(r=16, lora_alpha=32, target_modules="all-linear")
        )
    assert {p.dtype for n, p in wrapped.named_parameters() if "lora_" in n} == {torch.float32}


@claim(
    "After one training step only the LoRA weights are trainable, on the seven Linear layers of "
    "every decoder block (not `lm_head`); every `lora_B` has a gradient, while every `lora_A` "
    "gradient is exactly zero at this first step, because `lora_B` starts at zero."
)
def one_step(model, loss):
    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n for n in trainable)
    wrapped = {n.split(".lora_")[0] for n in trainable}
    assert len(wrapped) == 7 * len(model.model.layers)
    assert not any(n.startswith("lm_head") for n in wrapped)
    assert torch.isfinite(loss)
    for name, param in trainable.items():
        if "lora_B" in name:
            assert param.grad is not None and param.grad.abs().sum() > 0, name
        else:
            assert param.grad is not None and param.grad.abs().sum() == 0, name
    return f"{len(trainable)} trainable tensors in {len(wrapped)} layers, loss {loss.item():.3f}"
