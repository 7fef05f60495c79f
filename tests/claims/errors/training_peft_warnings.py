import warnings

import torch

from kb.claims import claim
from kb.standin import load_registry

MERGE = "Merge lora module to 4-bit linear may get different generations due to rounding errors."
CONV1D = (
    "fan_in_fan_out is set to False but the target module is `Conv1D`. "
    "Setting fan_in_fan_out to True."
)
GC = (
    "`is_gradient_checkpointing` is deprecated and will be removed in v6. "
    "Use `is_activation_checkpointing` instead."
)


def caught(call):
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        result = call()
    return result, records


@claim(
    "`merge_and_unload()` on a PEFT model whose base is loaded in 4-bit emits a `UserWarning`, "
    "once for every LoRA layer it merges, from peft's `tuners/lora/bnb.py`: seven per decoder "
    "block with `all-linear`, 224 for Mistral-7B's 32 blocks."
)
def merge_warning(model_id, bnb_config, merged):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base_4bit = AutoModelForCausalLM.from_pretrained(
        model_id, quantization_config=bnb_config, dtype=torch.bfloat16
    )
    model = PeftModel.from_pretrained(base_4bit, "my-adapter")
    _, records = caught(model.merge_and_unload)
    user = [w for w in records if w.category is UserWarning]
    assert {str(w.message) for w in user} == {MERGE}
    assert len(user) == 7 * len(merged.model.layers)
    assert all(w.filename.endswith("peft/tuners/lora/bnb.py") for w in user)
    full_size_blocks = load_registry()[model_id].config["num_hidden_layers"]
    assert 7 * full_size_blocks == 224
    return f"UserWarning: {MERGE}"


@claim(
    "The warning does not stop anything: the merge completes and the layers are `Linear4bit` "
    "again, holding the re-quantized sum."
)
def merge_completes(merged):
    import bitsandbytes as bnb
    from peft.tuners.lora import LoraLayer

    assert not any(isinstance(m, LoraLayer) for m in merged.modules())
    assert isinstance(merged.model.layers[0].mlp.down_proj, bnb.nn.Linear4bit)


@claim(
    "A LoRA config without `fan_in_fan_out` on gpt2's `c_attn` (a `Conv1D`, which stores its "
    "weight transposed) emits a `UserWarning` from peft's `tuners/lora/layer.py`, and peft "
    "switches the option on itself, in the config: so it warns once per call, not once per layer."
)
def conv1d_warning(gpt2_lora):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    from transformers.pytorch_utils import Conv1D

    assert gpt2_lora.peft_config["default"].fan_in_fan_out is True
    layer = gpt2_lora.base_model.model.transformer.h[0].attn.c_attn
    assert isinstance(layer.base_layer, Conv1D) and layer.fan_in_fan_out is True
    blocks = gpt2_lora.base_model.model.transformer.h
    assert len(blocks) >= 2 and all(block.attn.c_attn.fan_in_fan_out for block in blocks)
    fresh = AutoModelForCausalLM.from_pretrained("gpt2")
    _, records = caught(lambda: get_peft_model(fresh, LoraConfig(target_modules=["c_attn"])))
    user = [w for w in records if w.category is UserWarning]
    assert [str(w.message) for w in user] == [CONV1D]
    assert user[0].filename.endswith("peft/tuners/lora/layer.py")
    return f"UserWarning: {CONV1D}"


@claim(
    "With transformers 5.23 and peft 0.21, every `get_peft_model` and `PeftModel.from_pretrained` "
    "call emits one `FutureWarning`, raised in transformers' `modeling_utils.py`: peft reads the "
    "deprecated `is_gradient_checkpointing` property."
)
def gc_warning(model_id):
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM

    def load():
        return AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)

    for call in (
        lambda: get_peft_model(load(), LoraConfig(target_modules="all-linear")),
        lambda: PeftModel.from_pretrained(load(), "my-adapter"),
    ):
        _, records = caught(call)
        future = [w for w in records if issubclass(w.category, FutureWarning)]
        assert [str(w.message) for w in future] == [GC]
        assert future[0].filename.endswith("transformers/modeling_utils.py")
    return f"FutureWarning: {GC}"


@claim(
    "`model.add_adapter(LoraConfig(...))`, transformers' own way to attach a new adapter, does "
    "not read the property and emits no `FutureWarning`."
)
def add_adapter_is_quiet(model_id):
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_id, dtype=torch.bfloat16)
    _, records = caught(lambda: model.add_adapter(LoraConfig(target_modules="all-linear")))
    assert not [w for w in records if issubclass(w.category, (FutureWarning, DeprecationWarning))]
    assert model.peft_config["default"].target_modules
