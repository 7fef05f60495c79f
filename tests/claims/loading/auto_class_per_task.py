import torch

from kb.claims import claim, load_reports


def reports_by_class(log):
    """Each LOAD REPORT in the log, by model class: {key: status}."""
    return {model_class: rows for model_class, _, rows in load_reports(log)}


@claim(
    "`config.architectures` names the class the checkpoint was saved as, and "
    "`AutoModelForCausalLM` rebuilds exactly that class with no weight left over or missing."
)
def saved_head(config, generator, log):
    assert config.architectures == ["Qwen2ForCausalLM"]
    assert type(generator).__name__ == config.architectures[0]
    assert "Qwen2ForCausalLM" not in reports_by_class(log)


@claim(
    "`AutoModel` returns the backbone alone (`Qwen2Model`, no `lm_head`), whose output is one "
    "hidden-state vector per token."
)
def bare_model(backbone):
    assert type(backbone).__name__ == "Qwen2Model"
    assert not hasattr(backbone, "lm_head")
    ids = torch.tensor([[1, 2, 3]])
    with torch.no_grad():
        out = backbone(input_ids=ids)
    assert out.last_hidden_state.shape == (1, 3, backbone.config.hidden_size)


@claim(
    "`AutoModelForSequenceClassification` adds a newly initialised `score` head (one logit per label "
    "per text), reported as MISSING."
)
def sequence_head(classifier, log):
    assert type(classifier).__name__ == "Qwen2ForSequenceClassification"
    assert reports_by_class(log)["Qwen2ForSequenceClassification"] == {"score.weight": "MISSING"}
    with torch.no_grad():
        logits = classifier(input_ids=torch.tensor([[1, 2, 3]])).logits
    assert logits.shape == (1, 2)


@claim(
    "`AutoModelForTokenClassification` adds a newly initialised `score` head with a bias (one logit "
    "per label per token), reported as MISSING."
)
def token_head(tagger, log):
    assert type(tagger).__name__ == "Qwen2ForTokenClassification"
    assert reports_by_class(log)["Qwen2ForTokenClassification"] == {
        "score.weight": "MISSING",
        "score.bias": "MISSING",
    }
    with torch.no_grad():
        logits = tagger(input_ids=torch.tensor([[1, 2, 3]])).logits
    assert logits.shape == (1, 3, 5)


@claim(
    "`AutoModelForSeq2SeqLM` refuses this decoder-only config with `ValueError: Unrecognized "
    "configuration class`, and maps an encoder-decoder config such as T5's to "
    "`T5ForConditionalGeneration`."
)
def seq2seq(config):
    import pytest
    from transformers import AutoModelForSeq2SeqLM, T5Config

    with pytest.raises(ValueError, match=r"^Unrecognized configuration class .*Qwen2Config"):
        AutoModelForSeq2SeqLM.from_config(config)
    tiny_t5 = T5Config(d_model=32, d_ff=64, d_kv=8, num_layers=1, num_heads=2, vocab_size=64)
    assert type(AutoModelForSeq2SeqLM.from_config(tiny_t5)).__name__ == "T5ForConditionalGeneration"
