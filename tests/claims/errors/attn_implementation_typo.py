from kb.claims import claim


@claim(
    "An unknown `attn_implementation` raises a `ValueError` that lists the names this model accepts."
)
def raises_value_error(error):
    assert type(error) is ValueError
    assert str(error) == (
        'Specified `attn_implementation="flash_attention"` is not supported. The only possible '
        'arguments are `attn_implementation="eager"`, `"paged|eager"`, '
        '`"attn_implementation=flash_attention_2"`, `"attn_implementation=flash_attention_3"`, '
        '`"attn_implementation=flash_attention_4"`, `"attn_implementation=sdpa"`, '
        '`"attn_implementation=flex_attention"`.'
    )


@claim(
    "The list depends on the model: gpt2, which has no flex-attention support, is not offered `flex_attention`."
)
def list_depends_on_model(error):
    import pytest
    from transformers import AutoModelForCausalLM

    with pytest.raises(ValueError) as info:
        AutoModelForCausalLM.from_pretrained("gpt2", attn_implementation="flash_attention")
    assert "flex_attention" in str(error)
    assert "flex_attention" not in str(info.value)
    assert str(info.value).endswith('`"attn_implementation=sdpa"`.')
