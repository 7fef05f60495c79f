from kb.claims import claim


@claim(
    "Loading a decoder-only checkpoint with `AutoModelForSeq2SeqLM` raises `ValueError: Unrecognized configuration class ... Qwen2Config ... for this kind of AutoModel: AutoModelForSeq2SeqLM`."
)
def raises_value_error(error):
    assert type(error) is ValueError
    message = str(error)
    assert message.startswith(
        "Unrecognized configuration class <class "
        "'transformers.models.qwen2.configuration_qwen2.Qwen2Config'> "
        "for this kind of AutoModel: AutoModelForSeq2SeqLM."
    )
    assert "Model type should be one of" in message
