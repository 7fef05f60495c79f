import json
import os
import shutil

import pytest
import torch

from kb.claims import below, claim

BASE_ID = "Qwen/Qwen2.5-0.5B-Instruct"


def _lora(model):
    return {n: p for n, p in model.named_parameters() if "lora_" in n}


@claim(
    "`adapter_config.json` names the base model (`base_model_name_or_path`) but records no "
    "revision of it (`revision` is None)."
)
def config_names_base(adapter_config, base_id, output):
    assert output.splitlines()[0] == "Qwen/Qwen2.5-0.5B-Instruct None"
    assert base_id == BASE_ID
    assert adapter_config.revision is None
    with open("my-adapter/adapter_config.json") as f:
        raw = json.load(f)
    assert raw["base_model_name_or_path"] == BASE_ID
    assert raw["revision"] is None


@claim(
    "`load_adapter` attaches the adapter for inference: the model stays in eval mode, no "
    "parameter is trainable, the adapter is active and marked `inference_mode`."
)
def loaded_for_inference(model, output):
    assert output.splitlines()[1] == "['default'] False False"
    assert model.training is False
    assert not any(p.requires_grad for p in model.parameters())
    assert model.active_adapters() == ["default"]
    assert model.peft_config["default"].inference_mode is True


@claim(
    "The LoRA weights take the base's dtype (bfloat16) and sit only on the target modules, "
    "`q_proj` and `v_proj`; the model stays a plain transformers class."
)
def lora_layout(model):
    lora = _lora(model)
    assert lora and {p.dtype for p in lora.values()} == {torch.bfloat16}
    assert {n.split(".")[-4] for n in lora} == {"q_proj", "v_proj"}
    assert type(model).__name__ == "Qwen2ForCausalLM"


@claim("The adapter weights sit on the same device as the base weights: the CPU here.", needs="cpu")
def same_device_cpu(model):
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    assert model.device.type == "cpu"


@claim('On a GPU, `device_map="auto"` puts the base and the adapter on `cuda:0`.', needs="gpu")
def same_device_gpu(model):
    assert {str(p.device) for p in model.parameters()} == {"cuda:0"}


@claim(
    "The adapter changes the outputs: with `disable_adapters()` the logits differ, and "
    "`enable_adapters()` brings them back exactly."
)
def adapter_applied(model, inputs):
    with torch.no_grad():
        on = model(**inputs).logits
        model.disable_adapters()
        off = model(**inputs).logits
        model.enable_adapters()
        again = model(**inputs).logits
    assert not torch.equal(on, off)
    assert torch.equal(on, again)


@claim(
    "`from_pretrained` on the adapter folder does both steps in one call: it loads the base "
    "named in `adapter_config.json` and attaches the adapter, giving the same logits."
)
def one_call(model, inputs):
    from transformers import AutoModelForCausalLM

    direct = AutoModelForCausalLM.from_pretrained(
        "my-adapter", dtype=torch.bfloat16, device_map="auto"
    )
    assert type(direct).__name__ == "Qwen2ForCausalLM"
    assert direct.name_or_path == BASE_ID
    assert direct.active_adapters() == ["default"] and direct.training is False
    with torch.no_grad():
        assert torch.equal(direct(**inputs).logits, model(**inputs).logits)


@claim(
    "`generate` samples with the base model's `generation_config.json` (for Qwen2.5-Instruct: "
    "`do_sample=True`, temperature 0.7, top_p 0.8, top_k 20, repetition penalty 1.1) and stops "
    "within `max_new_tokens`."
)
def generation_config_from_base(model, output, inputs, base_id):
    from transformers import GenerationConfig

    assert output.splitlines()[2] == "True 0.7"
    shipped = GenerationConfig.from_pretrained(base_id)
    g = model.generation_config
    for field in ("do_sample", "temperature", "top_p", "top_k", "repetition_penalty"):
        assert getattr(g, field) == getattr(shipped, field), field
    assert (g.do_sample, g.temperature, g.top_p, g.top_k, g.repetition_penalty) == (
        True,
        0.7,
        0.8,
        20,
        1.1,
    )


@claim("The reply holds between 1 and 16 new tokens, generated without gradients.")
def new_tokens(generated, inputs, reply):
    new = generated.shape[1] - inputs["input_ids"].shape[1]
    assert 1 <= new <= 16
    assert generated.requires_grad is False
    assert isinstance(reply, str)
    return f"{new} new tokens"


@claim(
    "The `generation_config.json` that `save_pretrained` writes next to the adapter is not "
    "read back: loading the folder takes the base's generation config."
)
def adapter_generation_config_ignored():
    from transformers import AutoModelForCausalLM

    shutil.copytree("my-adapter", "edited-adapter")
    with open("edited-adapter/generation_config.json") as f:
        edited = json.load(f)
    edited["temperature"] = 0.1
    with open("edited-adapter/generation_config.json", "w") as f:
        json.dump(edited, f)
    loaded = AutoModelForCausalLM.from_pretrained("edited-adapter", dtype=torch.bfloat16)
    assert loaded.generation_config.temperature == 0.7


@claim(
    "The adapter folder holds no tokenizer: `AutoTokenizer.from_pretrained` on it fails with a "
    "`ValueError` about the backend tokenizer; load the tokenizer from the base id."
)
def no_tokenizer_in_adapter(tokenizer):
    from transformers import AutoTokenizer

    with pytest.raises(ValueError) as failure:
        AutoTokenizer.from_pretrained("my-adapter")
    text = str(failure.value)
    assert text.startswith("Couldn't instantiate the backend tokenizer from one of:")
    assert sorted(os.listdir("my-adapter")) == [
        "adapter_config.json",
        "adapter_model.safetensors",
        "generation_config.json",
    ]
    assert tokenizer.name_or_path == BASE_ID
    return text.splitlines()[0]


@claim(
    '`PeftModel.from_pretrained(base, "my-adapter")` also works, but constructing the '
    "`PeftModel` emits a `FutureWarning` about `is_gradient_checkpointing` with transformers "
    "5.23; it also upcasts the LoRA weights to float32, so its logits differ from the "
    "`load_adapter` ones by bfloat16 rounding only."
)
def peft_model_path_warns(model, inputs):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(BASE_ID, dtype=torch.bfloat16, device_map="auto")
    with pytest.warns(FutureWarning) as record:
        wrapped = PeftModel.from_pretrained(base, "my-adapter")
    texts = [str(w.message) for w in record if issubclass(w.category, FutureWarning)]
    assert texts[0] == (
        "`is_gradient_checkpointing` is deprecated and will be removed in v6. "
        "Use `is_activation_checkpointing` instead."
    )
    assert wrapped.training is False
    assert {p.dtype for p in _lora(wrapped).values()} == {torch.float32}
    with torch.no_grad():
        theirs = wrapped(**inputs).logits.float()
        ours = model(**inputs).logits.float()
        model.disable_adapters()
        plain = model(**inputs).logits.float()
        model.enable_adapters()
    difference = (theirs - ours).abs().max().item()
    below(difference, (ours - plain).abs().max().item() / 10)
    return f"FutureWarning: {texts[0]}"
