import torch

from kb.claims import claim

MESSAGE = (
    "Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM to "
    "fit the quantized model. If you want to dispatch the model on the CPU or the disk while "
    "keeping these modules in 32-bit, you need to set `llm_int8_enable_fp32_cpu_offload=True` "
    "and pass a custom `device_map` to `from_pretrained`. Check "
    "https://huggingface.co/docs/transformers/main/en/main_classes/quantization#offload-between-"
    "cpu-and-gpu for more details. "
)


@claim(
    'A quantized load whose `device_map` sends a module to `"cpu"` raises `ValueError: Some '
    "modules are dispatched on the CPU or the disk. ...`, naming "
    "`llm_int8_enable_fp32_cpu_offload=True` as the way out."
)
def raises_value_error(error):
    assert type(error) is ValueError
    assert str(error) == MESSAGE


@claim(
    "It is raised before any weight is read or any GPU is touched, by the bitsandbytes "
    "quantizer's `validate_environment`, so a machine without a GPU shows it too."
)
def raised_by_validate_environment(error):
    import traceback

    frames = [f.name for f in traceback.extract_tb(error.__traceback__)]
    assert frames[-1] == "validate_environment", frames
    assert "get_hf_quantizer" in frames
    assert "_load_pretrained_model" not in frames


@claim(
    "Only `lm_head` is on the CPU here, and that alone is refused: in transformers 5 any "
    '`"cpu"` or `"disk"` entry counts, unless every entry is `"cpu"`.'
)
def lm_head_alone_refused(device_map):
    from transformers import BitsAndBytesConfig
    from transformers.quantizers import AutoHfQuantizer

    assert [k for k, v in device_map.items() if v == "cpu"] == ["lm_head"]
    q = AutoHfQuantizer.from_config(BitsAndBytesConfig(load_in_4bit=True))
    all_cpu = dict.fromkeys(device_map, "cpu")
    assert q.validate_environment(device_map=all_cpu) is None
    cpu_and_disk = {**all_cpu, "lm_head": "disk"}
    try:
        q.validate_environment(device_map=cpu_and_disk)
    except ValueError as refused:
        assert str(refused) == MESSAGE
    else:
        raise AssertionError("a map with a disk entry passed")


@claim(
    "The 8-bit quantizer raises the same message for the same map.",
)
def same_for_8bit(device_map):
    import pytest
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    with pytest.raises(ValueError) as refused:
        AutoModelForCausalLM.from_pretrained(
            "mistralai/Mistral-7B-v0.1",
            quantization_config=BitsAndBytesConfig(load_in_8bit=True),
            device_map=device_map,
            dtype=torch.bfloat16,
        )
    assert str(refused.value) == MESSAGE


@claim(
    'With `device_map="auto"` it comes after the map is computed, as soon as Accelerate puts '
    'a module on the CPU or the disk (here with `max_memory={"cpu": "200KB"}` on a machine '
    "without a GPU).",
    needs="cpu",
)
def auto_map_spills():
    import traceback

    import pytest
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    with pytest.raises(ValueError) as refused:
        AutoModelForCausalLM.from_pretrained(
            "mistralai/Mistral-7B-v0.1",
            quantization_config=BitsAndBytesConfig(load_in_4bit=True),
            device_map="auto",
            max_memory={"cpu": "200KB"},
            dtype=torch.bfloat16,
        )
    assert str(refused.value) == MESSAGE
    frames = [f.name for f in traceback.extract_tb(refused.value.__traceback__)]
    assert "_get_device_map" in frames


@claim(
    "Adding `llm_int8_enable_fp32_cpu_offload=True` to the same 4-bit config lets the same map "
    "through the check: the flag is read by the 4-bit quantizer too."
)
def flag_fixes_4bit(device_map):
    from transformers import BitsAndBytesConfig
    from transformers.quantizers import AutoHfQuantizer

    config = BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_compute_dtype=torch.bfloat16,
        llm_int8_enable_fp32_cpu_offload=True,
    )
    quantizer = AutoHfQuantizer.from_config(config)
    assert type(quantizer).__name__ == "Bnb4BitHfQuantizer"
    assert quantizer.validate_environment(device_map=device_map) is None
