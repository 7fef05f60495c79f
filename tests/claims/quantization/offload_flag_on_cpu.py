import torch

from kb.claims import claim

EETQ_LINE = (
    "You are loading your model using eetq but no linear modules were found in your model. "
    "Please double check your model architecture, or submit an issue on github if you think "
    "this is a bug."
)


def linears(model):
    return [m for m in model.modules() if isinstance(m, torch.nn.Linear)]


@claim(
    'With `llm_int8_enable_fp32_cpu_offload=True`, a module mapped to `"cpu"` is not '
    "quantized: with every module on the CPU, no layer becomes `Linear8bitLt` and every weight "
    "stays in the bfloat16 of `dtype`, not float32."
)
def flag_keeps_cpu_modules(with_flag):
    import bitsandbytes as bnb

    layers = linears(with_flag)
    assert layers and not any(isinstance(m, bnb.nn.Linear8bitLt) for m in layers)
    assert all(type(m) is torch.nn.Linear for m in layers)
    assert {p.dtype for p in with_flag.parameters()} == {torch.bfloat16}
    assert with_flag.is_loaded_in_8bit is True  # flagged as 8-bit all the same
    return f"{len(layers)} plain Linear layers, all bfloat16"


@claim(
    "transformers then logs a misleading line that names another library: "
    '"You are loading your model using eetq but no linear modules were found in your model."'
)
def misleading_log(log):
    assert log.count(EETQ_LINE) == 1
    return EETQ_LINE


@claim(
    'Without the flag the same all-`"cpu"` map is accepted and quantized: every decoder Linear '
    "becomes `Linear8bitLt` with int8 weights, on the CPU."
)
def no_flag_quantizes(without_flag):
    import bitsandbytes as bnb

    quantized = [m for m in linears(without_flag) if isinstance(m, bnb.nn.Linear8bitLt)]
    assert len(quantized) == 7 * without_flag.config.num_hidden_layers
    assert all(m.weight.dtype == torch.int8 for m in quantized)
    assert {p.device.type for p in without_flag.parameters()} == {"cpu"}
    return f"{len(quantized)} Linear8bitLt layers"


@claim(
    'With `device_map="auto"` the flag does not keep offloaded modules in 16-bit: the layers '
    "are converted before the map is computed, so the blocks Accelerate sends to the CPU or "
    'the disk are still `Linear8bitLt` (checked on Mistral-7B-v0.1 with `max_memory={"cpu": "1MB"}`).',
    needs="cpu",
)
def auto_map_still_8bit():
    import bitsandbytes as bnb
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    model = AutoModelForCausalLM.from_pretrained(
        "mistralai/Mistral-7B-v0.1",  # untied: Accelerate splits it block by block
        quantization_config=BitsAndBytesConfig(
            load_in_8bit=True, llm_int8_enable_fp32_cpu_offload=True
        ),
        device_map="auto",
        max_memory={"cpu": "1MB"},
        dtype=torch.bfloat16,
    )
    offloaded = {k: v for k, v in model.hf_device_map.items() if k.startswith("model.layers.")}
    assert set(offloaded.values()) <= {"cpu", "disk"} and "disk" in offloaded.values()
    for name in offloaded:
        block = model.get_submodule(name)
        kinds = {type(m) for m in block.modules() if isinstance(m, torch.nn.Linear)}
        assert kinds == {bnb.nn.Linear8bitLt}, (name, kinds)
    return ", ".join(f"{k}: {v}" for k, v in offloaded.items()) + ", all Linear8bitLt"


@claim(
    '`device_map="cpu"` loads quantized without the flag as well: every decoder Linear is a '
    "`Linear8bitLt` on the CPU."
)
def cpu_string_quantizes(model_id):
    import bitsandbytes as bnb
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    model = AutoModelForCausalLM.from_pretrained(
        model_id,
        quantization_config=BitsAndBytesConfig(load_in_8bit=True),
        device_map="cpu",
        dtype=torch.bfloat16,
    )
    quantized = [m for m in linears(model) if isinstance(m, bnb.nn.Linear8bitLt)]
    assert len(quantized) == 7 * model.config.num_hidden_layers
    assert {p.device.type for p in model.parameters()} == {"cpu"}
