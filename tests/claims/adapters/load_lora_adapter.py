import json
import warnings

import torch

from kb.claims import below, claim
from kb.standin import load_registry

MODEL_ID = "Qwen/Qwen2.5-0.5B-Instruct"


def lora_pairs(model):
    """(lora_A, lora_B) weights of the 'default' adapter of every LoRA layer of a model."""
    pairs = []
    for module in model.modules():
        if hasattr(module, "lora_A") and "default" in module.lora_A:
            pairs.append((module.lora_A["default"].weight, module.lora_B["default"].weight))
    return pairs


def logits_of(model, inputs):
    with torch.no_grad():
        return model(**inputs).logits


def full_size_trainable(lora_config):
    """Trainable parameters of this LoRA config on the real, full-size Qwen2.5-0.5B-Instruct,
    built on the meta device (nothing allocated)."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = dict(load_registry()[MODEL_ID].config)
    cfg.pop("torch_dtype", None)
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    with torch.device("meta"):
        base = AutoModelForCausalLM.from_config(config)
    fresh = LoraConfig(
        r=lora_config.r,
        lora_alpha=lora_config.lora_alpha,
        target_modules=list(lora_config.target_modules),
        task_type="CAUSAL_LM",
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        peft_model = get_peft_model(base, fresh)
    return sum(p.numel() for p in peft_model.parameters() if p.requires_grad)


@claim(
    "`PeftModel.from_pretrained` and `AutoPeftModelForCausalLM.from_pretrained` return a "
    "`PeftModelForCausalLM` wrapping the transformers model (`Qwen2ForCausalLM`); "
    "`load_adapter` and `AutoModelForCausalLM.from_pretrained(<adapter folder>)` return the plain "
    'transformers model, with the adapter active under the name `"default"`.'
)
def classes(model, auto_model, hf_model, hf_auto):
    from peft import PeftModelForCausalLM
    from transformers import Qwen2ForCausalLM

    for wrapped in (model, auto_model):
        assert type(wrapped) is PeftModelForCausalLM
        assert type(wrapped.get_base_model()) is Qwen2ForCausalLM
        assert wrapped.active_adapter == "default"
    for plain in (hf_model, hf_auto):
        assert type(plain) is Qwen2ForCausalLM
        assert plain.active_adapters() == ["default"]


@claim(
    "`PeftModel.from_pretrained` changes the base model you pass in place: its Linear layers "
    "become LoRA layers, `get_base_model()` is that same object, and calling `base(...)` now "
    "runs the adapter too."
)
def base_modified_in_place(model, base, inputs, logits):
    from peft.tuners.lora import LoraLayer

    assert model.get_base_model() is base
    q_proj = base.model.layers[0].self_attn.q_proj
    assert isinstance(q_proj, LoraLayer)
    assert type(q_proj.base_layer) is torch.nn.Linear
    assert torch.equal(logits_of(base, inputs), logits["peft"])


@claim(
    "`AutoPeftModelForCausalLM` loads the base that `adapter_config.json` names in "
    "`base_model_name_or_path`, which `save_pretrained` filled in from the base model's id."
)
def auto_reads_base_name(auto_model, model_id):
    with open("my-adapter/adapter_config.json") as f:
        saved = json.load(f)
    assert saved["base_model_name_or_path"] == model_id == MODEL_ID
    assert auto_model.get_base_model().name_or_path == model_id
    assert auto_model.peft_config["default"].base_model_name_or_path == model_id
    return f"base_model_name_or_path: {saved['base_model_name_or_path']!r}"


@claim(
    "By default (`is_trainable=False`) the adapter is frozen and the model is in eval mode: no "
    "parameter requires a gradient, base or adapter."
)
def frozen_by_default(model, auto_model):
    for wrapped in (model, auto_model):
        assert not any(p.requires_grad for p in wrapped.parameters())
        assert wrapped.training is False
        assert wrapped.peft_config["default"].inference_mode is True


@claim(
    "With `is_trainable=True` exactly the LoRA matrices require gradients, the base stays "
    "frozen, and the model comes back in training mode. For this config (r=8 on `q_proj` and "
    "`v_proj`) the real Qwen2.5-0.5B-Instruct has this many trainable parameters, counted on "
    "the meta device:"
)
def trainable_when_asked(resumed, lora_config):
    trainable = {n for n, p in resumed.named_parameters() if p.requires_grad}
    assert trainable and all(".lora_A." in n or ".lora_B." in n for n in trainable)
    assert all(not p.requires_grad for n, p in resumed.named_parameters() if "lora_" not in n)
    assert resumed.training is True
    assert resumed.peft_config["default"].inference_mode is False
    # r x in_features for A, out_features x r for B, for each targeted Linear
    count = sum(p.numel() for p in resumed.parameters() if p.requires_grad)
    expected = sum(a.numel() + b.numel() for a, b in lora_pairs(resumed))
    assert count == expected
    layers = resumed.get_base_model().model.layers
    r = lora_config.r
    per_layer = sum(
        r * (m.in_features + m.out_features)
        for m in (layers[0].self_attn.q_proj.base_layer, layers[0].self_attn.v_proj.base_layer)
    )
    assert count == per_layer * len(layers)
    full = full_size_trainable(lora_config)
    # 24 layers x 8 x ((896 + 896) + (896 + 128))
    assert full == 24 * 8 * ((896 + 896) + (896 + 128)) == 540_672
    return f"{full:,} trainable parameters (24 layers x r=8 x (896+896 + 896+128))"


@claim(
    "`load_adapter` also leaves the adapter frozen, and it freezes the base model's own "
    "parameters too: nothing requires a gradient afterwards. `load_adapter(..., "
    "is_trainable=True)` makes the LoRA matrices trainable and keeps the base frozen."
)
def load_adapter_freezes(hf_model, model_id):
    from transformers import AutoModelForCausalLM

    assert not any(p.requires_grad for p in hf_model.parameters())
    fresh = AutoModelForCausalLM.from_pretrained(model_id)
    assert all(p.requires_grad for p in fresh.parameters())
    fresh.load_adapter("my-adapter", is_trainable=True)
    trainable = {n for n, p in fresh.named_parameters() if p.requires_grad}
    assert trainable and all(".lora_A." in n or ".lora_B." in n for n in trainable)


@claim(
    "The adapter changes the output: with it disabled the logits differ. "
    "`PeftModel.from_pretrained` and `AutoPeftModelForCausalLM` give identical logits, and so do "
    "`load_adapter` and `AutoModelForCausalLM.from_pretrained(<adapter folder>)`."
)
def outputs_agree(model, auto_model, hf_model, hf_auto, inputs, logits):
    with torch.no_grad(), model.disable_adapter():
        base_logits = model(**inputs).logits
    assert not torch.allclose(base_logits, logits["peft"], atol=0.05)
    assert torch.equal(logits["peft"], logits_of(auto_model, inputs))
    assert torch.equal(logits["transformers"], logits_of(hf_auto, inputs))
    effect = (base_logits - logits["peft"]).abs().max().item()
    return f"largest logit change from the adapter: {effect:.3f}"


@claim(
    "Between the two families the logits differ by bfloat16 rounding only: peft's wrapper "
    "casts the adapter weights to float32, transformers' `load_adapter` keeps the base's "
    "bfloat16. With `autocast_adapter_dtype=False` the wrapper gives exactly the "
    "`load_adapter` logits."
)
def rounding_only(model, hf_model, inputs, logits, model_id):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    assert {w.dtype for pair in lora_pairs(model) for w in pair} == {torch.float32}
    assert {w.dtype for pair in lora_pairs(hf_model) for w in pair} == {torch.bfloat16}
    diff = (logits["peft"].float() - logits["transformers"].float()).abs().max().item()
    scale = logits["peft"].float().abs().max().item()
    assert diff > 0
    below(diff, 0.02 * scale)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        same_dtype = PeftModel.from_pretrained(
            AutoModelForCausalLM.from_pretrained(model_id),
            "my-adapter",
            autocast_adapter_dtype=False,
        )
    assert torch.equal(logits_of(same_dtype, inputs), logits["transformers"])
    return f"largest difference {diff:.4f} on logits up to {scale:.2f}"


@claim(
    "`AutoPeftModelForCausalLM.from_pretrained` passes the base's loading options on: with "
    "`dtype=torch.float32` the base is loaded in float32."
)
def auto_passes_options():
    from peft import AutoPeftModelForCausalLM

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        fp32 = AutoPeftModelForCausalLM.from_pretrained("my-adapter", dtype=torch.float32)
    base = fp32.get_base_model()
    assert base.model.embed_tokens.weight.dtype == torch.float32
    assert base.model.layers[0].self_attn.q_proj.base_layer.weight.dtype == torch.float32


@claim(
    "Building a `PeftModel` (here with `PeftModel.from_pretrained`) emits transformers' "
    "`FutureWarning: is_gradient_checkpointing is deprecated and will be removed in v6`: peft "
    "0.21 reads that property; the snippet filters exactly this message."
)
def future_warning_from_peft(model_id):
    import pytest
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(model_id)
    with pytest.warns(FutureWarning) as caught:
        PeftModel.from_pretrained(base, "my-adapter")
    texts = [str(w.message) for w in caught if issubclass(w.category, FutureWarning)]
    assert texts == [
        "`is_gradient_checkpointing` is deprecated and will be removed in v6. "
        "Use `is_activation_checkpointing` instead."
    ]
    return texts[0]


@claim(
    "A LoRA layer computes `W x + (lora_alpha / r) * B (A x)`: its base layer's output plus the "
    "low-rank update, scaled by 16 / 8 = 2 for this config."
)
def lora_formula(model_id, lora_config):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        fp32 = PeftModel.from_pretrained(
            AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.float32), "my-adapter"
        )
    layer = fp32.get_base_model().model.layers[0].self_attn.q_proj
    scale = lora_config.lora_alpha / lora_config.r
    assert layer.scaling["default"] == scale == 2.0
    a = layer.lora_A["default"].weight
    b = layer.lora_B["default"].weight
    x = torch.randn(3, layer.base_layer.in_features, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = layer.base_layer(x) + scale * (x @ a.T @ b.T)
        got = layer(x)
    assert torch.allclose(got, expected, atol=1e-5, rtol=1e-5)
    assert not torch.allclose(got, layer.base_layer(x), atol=1e-3)
