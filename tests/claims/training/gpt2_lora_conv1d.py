import warnings

import torch

from kb.claims import claim


@claim(
    "With `fan_in_fan_out=True` on gpt2's `Conv1D` layers and `add_adapter`, attaching the "
    "adapter emits no warning at all."
)
def no_warnings():
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained("gpt2")
    config = LoraConfig(r=8, lora_alpha=16, target_modules=["c_attn"], fan_in_fan_out=True)
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        model.add_adapter(config)
    assert [str(w.message) for w in records] == []


@claim(
    "gpt2's `c_attn`, `c_proj` and `c_fc` are `Conv1D` layers. The LoRA layers wrap the "
    "`c_attn` layers with `fan_in_fan_out` set, and a training step gives every `lora_B` a "
    "gradient."
)
def trains(model, loss):
    from transformers.pytorch_utils import Conv1D

    blocks = model.transformer.h
    for block in blocks:
        assert type(block.attn.c_proj) is Conv1D
        assert type(block.mlp.c_fc) is Conv1D and type(block.mlp.c_proj) is Conv1D
    assert all(isinstance(b.attn.c_attn.base_layer, Conv1D) for b in blocks)
    assert all(b.attn.c_attn.fan_in_fan_out for b in blocks)
    lora_b = [p for n, p in model.named_parameters() if "lora_B" in n]
    assert len(lora_b) == len(blocks)
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in lora_b)
    assert torch.isfinite(loss)


@claim(
    "`fan_in_fan_out` decides how the update is laid out: the merged update `B @ A` is "
    "transposed to match the `Conv1D` weight, shape (in_features, out_features)."
)
def update_shape(model):
    layer = model.transformer.h[0].attn.c_attn
    delta = layer.get_delta_weight("default")
    assert delta.shape == layer.base_layer.weight.shape
    assert layer.base_layer.weight.shape == (layer.in_features, layer.out_features)
    assert layer.in_features != layer.out_features
