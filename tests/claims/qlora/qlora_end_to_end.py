import json

import pytest
import torch

from kb.claims import below, claim
from kb.standin import load_registry

# The GPU job loads the full-size 8B model twice (train, then reload).
TIMEOUT = 900

MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"
SMALL_ID = "Qwen/Qwen2.5-0.5B-Instruct"
TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def _targets(model):
    return [(n, m) for n, m in model.named_modules() if n.rsplit(".", 1)[-1] in TARGETS]


def _file_key(name):
    # model.layers.0.self_attn.q_proj.lora_A.default.weight
    # -> base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight
    return "base_model.model." + name.replace(".default.", ".")


def _fresh_4bit(bnb_config):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(
        SMALL_ID, quantization_config=bnb_config, dtype=torch.bfloat16
    )


def _futurewarning_text(record):
    texts = [str(w.message) for w in record if issubclass(w.category, FutureWarning)]
    assert texts, "no FutureWarning"
    return texts[0]


@claim(
    "Every targeted projection of the base keeps a bitsandbytes `Linear4bit` underneath its "
    "LoRA wrapper, holding packed `uint8` nf4 weights and computing in bfloat16."
)
def base_is_4bit(model, reloaded):
    import bitsandbytes as bnb
    from peft.tuners.lora.bnb import Linear4bit as LoraLinear4bit

    for m in (model, reloaded):
        targets = _targets(m)
        assert len(targets) == len(TARGETS) * m.config.num_hidden_layers
        for name, module in targets:
            assert isinstance(module, LoraLinear4bit), name
            base = module.base_layer
            assert type(base) is bnb.nn.Linear4bit, name
            assert base.weight.dtype == torch.uint8
            assert base.weight.quant_state.quant_type == "nf4"
            assert base.compute_dtype == torch.bfloat16


@claim(
    "`prepare_model_for_kbit_training` froze the whole base and cast every parameter that is "
    "not 4-bit (embeddings, norms, `lm_head`) from bfloat16 to float32."
)
def prepare_froze_and_upcast(model, reloaded):
    base = {n: p for n, p in model.named_parameters() if "lora_" not in n}
    assert not any(p.requires_grad for p in base.values())
    floats = {n: p for n, p in base.items() if p.dtype != torch.uint8}
    assert floats and {p.dtype for p in floats.values()} == {torch.float32}
    assert model.lm_head.weight.dtype == torch.float32
    assert model.get_input_embeddings().weight.dtype == torch.float32
    # the same parameters, loaded again without the preparation, are bfloat16
    assert reloaded.lm_head.weight.dtype == torch.bfloat16


@claim(
    "`use_gradient_checkpointing=False` plus `model.activation_checkpointing_enable()` turns "
    "activation checkpointing on without any warning (`is_activation_checkpointing` is True)."
)
def checkpointing_on(output):
    assert output.splitlines()[0] == "True"


@claim(
    "Left at its default `use_gradient_checkpointing=True`, `prepare_model_for_kbit_training` "
    "calls the deprecated `gradient_checkpointing_enable`, and transformers 5.23 emits a "
    "`FutureWarning`."
)
def prepare_default_warns(bnb_config):
    from peft import prepare_model_for_kbit_training

    fresh = _fresh_4bit(bnb_config)
    with pytest.warns(FutureWarning) as record:
        prepare_model_for_kbit_training(fresh)
    text = _futurewarning_text(record)
    assert text == (
        "`gradient_checkpointing_enable` is deprecated and will be removed in v6. "
        "Use `activation_checkpointing_enable` instead."
    )
    assert fresh.is_activation_checkpointing is True
    return f"FutureWarning: {text}"


@claim(
    "peft's `get_peft_model` reads the deprecated `is_gradient_checkpointing` property of the "
    "model, so wrapping any transformers 5.23 model in a `PeftModel` emits a `FutureWarning` "
    "(and it upcasts the LoRA weights to float32 itself); `model.add_adapter` warns nothing."
)
def get_peft_model_warns(bnb_config, lora_config):
    import warnings

    from peft import PeftModel, get_peft_model

    fresh = _fresh_4bit(bnb_config)
    with pytest.warns(FutureWarning) as record:
        wrapped = get_peft_model(fresh, lora_config)
    assert isinstance(wrapped, PeftModel)
    upcast = {p.dtype for n, p in wrapped.named_parameters() if "lora_" in n}
    assert upcast == {torch.float32}
    text = _futurewarning_text(record)
    assert text == (
        "`is_gradient_checkpointing` is deprecated and will be removed in v6. "
        "Use `is_activation_checkpointing` instead."
    )
    other = _fresh_4bit(bnb_config)
    with warnings.catch_warnings(record=True) as quiet:
        warnings.simplefilter("always")
        other.add_adapter(lora_config)
    assert not [w for w in quiet if issubclass(w.category, (FutureWarning, DeprecationWarning))]
    return f"FutureWarning: {text}"


@claim(
    "`add_adapter` creates the LoRA matrices in the 4-bit layers' compute dtype (bfloat16); "
    "after the cast, the trainable parameters are exactly the `lora_A` and `lora_B` matrices, "
    "all float32."
)
def lora_dtypes(output, lora_params, model):
    assert output.splitlines()[1] == "{torch.bfloat16}"
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == set(lora_params)
    kinds = {n.split(".")[-3] for n in trainable}
    assert kinds == {"lora_A", "lora_B"}
    assert {p.dtype for p in lora_params.values()} == {torch.float32}
    assert type(model).__name__ == "LlamaForCausalLM"


@claim(
    "The trainable parameter count is exactly layers × r × the sum of (in + out) features of the "
    "seven projections."
)
def trainable_formula(model, lora_params, lora_config):
    c = model.config
    h, i, kv = c.hidden_size, c.intermediate_size, c.num_key_value_heads * c.head_dim
    per_layer = lora_config.r * (2 * h + 2 * (h + kv) + 2 * h + 2 * (h + i) + (i + h))
    count = sum(p.numel() for p in lora_params.values())
    assert count == c.num_hidden_layers * per_layer
    return f"{count:,} trainable parameters in this run"


@claim(
    "At full size, r=16 on all seven projections of Llama-3.1-8B-Instruct trains 41,943,040 "
    "parameters: 0.52% of the 8,072,204,288 parameters of the adapted model, 168 MB in float32."
)
def trainable_full_size(lora_config):
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = dict(load_registry()[MODEL_ID].config)
    cfg.pop("torch_dtype", None)
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    with torch.device("meta"):
        meta = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
        meta.add_adapter(lora_config)
    lora = sum(p.numel() for n, p in meta.named_parameters() if "lora_" in n)
    total = sum(p.numel() for p in meta.parameters())
    assert all(p.is_meta for p in meta.parameters())
    assert lora == 41_943_040 == 32 * 16 * 81_920
    assert total == 8_072_204_288 == 8_030_261_248 + lora
    assert f"{100 * lora / total:.2f}" == "0.52"
    assert round(lora * 4 / 1e6) == 168
    return (
        f"{lora:,} trainable of {total:,} ({100 * lora / total:.4f}%); "
        f"{lora * 4 / 1e6:.1f} MB as float32"
    )


@claim(
    "One optimizer step ran, and it moved only the `lora_B` matrices: they start at zero, so "
    "the first step gives `lora_A` no gradient; every `lora_A` is unchanged."
)
def step_moved_lora_b(trainer, before, lora_params, output):
    assert trainer.state.global_step == 1
    assert output.splitlines()[2] == "{'lora_B'}"
    for name, p in lora_params.items():
        if ".lora_B." in name:
            assert not before[name].any(), f"{name} did not start at zero"
            assert p.any(), f"{name} is still zero"
        else:
            assert torch.equal(p, before[name]), name


@claim(
    "The step did not touch the base: its 4-bit weights are byte for byte those of a fresh load "
    "of the checkpoint, and its float32 norms and embeddings equal the fresh bfloat16 ones."
)
def base_unchanged(model, reloaded):
    trained = dict(model.named_parameters())
    fresh = dict(reloaded.named_parameters())
    base_names = [n for n in trained if "lora_" not in n]
    assert set(base_names) == {n for n in fresh if "lora_" not in n}
    for name in base_names:
        a, b = trained[name], fresh[name]
        if a.dtype == torch.uint8:
            assert torch.equal(a, b), name
        else:
            assert torch.equal(a, b.float()), name
    for (_, m1), (_, m2) in zip(_targets(model), _targets(reloaded), strict=True):
        s1, s2 = m1.base_layer.weight.quant_state, m2.base_layer.weight.quant_state
        assert torch.equal(s1.absmax, s2.absmax)


@claim(
    "`save_pretrained` on the adapted model writes the adapter alone: `adapter_config.json`, "
    "`adapter_model.safetensors` and `generation_config.json`, and no base weights."
)
def saved_files(output):
    assert output.splitlines()[3] == (
        "['adapter_config.json', 'adapter_model.safetensors', 'generation_config.json']"
    )


@claim(
    "`adapter_config.json` names the base (`base_model_name_or_path`) and the LoRA settings; "
    "`adapter_model.safetensors` holds every trained LoRA matrix bit for bit, in float32."
)
def saved_content(lora_params):
    from safetensors.torch import load_file

    with open("my-adapter/adapter_config.json") as f:
        config = json.load(f)
    assert config["base_model_name_or_path"] == MODEL_ID
    assert config["peft_type"] == "LORA"
    assert (config["r"], config["lora_alpha"]) == (16, 32)
    assert sorted(config["target_modules"]) == sorted(TARGETS)
    tensors = load_file("my-adapter/adapter_model.safetensors")
    assert set(tensors) == {_file_key(n) for n in lora_params}
    for name, p in lora_params.items():
        saved = tensors[_file_key(name)]
        assert saved.dtype == torch.float32
        assert torch.equal(saved, p.detach().cpu())


@claim(
    "Loading the adapter folder with `from_pretrained` loads the base it names in 4-bit and "
    "attaches the adapter for inference: eval mode, nothing trainable, LoRA weights in bfloat16 "
    "(the trained float32 values rounded)."
)
def reload_for_inference(reloaded, lora_params):
    assert type(reloaded).__name__ == "LlamaForCausalLM"
    assert reloaded.name_or_path == MODEL_ID
    assert reloaded.is_loaded_in_4bit is True
    assert reloaded.active_adapters() == ["default"]
    assert reloaded.training is False
    assert not any(p.requires_grad for p in reloaded.parameters())
    loaded = {n: p for n, p in reloaded.named_parameters() if "lora_" in n}
    assert set(loaded) == set(lora_params)
    for name, p in loaded.items():
        assert p.dtype == torch.bfloat16
        assert torch.equal(p, lora_params[name].detach().to(torch.bfloat16))


@claim(
    "The reloaded model's logits differ from the trained model's by less than a tenth of what "
    "the adapter itself changes."
)
def outputs_agree(trained_logits, reloaded_logits, reloaded, inputs, output):
    assert output.splitlines()[4] == "True"
    with torch.no_grad():
        reloaded.disable_adapters()
        base_logits = reloaded(**inputs).logits
        reloaded.enable_adapters()
    error = (trained_logits.float() - reloaded_logits.float()).abs().max().item()
    effect = (reloaded_logits.float() - base_logits.float()).abs().max().item()
    assert effect > 0
    below(error, effect / 10)
    return f"largest logit difference {error:.4f}; the adapter itself moves logits by up to {effect:.4f}"


@claim(
    "The collator pads with the tokenizer's pad token and copies the inputs into the labels, "
    "with -100 (ignored by the loss) wherever the input is the pad token: with the end-of-"
    "sequence token as pad token, real end-of-sequence tokens drop out of the loss too."
)
def collator_labels(tokenizer):
    from transformers import AutoTokenizer, DataCollatorForLanguageModeling

    texts = ["Short.", "A somewhat longer sentence."]
    batch = DataCollatorForLanguageModeling(tokenizer, mlm=False)([tokenizer(t) for t in texts])
    pad = batch["input_ids"] == tokenizer.pad_token_id
    assert pad.any() and tokenizer.pad_token == "<|finetune_right_pad_id|>"
    assert (batch["labels"][pad] == -100).all()
    assert torch.equal(batch["labels"][~pad], batch["input_ids"][~pad])

    eos_as_pad = AutoTokenizer.from_pretrained(MODEL_ID)
    eos_as_pad.pad_token = eos_as_pad.eos_token
    ids = [eos_as_pad(t)["input_ids"] + [eos_as_pad.eos_token_id] for t in texts]
    batch = DataCollatorForLanguageModeling(eos_as_pad, mlm=False)([{"input_ids": i} for i in ids])
    real_eos = batch["input_ids"][0, len(ids[0]) - 1]
    assert real_eos == eos_as_pad.eos_token_id
    assert batch["labels"][0, len(ids[0]) - 1] == -100


@claim(
    "`activation_checkpointing_disable()` turned checkpointing off and removed the embedding "
    "hook that `activation_checkpointing_enable()` had registered."
)
def checkpointing_off_for_inference(model):
    assert model.is_activation_checkpointing is False
    assert not getattr(model, "_require_grads_hooks", [])
    assert model.training is False


@claim(
    'On a GPU, `device_map="auto"` puts both the trained and the reloaded model on `cuda:0`.',
    needs="gpu",
)
def on_gpu(model, reloaded):
    assert {str(p.device) for p in model.parameters()} == {"cuda:0"}
    assert {str(p.device) for p in reloaded.parameters()} == {"cuda:0"}


@claim("Without a GPU, the whole run happens on the CPU.", needs="cpu")
def on_cpu(model, reloaded):
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    assert {p.device.type for p in reloaded.parameters()} == {"cpu"}


@claim(
    "peft's `get_nb_trainable_parameters()` (what `print_trainable_parameters()` prints) counts "
    "the same way: each 4-bit weight as one parameter, LoRA included in the total."
)
def peft_count_convention(bnb_config, lora_config):
    import warnings

    from peft import get_peft_model
    from transformers import AutoModelForCausalLM

    fresh = _fresh_4bit(bnb_config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # the is_gradient_checkpointing one
        wrapped = get_peft_model(fresh, lora_config)
    trainable, total = wrapped.get_nb_trainable_parameters()
    with torch.device("meta"):
        meta = AutoModelForCausalLM.from_config(fresh.config, dtype=torch.bfloat16)
        meta.add_adapter(lora_config)
    assert trainable == sum(p.numel() for n, p in meta.named_parameters() if "lora_" in n)
    assert total == sum(p.numel() for p in meta.parameters())
