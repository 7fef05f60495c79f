from kb.claims import claim


@claim(
    "Loaded from one id and revision, the tokenizer's end-of-sequence token `<|im_end|>` "
    "has exactly the id in the model's `config.eos_token_id`."
)
def eos_agrees(tokenizer, model):
    assert tokenizer.eos_token == "<|im_end|>"
    assert tokenizer.eos_token_id == model.config.eos_token_id
    assert tokenizer.convert_tokens_to_ids("<|im_end|>") == model.config.eos_token_id


@claim(
    "`generation_config.eos_token_id` lists two ids, `<|im_end|>` and `<|endoftext|>`, and "
    "the tokenizer's pad token `<|endoftext|>` has the id of `generation_config.pad_token_id`."
)
def generation_config_agrees(tokenizer, model):
    gen = model.generation_config
    assert tokenizer.convert_ids_to_tokens(gen.eos_token_id) == ["<|im_end|>", "<|endoftext|>"]
    assert gen.eos_token_id == [tokenizer.eos_token_id, tokenizer.pad_token_id]
    assert tokenizer.pad_token == "<|endoftext|>"
    assert tokenizer.pad_token_id == gen.pad_token_id


@claim(
    "Qwen2.5's tokenizer has no BOS token and adds none; the config's `bos_token_id` names "
    "`<|endoftext|>`, the same token as `generation_config.bos_token_id`."
)
def bos(tokenizer, model):
    assert tokenizer.bos_token is None and tokenizer.bos_token_id is None
    ids = tokenizer("Hello").input_ids
    assert model.config.bos_token_id not in ids
    assert tokenizer.convert_ids_to_tokens(model.config.bos_token_id) == "<|endoftext|>"
    assert model.generation_config.bos_token_id == model.config.bos_token_id


@claim(
    "Every id the tokenizer can produce is inside the model's embedding table "
    "(`len(tokenizer) <= config.vocab_size`)."
)
def ids_fit(tokenizer, model):
    assert max(tokenizer.get_vocab().values()) < model.config.vocab_size
    assert len(tokenizer) <= model.config.vocab_size
    assert model.get_input_embeddings().weight.shape[0] == model.config.vocab_size


@claim(
    "gpt2's tokenizer disagrees: its eos token is `<|endoftext|>` with another id than the "
    "model's eos, it splits `<|im_end|>` into several ordinary tokens, and it encodes the "
    "same text to different ids."
)
def other_family_mismatch(other, tokenizer, model):
    assert other.eos_token == "<|endoftext|>"
    assert other.eos_token_id != model.config.eos_token_id
    assert other.eos_token_id not in model.generation_config.eos_token_id
    pieces = other("<|im_end|>").input_ids
    assert len(pieces) > 1 and model.config.eos_token_id not in pieces
    text = "A model checkpoint is a folder of files."
    assert other(text).input_ids != tokenizer(text).input_ids


@claim("gpt2's tokenizer has no chat template, so it cannot format this chat model's prompts.")
def other_has_no_template(other, tokenizer):
    import pytest

    assert tokenizer.chat_template is not None
    assert other.chat_template is None
    with pytest.raises(ValueError, match="chat_template is not set"):
        other.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False)


@claim(
    "In the real checkpoints' configs, Qwen2.5-0.5B-Instruct's eos id is 151645 (`<|im_end|>`), "
    "its pad and bos id 151643 (`<|endoftext|>`), and gpt2's eos id 50256; the stand-in "
    "checked here maps exactly those tokens to the ids its tokenizer gives them."
)
def real_ids(tokenizer, other, model):
    from kb.standin import load_registry, token_id_map

    registry = load_registry()
    qwen, gpt2 = registry["Qwen/Qwen2.5-0.5B-Instruct"], registry["gpt2"]
    assert qwen.config["eos_token_id"] == 151645
    assert qwen.config["bos_token_id"] == 151643
    assert qwen.generation_config["pad_token_id"] == 151643
    assert qwen.generation_config["eos_token_id"] == [151645, 151643]
    assert gpt2.config["eos_token_id"] == 50256
    qwen_ids, gpt2_ids = token_id_map(qwen), token_id_map(gpt2)
    assert tokenizer.eos_token_id == qwen_ids[151645] == model.config.eos_token_id
    assert tokenizer.pad_token_id == qwen_ids[151643] == model.generation_config.pad_token_id
    assert other.eos_token_id == gpt2_ids[50256]
