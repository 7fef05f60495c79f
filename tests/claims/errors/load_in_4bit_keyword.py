from kb.claims import claim


@claim(
    "Passing `load_in_4bit=True` straight to `from_pretrained` raises `TypeError: Qwen2ForCausalLM.__init__() got an unexpected keyword argument 'load_in_4bit'`."
)
def raises_type_error(error):
    assert type(error) is TypeError
    assert (
        str(error)
        == "Qwen2ForCausalLM.__init__() got an unexpected keyword argument 'load_in_4bit'"
    )
