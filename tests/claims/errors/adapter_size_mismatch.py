import logging
import re
import traceback
import warnings

import pytest
import torch

from kb.claims import claim, load_reports, log_records
from kb.standin import load_registry

HEAD = "Error(s) in loading state_dict for PeftModelForCausalLM:"
LINE = re.compile(
    r"\tsize mismatch for (\S+): copying a param with shape torch\.Size\(\[(\d+), (\d+)\]\) "
    r"from checkpoint, the shape in current model is torch\.Size\(\[(\d+), (\d+)\]\)\."
)
SEVEN = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def saved_shapes():
    from safetensors import safe_open

    with safe_open("qwen-adapter/adapter_model.safetensors", framework="pt") as f:
        return {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}


def in_model_name(saved_name):
    """The parameter name a saved adapter tensor gets in the model (the adapter name added)."""
    return re.sub(r"\.(lora_[AB])\.weight$", r".\1.default.weight", saved_name)


@claim(
    "Loading the adapter with `PeftModel.from_pretrained` onto a base of other sizes raises "
    "`RuntimeError: Error(s) in loading state_dict for PeftModelForCausalLM:`, then one line "
    "per LoRA matrix whose shape differs: `size mismatch for <name>: copying a param with shape "
    "torch.Size([...]) from checkpoint, the shape in current model is torch.Size([...]).` The "
    "checkpoint shape is the adapter file's, the current shape is the one the new base gives."
)
def size_mismatch(error, base):
    assert type(error) is RuntimeError
    head, *lines = str(error).split("\n")
    assert head == HEAD
    shapes = saved_shapes()
    params = dict(base.named_parameters())  # the PEFT layers were injected in place
    listed = []
    for line in lines:
        match = LINE.fullmatch(line)
        assert match, line
        name = match.group(1)
        assert name.startswith("base_model.model.model.layers.")
        saved = name.replace(".default.weight", ".weight")
        assert shapes[saved] == (int(match.group(2)), int(match.group(3)))
        current = params[name.removeprefix("base_model.model.")].shape
        assert tuple(current) == (int(match.group(4)), int(match.group(5)))
        listed.append(name)
    # exactly the saved matrices whose shape differs from the new base's are listed
    expected = []
    for key, shape in shapes.items():
        name = in_model_name(key).removeprefix("base_model.model.")
        if name in params and tuple(params[name].shape) != shape:
            expected.append("base_model.model." + name)
    assert listed and sorted(listed) == sorted(expected)
    return f"{HEAD} / {lines[0].strip()} ..."


@claim(
    "torch raises it: `Module.load_state_dict` (torch/nn/modules/module.py), called by peft's "
    "`set_peft_model_state_dict` (peft/utils/save_and_load.py) from `PeftModel.load_adapter`; "
    "peft passes `strict=False`, which skips missing keys but not shape mismatches."
)
def raised_by_torch(error):
    frames = traceback.extract_tb(error.__traceback__)
    assert frames[-1].name == "load_state_dict"
    assert frames[-1].filename.replace("\\", "/").endswith("torch/nn/modules/module.py")
    names = [f.name for f in frames]
    assert names[-2] == "set_peft_model_state_dict"
    assert frames[-2].filename.replace("\\", "/").endswith("peft/utils/save_and_load.py")
    assert "strict=False" in frames[-2].line
    assert "load_adapter" in names and "from_pretrained" in names


@claim(
    "At full size every adapted layer mismatches (Qwen2.5-0.5B's hidden size is 896, "
    "Llama-3.1-8B's 4096): counted from the real configs, the message would list 336 lines, "
    "both matrices of 7 layers in each of Qwen's 24 blocks."
)
def full_size_lines():
    registry = load_registry()
    qwen = registry["Qwen/Qwen2.5-0.5B-Instruct"].config
    llama = registry["meta-llama/Llama-3.1-8B-Instruct"].config

    def shapes(c):
        head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        h, i, kv = c["hidden_size"], c["intermediate_size"], c["num_key_value_heads"] * head_dim
        linear = {
            "q_proj": (h, c["num_attention_heads"] * head_dim),
            "k_proj": (h, kv),
            "v_proj": (h, kv),
            "o_proj": (c["num_attention_heads"] * head_dim, h),
            "gate_proj": (h, i),
            "up_proj": (h, i),
            "down_proj": (i, h),
        }
        # lora_A: (r, in), lora_B: (out, r)
        return {(n, "A"): inp for n, (inp, _) in linear.items()} | {
            (n, "B"): out for n, (_, out) in linear.items()
        }

    q, lm = shapes(qwen), shapes(llama)
    differ = [k for k in q if q[k] != lm[k]]
    assert len(differ) == 14
    lines = len(differ) * qwen["num_hidden_layers"]
    assert qwen["num_hidden_layers"] == 24 and llama["num_hidden_layers"] == 32
    assert lines == 336
    return f"{lines} size-mismatch lines"


@claim(
    "Through transformers' `load_adapter` the same mistake raises `RuntimeError: You set "
    "`ignore_mismatched_sizes` to `False`, thus raising an error. For details look at the above "
    "report!` after logging a LOAD REPORT whose rows say `MISMATCH`."
)
def transformers_message():
    from transformers import AutoModelForCausalLM

    llama = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
    with log_records("transformers") as records, pytest.raises(RuntimeError) as raised:
        llama.load_adapter("qwen-adapter")
    assert str(raised.value) == (
        "You set `ignore_mismatched_sizes` to `False`, thus raising an error. "
        "For details look at the above report!"
    )
    # as the log shows it: the formatter prefixes each record with the library's name
    text = "\n".join(
        "[transformers] " + r.getMessage() for r in records if r.levelno >= logging.WARNING
    )
    reports = load_reports(text)
    assert len(reports) == 1
    cls, source, rows = reports[0]
    assert cls == "LlamaForCausalLM" and source == "qwen-adapter"
    assert rows and set(rows.values()) == {"MISMATCH"}
    assert all(".lora_" in k for k in rows)
    return str(raised.value)


@claim(
    "`ignore_mismatched_sizes=True` is no fix: it loads, but every mismatched LoRA matrix is "
    "left as a fresh initialisation instead of the trained weights."
)
def ignoring_is_no_fix():
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    llama = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
    with warnings.catch_warnings(), log_records("transformers"):
        warnings.simplefilter("ignore")
        llama.load_adapter("qwen-adapter", ignore_mismatched_sizes=True)
    saved = load_file("qwen-adapter/adapter_model.safetensors")
    params = dict(llama.named_parameters())
    mismatched = 0
    for key, tensor in saved.items():
        name = in_model_name(key).removeprefix("base_model.model.")
        if name not in params:
            continue
        if params[name].shape != tensor.shape:
            mismatched += 1
            assert ".lora_" in name
    assert mismatched > 0
    gate = llama.model.layers[0].mlp.gate_proj
    # a fresh lora_B is zeros: the trained update is gone for this layer
    assert torch.count_nonzero(gate.lora_B["default"].weight) == 0
