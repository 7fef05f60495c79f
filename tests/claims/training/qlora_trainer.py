import math
import os

import torch

from kb.claims import claim


@claim(
    "With a LoRA adapter attached, `Trainer` accepts the 4-bit model and trains it: both steps "
    "log a finite loss."
)
def trains(trainer):
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    assert trainer.state.global_step == 2
    assert len(losses) == 2 and all(math.isfinite(loss) for loss in losses)
    return f"{trainer.state.global_step} steps, loss {losses[-1]:.3f}"


@claim(
    "Only the adapter changed: every `lora_B` weight moved away from its zero start, while the "
    "packed 4-bit weights are byte for byte those of a fresh load."
)
def only_adapter_changed(model, model_id, bnb_config):
    from transformers import AutoModelForCausalLM

    lora_b = [p for n, p in model.named_parameters() if "lora_B" in n]
    assert lora_b and all(p.abs().sum() > 0 for p in lora_b)
    assert all(p.requires_grad for p in lora_b)
    fresh = AutoModelForCausalLM.from_pretrained(
        model_id, quantization_config=bnb_config, dtype=torch.bfloat16
    )
    trained = model.model.layers[0].self_attn.q_proj.base_layer.weight
    original = fresh.model.layers[0].self_attn.q_proj.weight
    assert trained.requires_grad is False
    assert torch.equal(trained.data.cpu(), original.data.cpu())


@claim(
    "`Trainer` turned activation checkpointing on for the adapted model and set `use_cache` to "
    "False."
)
def trainer_set_up(model):
    assert model.is_activation_checkpointing is True
    assert model.config.use_cache is False


@claim(
    "`save_pretrained` on the adapted model writes the adapter only (`adapter_model.safetensors`, "
    "`adapter_config.json`), which loads back onto a 4-bit base by its folder name."
)
def adapter_saved(model_id, bnb_config):
    from peft.tuners.lora import LoraLayer
    from transformers import AutoModelForCausalLM

    files = set(os.listdir("my-adapter"))
    assert {"adapter_model.safetensors", "adapter_config.json"} <= files
    assert "model.safetensors" not in files
    reloaded = AutoModelForCausalLM.from_pretrained("my-adapter", quantization_config=bnb_config)
    assert reloaded.config._name_or_path == model_id
    assert isinstance(reloaded.model.layers[0].self_attn.q_proj, LoraLayer)
    assert reloaded.is_loaded_in_4bit is True
