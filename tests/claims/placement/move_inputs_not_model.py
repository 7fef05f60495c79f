import logging

import torch

from kb.claims import claim, log_records

MESSAGE = "You can't move a model that has some modules offloaded to cpu or disk."


def raised_by(call):
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the claim inspects what was raised
        return exc
    raise AssertionError("the call did not raise")


@claim(
    "`.to()` on a model with offloaded modules raises `RuntimeError: You can't move a model that "
    "has some modules offloaded to cpu or disk.`, after accelerate logs a warning, and leaves the "
    "model as it was."
)
def to_refused(model, device_map, output):
    assert output.splitlines()[0] == MESSAGE
    with log_records("accelerate.big_modeling") as records:
        again = raised_by(lambda: model.to("cuda:0"))
    assert type(again) is RuntimeError and str(again) == MESSAGE
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.WARNING, "You shouldn't move a model that is dispatched using accelerate hooks.")
    ]
    assert model.hf_device_map == device_map
    assert {
        p.device.type for n, p in model.named_parameters() if n.startswith("transformer.h.")
    } == {"meta"}
    return f"{type(again).__name__}: {again}"


@claim(
    "`.cuda()` and a dtype cast through `.to(torch.bfloat16)` are refused with the same "
    "`RuntimeError`; `.cpu()` fails on the meta placeholders with `NotImplementedError: Cannot copy "
    "out of meta tensor; no data!`."
)
def other_moves_refused(model):
    for call in (model.cuda, lambda: model.to(torch.bfloat16)):
        exc = raised_by(call)
        assert type(exc) is RuntimeError and str(exc) == MESSAGE
    exc = raised_by(model.cpu)
    assert type(exc) is NotImplementedError
    assert str(exc) == "Cannot copy out of meta tensor; no data!"


@claim(
    "With the inputs on `model.device` the forward pass runs, the offloaded blocks are loaded on "
    "demand, and the logits equal those of the same model held entirely in memory."
)
def inputs_to_model_device(model, model_id, inputs, logits):
    from transformers import AutoModelForCausalLM

    assert model.device == inputs["input_ids"].device == logits.device
    in_memory = AutoModelForCausalLM.from_pretrained(model_id)
    with torch.no_grad():
        expected = in_memory(**inputs).logits
    assert torch.equal(logits, expected)
    # the blocks went back to meta after the forward
    assert model.transformer.h[0].attn.c_attn.weight.device.type == "meta"
