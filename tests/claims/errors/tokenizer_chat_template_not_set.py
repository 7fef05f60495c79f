import pytest

from kb.claims import claim

MESSAGE = (
    "Cannot use chat template functions because tokenizer.chat_template is not set and no "
    "template argument was passed! For information about writing templates and setting the "
    "tokenizer.chat_template attribute, please see the documentation at "
    "https://huggingface.co/docs/transformers/main/en/chat_templating"
)


@claim(
    "`apply_chat_template` on gpt2's tokenizer raises `ValueError: Cannot use chat template "
    "functions because tokenizer.chat_template is not set and no template argument was "
    "passed! ...`."
)
def raises_value_error(error):
    assert type(error) is ValueError
    assert str(error) == MESSAGE


@claim(
    "gpt2's tokenizer has `chat_template` None, and no fallback template exists in "
    "transformers 5: `get_chat_template()` raises the same error before anything is rendered "
    "or tokenized, with `tokenize=True` as with `tokenize=False`."
)
def no_template(tokenizer, messages):
    assert tokenizer.chat_template is None
    assert not hasattr(tokenizer, "default_chat_template")
    with pytest.raises(ValueError) as info:
        tokenizer.get_chat_template()
    assert str(info.value) == MESSAGE
    with pytest.raises(ValueError) as info:
        tokenizer.apply_chat_template(messages, add_generation_prompt=True)
    assert str(info.value) == MESSAGE


@claim(
    "The same call on an instruct model's tokenizer renders the conversation: "
    "Qwen2.5-0.5B-Instruct's tokenizer has a chat template, while the base models gpt2 and "
    "Mistral-7B-v0.1 have none."
)
def instruct_has_template(messages):
    from transformers import AutoTokenizer

    base = AutoTokenizer.from_pretrained("mistralai/Mistral-7B-v0.1")
    assert base.chat_template is None
    with pytest.raises(ValueError) as info:
        base.apply_chat_template(messages, tokenize=False)
    assert str(info.value) == MESSAGE
    instruct = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
    assert instruct.chat_template is not None
    text = instruct.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert text.endswith("<|im_start|>assistant\n")


@claim(
    "A `text-generation` pipeline given a list of messages goes through the same call and "
    "raises the same error for gpt2."
)
def pipeline_same_error(messages):
    from transformers import pipeline

    generator = pipeline("text-generation", model="gpt2")
    with pytest.raises(ValueError) as info:
        generator(messages, max_new_tokens=2)
    assert str(info.value) == MESSAGE
