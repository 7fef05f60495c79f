import json
import os
import warnings

import torch

from kb.claims import below, claim
from kb.standin import load_registry

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def quiet_get_peft_model(model, config, **kwargs):
    from peft import get_peft_model

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated")
        return get_peft_model(model, config, **kwargs)


def full_size(model_id):
    """(adapter parameters, base parameters, base bytes) of r=16 LoRA on all seven
    projections of the real, full-size model, built on the meta device."""
    from peft import LoraConfig
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = dict(load_registry()[model_id].config)
    cfg.pop("torch_dtype", None)
    config = AutoConfig.for_model(cfg.pop("model_type"), **cfg)
    with torch.device("meta"):
        base = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    base_params = sum(p.numel() for p in base.parameters())
    base_bytes = sum(p.numel() * p.element_size() for p in base.parameters())
    lora = LoraConfig(r=16, lora_alpha=32, target_modules=TARGETS, task_type="CAUSAL_LM")
    peft_model = quiet_get_peft_model(base, lora)
    adapter = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    return adapter, base_params, base_bytes


@claim(
    "`save_pretrained` on a PEFT model writes three files: `adapter_config.json`, "
    "`adapter_model.safetensors` and a `README.md` model card; no base weights and no config.json."
)
def three_files():
    assert sorted(os.listdir("my-adapter")) == [
        "README.md",
        "adapter_config.json",
        "adapter_model.safetensors",
    ]


@claim(
    "`adapter_config.json` records the base model's id as it was passed to `from_pretrained` "
    "(`base_model_name_or_path`), the LoRA settings (`r`, `lora_alpha`, `lora_dropout`, "
    "`target_modules`, `bias`, `fan_in_fan_out`), `peft_type`, `task_type` and the peft version; "
    "`revision` is null; `inference_mode` is saved as true even from a model being trained."
)
def config_fields(adapter_config, model_id, model):
    c = adapter_config
    assert c["base_model_name_or_path"] == model_id == model.get_base_model().name_or_path
    assert c["revision"] is None
    assert c["peft_type"] == "LORA" and c["task_type"] == "CAUSAL_LM"
    assert c["r"] == 16 and c["lora_alpha"] == 32 and c["lora_dropout"] == 0.05
    assert sorted(c["target_modules"]) == sorted(TARGETS)
    assert c["bias"] == "none" and c["fan_in_fan_out"] is False
    assert c["peft_version"] == "0.21.2"
    assert c["inference_mode"] is True
    assert model.peft_config["default"].inference_mode is False


@claim(
    "The base's revision is recorded only if you pass it to `get_peft_model(..., revision=...)`; "
    "loading the base with `revision=` does not put it into the adapter config."
)
def revision_only_when_passed(model_id):
    from huggingface_hub import hf_hub_download
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM

    commit = os.path.basename(os.path.dirname(hf_hub_download(model_id, "config.json")))
    assert len(commit) == 40
    pinned_base = AutoModelForCausalLM.from_pretrained(model_id, revision=commit)
    lora = LoraConfig(r=4, target_modules=["q_proj"], task_type="CAUSAL_LM")
    quiet_get_peft_model(pinned_base, lora).save_pretrained("unrecorded")
    pinned_base = AutoModelForCausalLM.from_pretrained(model_id, revision=commit)
    lora = LoraConfig(r=4, target_modules=["q_proj"], task_type="CAUSAL_LM")
    quiet_get_peft_model(pinned_base, lora, revision=commit).save_pretrained("recorded")
    with open("unrecorded/adapter_config.json") as f:
        assert json.load(f)["revision"] is None
    with open("recorded/adapter_config.json") as f:
        assert json.load(f)["revision"] == commit


@claim(
    "`adapter_model.safetensors` holds only the LoRA matrices, two per targeted Linear of every "
    "layer, named `base_model.model.<module path>.lora_A.weight` / `.lora_B.weight` (without "
    "the adapter name, which the loaded model adds: `lora_A.default.weight`); `lora_A` is "
    "r x in_features, `lora_B` is out_features x r."
)
def tensor_names_and_shapes(names, model):
    from safetensors import safe_open

    inner = model.get_base_model()
    layers = len(inner.model.layers)
    assert len(names) == 2 * len(TARGETS) * layers
    with safe_open("my-adapter/adapter_model.safetensors", framework="pt") as f:
        for name in names:
            assert name.startswith("base_model.model.model.layers.")
            path, matrix = name.removeprefix("base_model.model.").rsplit(".", 2)[:2]
            assert matrix in ("lora_A", "lora_B") and ".default" not in name
            linear = inner.get_submodule(path).base_layer
            assert type(linear) is torch.nn.Linear
            shape = tuple(f.get_slice(name).get_shape())
            if matrix == "lora_A":
                assert shape == (16, linear.in_features), (name, shape)
            else:
                assert shape == (linear.out_features, 16), (name, shape)
    in_memory = {n for n, _ in model.named_parameters() if "lora_" in n}
    assert {
        n.replace(".lora_A.", ".lora_A.default.").replace(".lora_B.", ".lora_B.default.")
        for n in names
    } == in_memory


@claim(
    "The saved matrices are float32 although the base is bfloat16: `get_peft_model` casts "
    "adapter weights to float32 by default; with `autocast_adapter_dtype=False` they are saved "
    "in the base's bfloat16."
)
def saved_dtype(dtypes, model_id, base):
    from peft import LoraConfig
    from safetensors import safe_open
    from transformers import AutoModelForCausalLM

    assert dtypes == {"F32"}
    assert base.model.embed_tokens.weight.dtype == torch.bfloat16
    lora = LoraConfig(r=4, target_modules=["q_proj"], task_type="CAUSAL_LM")
    fresh = AutoModelForCausalLM.from_pretrained(model_id)
    quiet_get_peft_model(fresh, lora, autocast_adapter_dtype=False).save_pretrained("bf16")
    with safe_open("bf16/adapter_model.safetensors", framework="pt") as f:
        assert {f.get_slice(n).get_dtype() for n in f.keys()} == {"BF16"}


@claim(
    "The file is the adapter's parameters at 4 bytes each plus a small header; nothing of the "
    "base is in it."
)
def file_is_the_adapter(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    size = os.path.getsize("my-adapter/adapter_model.safetensors")
    header = size - 4 * trainable
    assert header > 0
    below(header, 16_384)


@claim(
    "At full size this adapter (r=16 on all seven projections) is small next to its base: "
    "counted on the meta device from the real configs, for Qwen2.5-0.5B-Instruct and "
    "Llama-3.1-8B-Instruct:"
)
def full_size_ratio():
    qwen = full_size("Qwen/Qwen2.5-0.5B-Instruct")
    llama = full_size("meta-llama/Llama-3.1-8B-Instruct")
    # per layer: 16 x (in + out) summed over q, k, v, o, gate, up, down
    assert qwen[0] == 24 * 16 * (2 * (896 + 896) + 2 * (896 + 128) + 3 * (896 + 4864))
    assert llama[0] == 32 * 16 * (2 * (4096 + 4096) + 2 * (4096 + 1024) + 3 * (4096 + 14336))
    assert qwen[0] == 8_798_208 and llama[0] == 41_943_040
    parts = []
    for name, (adapter, base_params, base_bytes) in (
        ("Qwen2.5-0.5B", qwen),
        ("Llama-3.1-8B", llama),
    ):
        share = 4 * adapter / base_bytes
        below(share, 0.05)
        parts.append(
            f"{name}: {adapter:,} adapter parameters ({4 * adapter / 1e6:.1f} MB in float32) "
            f"against {base_params:,} base parameters ({base_bytes / 1e9:.2f} GB in bfloat16), "
            f"{100 * share:.1f}% of the base's bytes"
        )
    return "; ".join(parts)
