import pytest

from kb.claims import claim

MESSAGE = (
    "Asking to pad but the tokenizer does not have a padding token. Please select a token to "
    "use as `pad_token` `(tokenizer.pad_token = tokenizer.eos_token e.g.)` or add a new pad "
    "token via `tokenizer.add_special_tokens({'pad_token': '[PAD]'})`."
)


@claim(
    "Padding a batch with gpt2's tokenizer raises `ValueError: Asking to pad but the "
    "tokenizer does not have a padding token. ...`, naming both fixes."
)
def raises_value_error(error):
    assert type(error) is ValueError
    assert str(error) == MESSAGE


@claim(
    "gpt2's tokenizer has no pad token (`pad_token` and `pad_token_id` are None); every "
    'padding strategy raises, `padding="max_length"` too, while without `padding` the batch '
    "tokenizes into lists of different lengths."
)
def no_pad_token(tokenizer, prompts):
    assert tokenizer.pad_token is None and tokenizer.pad_token_id is None
    unpadded = tokenizer(prompts)
    lengths = [len(ids) for ids in unpadded["input_ids"]]
    assert lengths[0] < lengths[1]
    with pytest.raises(ValueError) as info:
        tokenizer(prompts, padding="max_length", max_length=32)
    assert str(info.value) == MESSAGE


@claim(
    "Leaving `padding` out does not help once you ask for tensors: rows of different lengths "
    "raise `ValueError: Unable to create tensor, you should probably activate truncation "
    "and/or padding with 'padding=True' 'truncation=True' ...`."
)
def tensors_need_padding(tokenizer, prompts):
    with pytest.raises(ValueError) as info:
        tokenizer(prompts, return_tensors="pt")
    text = str(info.value)
    assert text.startswith(
        "Unable to create tensor, you should probably activate truncation and/or padding with "
        "'padding=True' 'truncation=True' to have batched tensors with the same length."
    )
    return text


@claim(
    "Llama-3.1-8B-Instruct's tokenizer has no pad token either and raises the same error, "
    "while Qwen2.5's pads with `<|endoftext|>`."
)
def other_tokenizers(prompts):
    from transformers import AutoTokenizer

    llama = AutoTokenizer.from_pretrained("meta-llama/Llama-3.1-8B-Instruct")
    assert llama.pad_token is None
    with pytest.raises(ValueError) as info:
        llama(prompts, padding=True)
    assert str(info.value) == MESSAGE
    qwen = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B-Instruct")
    assert qwen.pad_token == "<|endoftext|>"
    assert qwen(prompts, padding=True, return_tensors="pt")["input_ids"].shape[0] == 2
