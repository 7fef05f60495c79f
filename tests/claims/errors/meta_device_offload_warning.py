import logging
import re

import torch

from kb.claims import claim, log_records

PATTERN = re.compile(
    r"Some parameters are on the meta device because they were offloaded to the "
    r"(?:cpu and disk|disk and cpu)\."
)


def load_and_capture(model_id, max_memory):
    """Load as the snippet does and return the model and accelerate.big_modeling's records."""
    from transformers import AutoModelForCausalLM

    with log_records("accelerate.big_modeling") as records:
        model = AutoModelForCausalLM.from_pretrained(
            model_id, device_map="auto", max_memory=max_memory
        )
    return model, records


@claim(
    "Loading with a `max_memory` that forces part of the model to disk logs one WARNING from the "
    "`accelerate.big_modeling` logger, naming the devices of the map (cpu and disk, in either "
    "order); `transformers.logging.set_verbosity_error()` does not silence it."
)
def logged_warning(model_id, model_bytes, model):
    from transformers.utils import logging as hf_logging

    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        reloaded, records = load_and_capture(model_id, {"cpu": int(0.8 * model_bytes)})
    finally:
        hf_logging.set_verbosity(before)
    assert reloaded.hf_device_map == model.hf_device_map
    assert set(model.hf_device_map.values()) == {"cpu", "disk"}
    assert len(records) == 1
    record = records[0]
    assert record.name == "accelerate.big_modeling"
    assert record.levelno == logging.WARNING
    assert PATTERN.fullmatch(record.getMessage()), record.getMessage()
    return record.getMessage()


@claim(
    'It is a warning, not an error: the model works. With no GPU in the map, only the modules mapped to "disk" '
    'are really on `meta`; those mapped to "cpu" hold real tensors.'
)
def not_an_error(model):
    disk = [k for k, v in model.hf_device_map.items() if v == "disk"]
    for name, param in model.named_parameters():
        on_disk = any(name == k or name.startswith(k + ".") for k in disk)
        assert param.device.type == ("meta" if on_disk else "cpu"), name
    input_ids = torch.tensor([[1, 2, 3]])
    with torch.no_grad():
        logits = model(input_ids).logits
    assert logits.shape[:2] == (1, 3) and logits.device.type == "cpu"
    assert torch.isfinite(logits).all()


@claim(
    "The message names only the devices that appear in the map: a budget too small for any module "
    'sends the whole model to disk and says "offloaded to the disk."; a budget that holds the '
    "whole model logs nothing and sets no `hf_device_map`."
)
def when_it_appears(model_id, model_bytes):
    tiny, records = load_and_capture(model_id, {"cpu": 1000})
    assert tiny.hf_device_map == {"": "disk"}
    assert [r.getMessage() for r in records] == [
        "Some parameters are on the meta device because they were offloaded to the disk."
    ]
    roomy, records = load_and_capture(model_id, {"cpu": 2 * model_bytes})
    assert not hasattr(roomy, "hf_device_map")
    assert records == []
