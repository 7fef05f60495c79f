from pathlib import Path

import torch

from kb.claims import claim, load_reports

# Three loads and a save of a 7B model on the full-size GPU job.
TIMEOUT = 600


@claim(
    "`AutoModelForSequenceClassification` on a checkpoint saved as `Qwen2ForCausalLM` builds "
    "`Qwen2ForSequenceClassification`, with a new `score` layer of `num_labels` outputs and no `lm_head`."
)
def head_class(model):
    assert type(model).__name__ == "Qwen2ForSequenceClassification"
    assert type(model.score) is torch.nn.Linear
    assert model.score.out_features == 3 and model.config.num_labels == 3
    assert model.score.in_features == model.config.hidden_size
    assert model.score.bias is None
    assert not hasattr(model, "lm_head")


@claim(
    "The checkpoint holds `lm_head.weight` and no `score.weight`: the LOAD REPORT lists exactly "
    "`lm_head.weight` as UNEXPECTED (dropped) and `score.weight` as MISSING (newly initialised)."
)
def report_rows(log, model_id):
    from huggingface_hub import snapshot_download
    from safetensors import safe_open

    keys = set()
    for path in Path(snapshot_download(model_id)).glob("*.safetensors"):
        with safe_open(path, "pt") as f:
            keys.update(f.keys())
    assert "lm_head.weight" in keys and "score.weight" not in keys
    first = load_reports(log)[0]
    assert first == (
        "Qwen2ForSequenceClassification",
        model_id,
        {"lm_head.weight": "UNEXPECTED", "score.weight": "MISSING"},
    )
    assert "Some weights of" not in log
    return "lm_head.weight | UNEXPECTED; score.weight | MISSING"


@claim(
    "Every backbone weight is loaded from the checkpoint: the classifier's `model.*` tensors equal "
    "those of `AutoModel` loaded from the same id."
)
def backbone_loaded(model, backbone):
    mine = model.model.state_dict()
    bare = backbone.state_dict()
    assert mine.keys() == bare.keys()
    assert all(torch.equal(mine[k], bare[k]) for k in mine)
    return f"{len(mine)} backbone tensors identical"


@claim(
    "Without a `pad_token_id` in the model config, a batch of two texts raises `ValueError: Cannot "
    "handle batch sizes > 1 if no padding token is defined.`; a single text still works."
)
def needs_pad_id(model, batch, tokenizer):
    import pytest

    saved = model.config.pad_token_id
    model.config.pad_token_id = None
    try:
        with torch.no_grad():
            with pytest.raises(ValueError) as info:
                model(**batch)
            single = model(**tokenizer("one text", return_tensors="pt")).logits
    finally:
        model.config.pad_token_id = saved
    assert str(info.value) == "Cannot handle batch sizes > 1 if no padding token is defined."
    assert single.shape == (1, 3)


@claim(
    "Qwen2.5's tokenizer has a pad token (`<|endoftext|>`) that its model config lacks; the "
    "Llama 3.1 tokenizer has no pad token at all."
)
def pad_tokens(tokenizer, model_id):
    from transformers import AutoConfig, AutoTokenizer

    assert tokenizer.pad_token == "<|endoftext|>"
    assert AutoConfig.from_pretrained(model_id).pad_token_id is None
    assert AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct").pad_token is None


@claim(
    "With `pad_token_id` set, the head scores each row at its last non-padding token, so padding "
    "does not leak into the result."
)
def last_real_token(model, batch, logits):
    assert (batch["attention_mask"][0] == 0).any(), "the first text should be padded"
    last = batch["attention_mask"].sum(-1) - 1  # right padding
    with torch.no_grad():
        hidden = model.model(**batch).last_hidden_state
        expected = model.score(hidden)[torch.arange(2), last]
    assert torch.equal(expected, logits)


@claim(
    "Saved with `save_pretrained`, the classifier reloads with its head and no LOAD REPORT: "
    "`config.architectures` now names `Qwen2ForSequenceClassification`, and the pad id and the "
    "number of labels are kept."
)
def reload_without_report(log, model, classifier):
    assert [r for r in load_reports(log) if r[1] == "my-classifier"] == []
    assert classifier.config.architectures == ["Qwen2ForSequenceClassification"]
    assert classifier.config.num_labels == 3
    assert classifier.config.pad_token_id == model.config.pad_token_id is not None
    assert torch.equal(classifier.score.weight, model.score.weight)


@claim(
    "`AutoModel` returns the bare `Qwen2Model`: no head at all, and its report lists only "
    "`lm_head.weight` as UNEXPECTED."
)
def bare_backbone(log, backbone, model_id):
    assert type(backbone).__name__ == "Qwen2Model"
    assert not hasattr(backbone, "lm_head") and not hasattr(backbone, "score")
    last = load_reports(log)[-1]
    assert last == ("Qwen2Model", model_id, {"lm_head.weight": "UNEXPECTED"})
