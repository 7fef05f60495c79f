import re
from pathlib import Path

import torch

from kb.claims import claim, log_records

# One 7B load, plus a second one in a claim, on the full-size GPU job.
TIMEOUT = 600

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def report_text(log, model_class):
    """The LOAD REPORT block for ``model_class``, without colour codes or the logger prefix."""
    lines = ANSI.sub("", log).splitlines()
    start = next(i for i, line in enumerate(lines) if f"{model_class} LOAD REPORT" in line)
    block = [lines[start].removeprefix("[transformers] ")]
    for line in lines[start + 1 :]:
        if not line.strip() and block[-1].startswith("- "):
            break
        block.append(line.rstrip())
    return "\n".join(block).rstrip()


def rows(text):
    table = text.split("\n\nNotes:")[0].splitlines()[3:]
    return {cells[0].strip(): cells[1].strip() for cells in (r.split("|") for r in table)}


@claim(
    "Loading a causal checkpoint into a classification class logs a LOAD REPORT: `lm_head.weight` "
    "UNEXPECTED (in the checkpoint, not in the model) and `score.weight` MISSING (newly initialised), "
    "each with its note."
)
def report_lines(log, model_id):
    from transformers import AutoConfig

    assert AutoConfig.from_pretrained(model_id).architectures == ["LlamaForCausalLM"]
    text = report_text(log, "LlamaForSequenceClassification")
    assert text.startswith(f"LlamaForSequenceClassification LOAD REPORT from: {model_id}\n")
    assert rows(text) == {"lm_head.weight": "UNEXPECTED", "score.weight": "MISSING"}
    assert (
        "- UNEXPECTED:\tcan be ignored when loading from different task/architecture; "
        "not ok if you expect identical arch."
    ) in text
    assert (
        "- MISSING:\tthose params were newly initialized because missing from the checkpoint. "
        "Consider training on your downstream task."
    ) in text
    return text


@claim(
    'transformers 5 no longer prints the 4.x sentence "Some weights of ... were not initialized".'
)
def no_old_warning(log):
    assert "LOAD REPORT" in log
    assert "Some weights of" not in log
    assert "were not initialized" not in log


@claim(
    "Nothing is raised: the model is usable, with its backbone loaded and a random `score` head."
)
def usable(model):
    assert type(model).__name__ == "LlamaForSequenceClassification"
    assert model.score.out_features == 2
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([[1, 2, 3]])).logits
    assert logits.shape == (1, 2)


@claim(
    "The report is a WARNING from the `transformers.modeling_utils` logger, so "
    "`transformers.logging.set_verbosity_error()` silences it."
)
def logged_as_warning(model_id):
    from transformers import AutoModelForSequenceClassification
    from transformers import logging as hf_logging

    with log_records("transformers.modeling_utils") as records:
        AutoModelForSequenceClassification.from_pretrained(model_id, num_labels=2)
        reports = [r for r in records if "LOAD REPORT" in r.getMessage()]
        assert [r.levelname for r in reports] == ["WARNING"]
        records.clear()
        hf_logging.set_verbosity_error()
        try:
            AutoModelForSequenceClassification.from_pretrained(model_id, num_labels=2)
        finally:
            hf_logging.set_verbosity_warning()
        assert not [r for r in records if "LOAD REPORT" in r.getMessage()]


@claim(
    "A report that lists backbone weights is a real problem: `AutoModelForQuestionAnswering` on "
    "Qwen2.5 expects its backbone under `transformer.`, so every `model.*` weight is UNEXPECTED, "
    "every `transformer.*` weight MISSING, and nothing of the checkpoint is used."
)
def backbone_missing_is_a_bug():
    from huggingface_hub import snapshot_download
    from safetensors import safe_open
    from transformers import AutoModelForQuestionAnswering
    from transformers.utils.loading_report import update_key_name

    qa_id = "Qwen/Qwen2.5-0.5B-Instruct"
    with log_records("transformers.modeling_utils") as records:
        qa = AutoModelForQuestionAnswering.from_pretrained(qa_id)
    assert type(qa).__name__ == "Qwen2ForQuestionAnswering"
    text = ANSI.sub("", next(r.getMessage() for r in records if "LOAD REPORT" in r.getMessage()))
    status = rows(text)
    missing = {k for k, v in status.items() if v == "MISSING"}
    unexpected = {k for k, v in status.items() if v == "UNEXPECTED"}
    checkpoint_keys = []
    for path in Path(snapshot_download(qa_id)).glob("*.safetensors"):
        with safe_open(path, "pt") as f:
            checkpoint_keys += list(f.keys())
    assert unexpected == set(update_key_name(checkpoint_keys))
    assert {"transformer.embed_tokens.weight", "transformer.norm.weight"} <= missing
    assert all(k.startswith(("transformer.", "qa_outputs.")) for k in missing)
    return f"{len(checkpoint_keys)} checkpoint tensors, all UNEXPECTED"
