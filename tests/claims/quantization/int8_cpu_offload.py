import torch

from kb.claims import claim

# Loading the full-size 7B stand-in from disk takes minutes on the GPU job.
TIMEOUT = 600

MESSAGE_START = "Some modules are dispatched on the CPU or the disk. "


def quantizer(offload):
    from transformers import BitsAndBytesConfig
    from transformers.quantizers import AutoHfQuantizer

    config = BitsAndBytesConfig(load_in_8bit=True, llm_int8_enable_fp32_cpu_offload=offload)
    return AutoHfQuantizer.from_config(config)


@claim(
    "The flag is what lets this map through: without it, transformers refuses the same map "
    "(`ValueError: Some modules are dispatched on the CPU or the disk...`); with it, the check "
    "passes."
)
def flag_passes_the_check(device_map):
    import pytest

    with pytest.raises(ValueError) as refused:
        quantizer(False).validate_environment(device_map=device_map)
    assert str(refused.value).startswith(MESSAGE_START)
    assert quantizer(True).validate_environment(device_map=device_map) is None


@claim(
    'With the flag, every module the map sends to `"cpu"` is left out of the conversion: '
    "the Linear layers of the last block stay `torch.nn.Linear`, those of the blocks on GPU 0 "
    "become `Linear8bitLt` (transformers' conversion step, run on the meta device)."
)
def cpu_modules_not_converted(model_id, device_map, last):
    import bitsandbytes as bnb
    from transformers import AutoConfig, AutoModelForCausalLM

    q = quantizer(True)
    with torch.device("meta"):
        skeleton = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(model_id))
    q.preprocess_model(model=skeleton, device_map=device_map, dtype=torch.bfloat16)
    kinds = {}
    for name, module in skeleton.named_modules():
        if isinstance(module, torch.nn.Linear) and name.startswith("model.layers."):
            kinds.setdefault(int(name.split(".")[2]), set()).add(type(module))
    assert kinds[last] == {torch.nn.Linear}
    assert all(kinds[i] == {bnb.nn.Linear8bitLt} for i in range(last))
    assert f"model.layers.{last}" in q.modules_to_not_convert
    return f"{last} blocks of Linear8bitLt layers, block {last} with plain Linear layers"


@claim(
    "Without a GPU this map cannot be loaded at all: the load stops with `RuntimeError: Cannot "
    "access accelerator device when none is available.`",
    needs="cpu",
)
def no_gpu_no_load(error):
    assert type(error) is RuntimeError
    assert str(error) == "Cannot access accelerator device when none is available."


@claim(
    "On a GPU the map is applied as given (`model.hf_device_map`), and every Linear layer of the "
    "blocks on GPU 0 is a `Linear8bitLt` with int8 weights on `cuda:0`.",
    needs="gpu",
)
def gpu_blocks_8bit(model, device_map, last):
    import bitsandbytes as bnb

    assert model.hf_device_map == device_map
    for i in range(last):
        for name, module in model.model.layers[i].named_modules():
            if isinstance(module, torch.nn.Linear):
                assert type(module) is bnb.nn.Linear8bitLt, (i, name)
                assert module.weight.dtype == torch.int8
                assert str(module.weight.device) == "cuda:0"


@claim(
    "The block on the CPU keeps plain `torch.nn.Linear` layers in bfloat16, not float32 as the "
    "flag's name suggests; Accelerate holds its weights off the GPU (its parameters sit on the "
    "meta device between calls) and logs that they were offloaded.",
    needs="gpu",
)
def cpu_block_bf16(model, last, log):
    block = model.model.layers[last]
    linears = [m for m in block.modules() if isinstance(m, torch.nn.Linear)]
    assert linears and all(type(m) is torch.nn.Linear for m in linears)
    params = list(block.parameters())
    assert all(p.dtype == torch.bfloat16 for p in params)
    assert {p.device.type for p in params} == {"meta"}
    assert "Some parameters are on the meta device because they were offloaded to the cpu." in log


@claim(
    "A forward pass runs: the block offloaded to the CPU is brought to the GPU for its turn, and "
    "the logits come back on `cuda:0`.",
    needs="gpu",
)
def gpu_forward(logits, inputs, model):
    assert logits.device.type == "cuda"
    assert logits.shape == (1, inputs["input_ids"].shape[1], model.config.vocab_size)
    assert torch.isfinite(logits).all()
