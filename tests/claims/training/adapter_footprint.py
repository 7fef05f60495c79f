import torch
from transformers import AutoConfig

from kb.claims import claim
from kb.standin import load_registry


def real_config(model_id):
    """The model's real, full-size config.json, as a config object."""
    cfg = dict(load_registry()[model_id].config)
    cfg.pop("torch_dtype", None)
    return AutoConfig.for_model(cfg.pop("model_type"), **cfg)


@claim(
    "`add_adapter` freezes every base parameter: only the LoRA weights require grad, and they are "
    "created in the base's dtype (bfloat16)."
)
def only_lora_trainable(model):
    trainable = {n: p for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all("lora_" in n for n in trainable)
    assert all(p.dtype == torch.bfloat16 for p in trainable.values())
    assert all(not p.requires_grad for n, p in model.named_parameters() if "lora_" not in n)


@claim(
    "For Mistral-7B at full size, a rank-16 LoRA on all seven Linear layers of every block has "
    "41,943,040 parameters, 0.58% of the model's 7,241,732,096."
)
def full_size_counts(training_state_bytes, model_id):
    full = training_state_bytes(real_config(model_id))
    assert full["parameters"] == 7_241_732_096
    assert full["lora_parameters"] == 41_943_040
    share = full["lora_parameters"] / full["parameters"]
    assert round(share * 100, 2) == 0.58
    return f"{full['lora_parameters']:,} LoRA parameters, {share:.2%} of {full['parameters']:,}"


@claim(
    "Trained in float32 with AdamW, each trained parameter costs 16 bytes (weight, gradient, two "
    "optimizer states): about 0.67 GB for that adapter, against 115.9 GB to fine-tune all of "
    "Mistral-7B the same way."
)
def full_size_bytes(training_state_bytes, model_id):
    full = training_state_bytes(real_config(model_id))
    assert full["lora_bytes"] == 41_943_040 * 16
    assert round(full["lora_bytes"] / 1e9, 2) == 0.67
    assert round(full["full_fine_tuning_bytes"] / 1e9, 1) == 115.9
    return (
        f"LoRA: {full['lora_bytes'] / 1e9:.2f} GB; full fine-tuning: "
        f"{full['full_fine_tuning_bytes'] / 1e9:.1f} GB (activations not counted)"
    )


@claim(
    "AdamW keeps two states per trained parameter (`exp_avg`, `exp_avg_sq`), each in the "
    "parameter's dtype and shape, and the gradient has the parameter's dtype too: float32 "
    "parameters cost 4 + 4 + 8 bytes."
)
def adamw_state():
    weight = torch.nn.Parameter(torch.randn(3, 5))
    optimizer = torch.optim.AdamW([weight])
    (weight * 2).sum().backward()
    optimizer.step()
    state = optimizer.state[weight]
    moments = [state["exp_avg"], state["exp_avg_sq"]]
    assert all(m.dtype == torch.float32 and m.shape == weight.shape for m in moments)
    assert weight.grad.dtype == torch.float32 and weight.grad.shape == weight.shape
    assert sum(m.element_size() for m in moments) + weight.grad.element_size() + 4 == 16


@claim(
    "A bfloat16 weight cannot take a small update: 1.0 + 0.001 rounds back to 1.0, because "
    "bfloat16's step just above 1.0 is 2^-7 (0.0078); in float32 the update survives."
)
def bf16_swallows_small_updates():
    one = torch.tensor(1.0, dtype=torch.bfloat16)
    assert torch.finfo(torch.bfloat16).eps == 2**-7
    assert (one + 0.001).item() == 1.0
    assert (one.float() + 0.001).item() != 1.0
    return f"bfloat16: 1.0 + 0.001 = {(one + 0.001).item()}"
