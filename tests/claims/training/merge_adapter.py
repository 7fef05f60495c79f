import os
import warnings

import torch

from kb.claims import above, below, claim

GC_WARNING = (
    "`is_gradient_checkpointing` is deprecated and will be removed in v6. "
    "Use `is_activation_checkpointing` instead."
)


def logits(model, batch):
    with torch.no_grad():
        return model(**batch).logits.float()


def unmerged(model_id):
    """The bf16 base with the adapter attached, not merged."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return PeftModel.from_pretrained(base, "my-adapter")


@claim(
    "Without the filter, `PeftModel.from_pretrained` emits one `FutureWarning`, from transformers: "
    "peft's `PeftModel.__init__` reads `model.is_gradient_checkpointing`."
)
def peft_model_warns(model_id):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        PeftModel.from_pretrained(base, "my-adapter")
    future = [w for w in caught if issubclass(w.category, FutureWarning)]
    assert [str(w.message) for w in future] == [GC_WARNING]
    assert future[0].filename.endswith("transformers/modeling_utils.py")
    return f"FutureWarning: {future[0].message}"


@claim(
    "`merge_and_unload()` returns the base model object itself (`merged is base`), a plain "
    "`MistralForCausalLM` with no LoRA layer left: every Linear is a `torch.nn.Linear` and no "
    "weight name contains `lora_`."
)
def plain_model(merged, base):
    from peft.tuners.lora import LoraLayer
    from transformers import MistralForCausalLM

    assert merged is base
    assert type(merged) is MistralForCausalLM
    assert not any(isinstance(m, LoraLayer) for m in merged.modules())
    assert type(merged.model.layers[0].self_attn.q_proj) is torch.nn.Linear
    assert not any("lora_" in k for k in merged.state_dict())
    assert {p.dtype for p in merged.parameters()} == {torch.bfloat16}


@claim(
    "Each merged weight is the base weight plus `(lora_alpha / r) * B @ A`, up to bfloat16 "
    "rounding: here `lora_alpha / r` is 16 / 8 = 2."
)
def merged_weight_is_sum(model_id, merged):
    from transformers import AutoModelForCausalLM

    peft_model = unmerged(model_id)
    layer = peft_model.base_model.model.model.layers[0].self_attn.q_proj
    assert layer.scaling["default"] == 2.0
    delta = 2.0 * layer.lora_B["default"].weight.float() @ layer.lora_A["default"].weight.float()
    base = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
    w0 = base.model.layers[0].self_attn.q_proj.weight.float()
    w1 = merged.model.layers[0].self_attn.q_proj.weight.float()
    assert delta.abs().max() > 0
    ulp = torch.finfo(torch.bfloat16).eps * (w0 + delta).abs().max()
    below((w1 - (w0 + delta)).abs().max().item(), ulp.item())


@claim(
    "The merged model gives the same logits as the unmerged adapter model within 0.05 (bfloat16 "
    "rounding), while the adapter itself moves them by more than 0.5: the merge keeps what "
    "training learned."
)
def outputs_agree(model_id, merged, batch):
    peft_model = unmerged(model_id)
    with_adapter = logits(peft_model, batch)
    with peft_model.disable_adapter():
        without = logits(peft_model, batch)
    after_merge = logits(merged, batch)
    drift = (after_merge - with_adapter).abs().max().item()
    effect = (with_adapter - without).abs().max().item()
    below(drift, 0.05)
    above(effect, 0.5)
    agree = (after_merge.argmax(-1) == with_adapter.argmax(-1)).float().mean().item()
    assert agree == 1.0
    return (
        f"largest logit difference merged vs unmerged {drift:.4f}; the adapter's own effect "
        f"{effect:.2f}; same top token at {agree:.0%} of positions"
    )


@claim(
    "The saved folder is a full checkpoint (`model.safetensors`, `config.json`) with no "
    "`adapter_config.json` and no quantization config; reloaded with `from_pretrained` alone it "
    "gives exactly the merged model's logits, in bfloat16."
)
def saved_and_reloaded(reloaded, merged, batch):
    files = set(os.listdir("merged"))
    assert {"model.safetensors", "config.json"} <= files
    assert "adapter_config.json" not in files and "adapter_model.safetensors" not in files
    assert not hasattr(reloaded.config, "quantization_config")
    assert reloaded.dtype == torch.bfloat16
    assert torch.equal(logits(reloaded, batch), logits(merged, batch))
    assert set(reloaded.state_dict()) == set(merged.state_dict())
