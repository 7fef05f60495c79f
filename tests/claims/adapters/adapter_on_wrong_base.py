import logging
import warnings

import torch

from kb.claims import claim, log_records
from kb.standin import load_registry

SEVEN = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def meta_model(model_id):
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = dict(load_registry()[model_id].config)
    cfg.pop("torch_dtype", None)
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(config)


@claim(
    "An adapter saved on Mistral-7B-v0.1 attaches to Llama-3.1-8B-Instruct with no error, no "
    "Python warning and no transformers log line at WARNING or above."
)
def silent_load():
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    llama = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
    with (
        warnings.catch_warnings(record=True) as caught,
        log_records("transformers") as records,
        log_records("peft") as peft_records,
    ):
        warnings.simplefilter("always")
        PeftModel.from_pretrained(llama, "mistral-adapter")
    others = [
        str(w.message)
        for w in caught
        if not str(w.message).startswith("`is_gradient_checkpointing` is deprecated")
    ]
    assert others == []
    assert [r for r in records + peft_records if r.levelno >= logging.WARNING] == []
    # transformers' own load_adapter is just as quiet
    plain = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
    with warnings.catch_warnings(record=True) as caught, log_records("transformers") as records:
        warnings.simplefilter("always")
        plain.load_adapter("mistral-adapter")
    assert [str(w.message) for w in caught] == []
    assert [r for r in records if r.levelno >= logging.WARNING] == []
    assert plain.active_adapters() == ["default"]


@claim(
    "The same happens with another revision of the right model: base weights changed, names and "
    "shapes the same. The adapter attaches silently, and its output is not the one it gives on "
    "the weights it was trained on."
)
def other_revision_is_silent():
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    original = "mistralai/Mistral-7B-v0.1"
    # a later revision of the same repository: same config, retrained weights
    retrained = AutoModelForCausalLM.from_pretrained(original)
    with torch.no_grad():
        for p in retrained.model.layers.parameters():
            p.add_(0.02 * torch.randn(p.shape, generator=torch.Generator().manual_seed(1)))
    retrained.save_pretrained("mistral-retrained")
    input_ids = torch.tensor([[1, 2, 3, 4]])
    outputs = []
    for folder in (original, "mistral-retrained"):
        base = AutoModelForCausalLM.from_pretrained(folder)
        with warnings.catch_warnings(record=True) as caught, log_records("transformers") as logs:
            warnings.simplefilter("always")
            adapted = PeftModel.from_pretrained(base, "mistral-adapter")
        others = [
            str(w.message)
            for w in caught
            if not str(w.message).startswith("`is_gradient_checkpointing` is deprecated")
        ]
        assert others == [] and [r for r in logs if r.levelno >= logging.WARNING] == []
        with torch.no_grad():
            outputs.append(adapted(input_ids).logits)
    assert not torch.allclose(outputs[0].float(), outputs[1].float(), atol=0.05)


@claim(
    "Every LoRA matrix of the file is loaded into Llama bit for bit, and the adapter is active: "
    "it changes Llama's output."
)
def loaded_and_active(model):
    from safetensors.torch import load_file

    saved = load_file("mistral-adapter/adapter_model.safetensors")
    params = dict(model.named_parameters())
    for key, tensor in saved.items():
        name = key.replace(".lora_A.weight", ".lora_A.default.weight").replace(
            ".lora_B.weight", ".lora_B.default.weight"
        )
        assert torch.equal(params[name], tensor), name
    input_ids = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        adapted = model(input_ids).logits
        with model.disable_adapter():
            plain = model(input_ids).logits
    assert not torch.allclose(adapted.float(), plain.float(), atol=0.05)


@claim(
    "It is silent at full size too: in the real configs, Mistral-7B-v0.1 and "
    "Llama-3.1-8B-Instruct both have 32 layers, and each of the seven projections has the same "
    "shape in both (built on the meta device)."
)
def same_shapes_full_size():
    mistral = meta_model("mistralai/Mistral-7B-v0.1")
    llama = meta_model("meta-llama/Llama-3.1-8B-Instruct")
    assert len(mistral.model.layers) == len(llama.model.layers) == 32

    def shapes(model):
        layer = model.model.layers[0]
        return {
            n.rsplit(".", 1)[-1]: tuple(m.weight.shape)
            for n, m in layer.named_modules()
            if isinstance(m, torch.nn.Linear)
        }

    assert shapes(mistral) == shapes(llama)
    assert set(shapes(llama)) == set(SEVEN)
    assert mistral.config.vocab_size != llama.config.vocab_size  # LoRA does not touch these
    return ", ".join(f"{k} {v[1]}->{v[0]}" for k, v in sorted(shapes(llama).items()))


@claim(
    "The only trace is in the config: `peft_config[...].base_model_name_or_path` still names "
    "Mistral while the base model's `name_or_path` is Llama."
)
def only_trace(model, llama):
    assert model.peft_config["default"].base_model_name_or_path == "mistralai/Mistral-7B-v0.1"
    assert model.get_base_model() is llama
    assert llama.name_or_path == "meta-llama/Llama-3.1-8B-Instruct"
