import logging
import warnings

import pytest
import torch

from kb.claims import claim, log_records


def lora_layers(model):
    return [m for m in model.modules() if hasattr(m, "lora_A") and "default" in m.lora_A]


def offloaded_base(model_id, model_bytes):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(
        model_id, device_map="auto", max_memory={"cpu": int(0.7 * model_bytes)}
    )


@claim(
    "On a base placed on one device, every LoRA matrix lands on the device of the Linear layer "
    "it adapts."
)
def same_device_as_base(model):
    layers = lora_layers(model)
    assert layers
    for m in layers:
        device = m.base_layer.weight.device
        assert m.lora_A["default"].weight.device == device
        assert m.lora_B["default"].weight.device == device
    return f"every LoRA matrix on {device}, with its base layer"


@claim(
    'With a GPU, `device_map="auto"` puts the base on `cuda:0` and the adapter follows it there.',
    needs="gpu",
)
def on_the_gpu(model):
    devices = {p.device for p in model.parameters()}
    assert devices == {torch.device("cuda", 0)}


@claim(
    "On a base with layers offloaded to disk, `load_adapter` raises nothing and logs no warning, "
    "but leaves the adapter weights of every offloaded layer on the meta device, without values."
)
def silent_meta(offloaded, q_projs, model_id, model_bytes):
    assert set(offloaded.hf_device_map.values()) == {"cpu", "disk"}
    assert any(q.lora_A["default"].weight.is_meta for q in q_projs)
    for m in lora_layers(offloaded):
        on_disk = m.base_layer.weight.is_meta
        assert m.lora_A["default"].weight.is_meta is on_disk
        assert m.lora_B["default"].weight.is_meta is on_disk
    again = offloaded_base(model_id, model_bytes)
    with warnings.catch_warnings(record=True) as caught, log_records("transformers") as records:
        warnings.simplefilter("always")
        again.load_adapter("my-adapter")
    assert [r for r in records if r.levelno >= logging.WARNING] == []
    assert [w for w in caught if "adapter" in str(w.message).lower()] == []


@claim(
    "Its outputs are then wrong: the logits do not match the same adapter on the same base "
    "held in memory."
)
def wrong_outputs(offloaded, model_id):
    from transformers import AutoModelForCausalLM

    reference = AutoModelForCausalLM.from_pretrained(model_id)
    reference.load_adapter("my-adapter")
    input_ids = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        expected = reference(input_ids).logits
        got = offloaded(input_ids).logits
    assert got.shape == expected.shape
    assert not torch.allclose(got.float(), expected.float(), atol=0.05, equal_nan=False)


@claim(
    "`PeftModel.from_pretrained` on the same offloaded base re-dispatches the whole model, and "
    "without a GPU that fails: `NotImplementedError: Cannot copy out of meta tensor; no data!`",
    needs="cpu",
)
def peft_model_fails_without_gpu(model_id, model_bytes):
    from peft import PeftModel

    base = offloaded_base(model_id, model_bytes)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        warnings.filterwarnings("ignore", message="for .*: copying from a non-meta parameter")
        with pytest.raises(NotImplementedError) as raised:
            PeftModel.from_pretrained(base, "my-adapter")
    assert str(raised.value).startswith("Cannot copy out of meta tensor; no data!")
    return str(raised.value)
