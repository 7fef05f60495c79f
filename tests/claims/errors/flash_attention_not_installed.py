import importlib.util

from kb.claims import claim

MESSAGE = (
    "FlashAttention2 has been toggled on, but it cannot be used due to the following error: "
    "the package for FlashAttention2 doesn't seem to be installed."
)


@claim(
    '`attn_implementation="flash_attention_2"` without the flash-attn package raises an `ImportError` '
    "saying the package doesn't seem to be installed."
)
def raises_import_error(error):
    assert type(error) is ImportError
    assert str(error) == MESSAGE


@claim(
    "The check runs while the model is constructed, in `PreTrainedModel.__init__`, before any weight is loaded."
)
def raised_before_weights(error):
    import traceback

    frames = [f.name for f in traceback.extract_tb(error.__traceback__)]
    assert frames[-1] == "_flash_attn_import_error"
    assert "_check_and_adjust_attn_implementation" in frames
    assert "__init__" in frames
    assert "_load_pretrained_model" not in frames
    return " → ".join(frames[frames.index("__init__") :])


@claim(
    "The package check comes before the device check: without flash-attn, the error names the missing package "
    "even on a machine that has no GPU either."
)
def package_checked_first(error):
    import torch

    assert importlib.util.find_spec("flash_attn") is None
    assert "doesn't seem to be installed" in str(error)
    assert "not available on CPU" not in str(error)
    return f"CUDA available: {torch.cuda.is_available()}"


@claim(
    "Requesting it later with `set_attn_implementation` fails the same way, and the model keeps its backend."
)
def runtime_switch_same_error():
    import pytest
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct", dtype=torch.bfloat16)
    with pytest.raises(ImportError) as info:
        model.set_attn_implementation("flash_attention_2")
    assert str(info.value) == MESSAGE
    assert model.config._attn_implementation == "sdpa"
