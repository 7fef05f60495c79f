import logging

import torch

from kb.claims import claim, log_records

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
TWO_GPUS = {0: "22GiB", 1: "22GiB", "cpu": "64GiB"}
ONE_SMALL_GPU = {0: "10GiB", "cpu": "64GiB"}


def real_config(model_id=LLAMA):
    """The checkpoint's real config.json (not the scaled-down stand-in's)."""
    from transformers import AutoConfig

    from kb.standin import load_registry

    values = dict(load_registry()[model_id].config)
    return AutoConfig.for_model(values.pop("model_type"), **values)


def layers_on(device_map, device):
    return [
        int(k.rsplit(".", 1)[1])
        for k, v in device_map.items()
        if k.startswith("model.layers.") and v == device
    ]


def empty(config):
    from accelerate import init_empty_weights
    from transformers import AutoModelForCausalLM

    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(config)
    model.tie_weights()
    return model


@claim(
    "The empty model built from the real Llama-3.1-8B config has all its 8.03 billion parameters on "
    "the `meta` device: about 16 GB of bfloat16 weights are planned without allocating any."
)
def empty_model_on_meta():
    model = empty(real_config())
    params = list(model.parameters())
    assert {p.device.type for p in params} == {"meta"}
    assert {p.dtype for p in params} == {torch.bfloat16}
    count = sum(p.numel() for p in params)
    assert count == 8_030_261_248
    return f"{count:,} parameters, {count * 2 / 1e9:.2f} GB in bfloat16"


@claim(
    "At full size, with two GPUs of 22 GiB each, the plan puts the whole of Llama-3.1-8B on GPU 0: "
    '`infer_auto_device_map` fills devices in order, and the map collapses to `{"": 0}`.'
)
def full_size_two_gpus(plan_device_map, two_gpus):
    plan = plan_device_map(real_config(), dict(TWO_GPUS))
    assert dict(plan) == {"": 0}
    assert dict(two_gpus) == {"": 0}  # the scaled-down stand-in fits too
    return "{'': 0}"


@claim(
    "At full size, with one 10 GiB GPU, the embeddings and decoder layers 0-18 go to GPU 0, and "
    "layers 19-31, the final norm and `lm_head` to the CPU; no decoder layer is split."
)
def full_size_one_small_gpu(plan_device_map):
    plan = plan_device_map(real_config(), dict(ONE_SMALL_GPU))
    assert plan["model.embed_tokens"] == 0
    assert layers_on(plan, 0) == list(range(19))
    assert layers_on(plan, "cpu") == list(range(19, 32))
    assert plan["model.norm"] == plan["lm_head"] == "cpu"
    assert not any(k.count(".") > 2 for k in plan)  # whole layers only
    return "GPU 0: embed_tokens, layers 0-18; CPU: layers 19-31, norm, lm_head"


@claim(
    'The plan is exactly the map `from_pretrained` computes for `device_map="sequential"` with the '
    "same `max_memory`."
)
def same_as_sequential(plan_device_map):
    from transformers.integrations.accelerate import _get_device_map

    config = real_config()
    for budget in (TWO_GPUS, ONE_SMALL_GPU):
        ours = plan_device_map(config, dict(budget))
        theirs = _get_device_map(empty(config), "sequential", dict(budget), None)
        assert dict(ours) == dict(theirs), budget


@claim(
    'With the same two 22 GiB GPUs, `from_pretrained`\'s `"auto"` and `"balanced"` split Llama-3.1-8B '
    "evenly (embeddings and layers 0-15 on GPU 0; layers 16-31, norm and `lm_head` on GPU 1), "
    '`"balanced_low_0"` puts all of it on GPU 1, and `"sequential"` all of it on GPU 0.'
)
def strategies_on_two_gpus():
    from transformers.integrations.accelerate import _get_device_map

    model = empty(real_config())
    maps = {
        s: _get_device_map(model, s, dict(TWO_GPUS), None)
        for s in ("auto", "balanced", "balanced_low_0", "sequential")
    }
    for s in ("auto", "balanced"):
        m = maps[s]
        assert m["model.embed_tokens"] == 0
        assert layers_on(m, 0) == list(range(16)) and layers_on(m, 1) == list(range(16, 32))
        assert m["model.norm"] == m["lm_head"] == 1
    assert dict(maps["balanced_low_0"]) == {"": 1}
    assert dict(maps["sequential"]) == {"": 0}
    return "auto/balanced: GPU 0 embed_tokens + layers 0-15, GPU 1 layers 16-31 + norm + lm_head; balanced_low_0: all on GPU 1; sequential: all on GPU 0"


@claim(
    "Planning for GPUs needs no GPU: on a CPU-only machine accelerate only logs that devices 0 and 1 "
    "are not available, and still returns the plan.",
    needs="cpu",
)
def no_gpu_needed(plan_device_map):
    with log_records("accelerate.utils.modeling") as records:
        plan = plan_device_map(real_config(), dict(TWO_GPUS))
    messages = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    assert "Device 0 is not available, available devices are []" in messages
    assert "Device 1 is not available, available devices are []" in messages
    assert dict(plan) == {"": 0}
    return messages[0]


@claim(
    "`init_empty_weights` leaves tied weights untied: gpt2's `lm_head` is a second matrix and "
    "Accelerate warns that the weights are not tied; `tie_weights()`, or building under "
    '`torch.device("meta")`, ties them.'
)
def tie_weights_needed():
    from accelerate import infer_auto_device_map, init_empty_weights
    from transformers import AutoModelForCausalLM

    config = real_config("gpt2")
    with init_empty_weights():
        model = AutoModelForCausalLM.from_config(config)
    assert model.lm_head.weight is not model.transformer.wte.weight
    with log_records("accelerate.utils.modeling") as records:
        infer_auto_device_map(model, max_memory={"cpu": "64GiB"})
    assert any(r.getMessage().startswith("The model weights are not tied.") for r in records)
    model.tie_weights()
    assert model.lm_head.weight is model.transformer.wte.weight
    with torch.device("meta"):
        tied = AutoModelForCausalLM.from_config(config)
    assert tied.lm_head.weight is tied.transformer.wte.weight


@claim(
    "A map must name every parameter once: a map that leaves modules out, or whose keys overlap, "
    "is refused with a `ValueError`."
)
def maps_must_cover(device_map):
    import pytest
    from transformers import AutoModelForCausalLM

    partial = {k: v for k, v in device_map.items() if k != "lm_head"}
    with pytest.raises(ValueError) as missing:
        AutoModelForCausalLM.from_pretrained("gpt2", device_map=partial)
    assert str(missing.value) == (
        "The device_map provided does not give any device for the following parameters: lm_head.weight"
    )
    with pytest.raises(ValueError) as overlap:
        AutoModelForCausalLM.from_pretrained(
            "gpt2", device_map={"": "cpu", "transformer.h.1": "disk"}
        )
    assert str(overlap.value).endswith("we need a `value` to put in on cpu.")


@claim(
    "A dict passed as `device_map` is applied as written: `hf_device_map` equals it, the blocks "
    'mapped to "disk" are on `meta`, the rest on the CPU.'
)
def dict_applied(model, device_map):
    assert model.hf_device_map == device_map
    for name, param in model.named_parameters():
        expected = "meta" if name.startswith("transformer.h.") else "cpu"
        assert param.device.type == expected, name
