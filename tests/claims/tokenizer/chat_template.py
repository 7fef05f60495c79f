import pytest
import torch

from kb.claims import claim

QWEN_PROMPT = (
    "<|im_start|>system\n"
    "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
    "<|im_start|>user\n"
    "What is a tokenizer?<|im_end|>\n"
    "<|im_start|>assistant\n"
)


@claim(
    "For one user message, Qwen2.5's template adds its default system turn, wraps each turn "
    "in `<|im_start|>role` ... `<|im_end|>`, and `add_generation_prompt=True` ends the text "
    "with an open `<|im_start|>assistant` header."
)
def qwen_text(text):
    assert text == QWEN_PROMPT
    return repr(text)


@claim(
    "Without `add_generation_prompt`, the text stops after the user's `<|im_end|>`: "
    "nothing tells the model that the assistant speaks next."
)
def without_generation_prompt(tokenizer, messages, text):
    plain = tokenizer.apply_chat_template(messages, tokenize=False)
    assert plain == QWEN_PROMPT.removesuffix("<|im_start|>assistant\n")
    assert text == plain + "<|im_start|>assistant\n"


@claim("A system message of your own replaces the default Qwen system turn.")
def own_system_message(tokenizer):
    conversation = [
        {"role": "system", "content": "Answer in one sentence."},
        {"role": "user", "content": "What is a tokenizer?"},
    ]
    rendered = tokenizer.apply_chat_template(
        conversation, add_generation_prompt=True, tokenize=False
    )
    assert rendered.startswith("<|im_start|>system\nAnswer in one sentence.<|im_end|>\n")
    assert "You are Qwen" not in rendered


@claim(
    "With the default `tokenize=True`, `apply_chat_template` returns a `BatchEncoding` with "
    "`input_ids` and `attention_mask` (`return_dict` defaults to True in transformers 5); "
    "`return_dict=False` gives the bare list of ids."
)
def returns_batch_encoding(inputs, tokenizer, messages):
    from transformers import BatchEncoding

    assert isinstance(inputs, BatchEncoding)
    assert list(inputs.keys()) == ["input_ids", "attention_mask"]
    assert inputs["input_ids"].shape == inputs["attention_mask"].shape
    assert inputs["input_ids"].shape[0] == 1
    assert bool(inputs["attention_mask"].all())
    bare = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_dict=False)
    assert isinstance(bare, list) and all(isinstance(i, int) for i in bare)
    assert bare == inputs["input_ids"][0].tolist()


@claim(
    "The token ids are exactly those of the rendered text tokenized with "
    "`add_special_tokens=False` (for Qwen2.5, which has no BOS token, also without it), and "
    "each chat marker is one token: three `<|im_start|>` and two `<|im_end|>` here."
)
def ids_match_text(inputs, tokenizer, text):
    ids = inputs["input_ids"][0].tolist()
    assert ids == tokenizer(text, add_special_tokens=False).input_ids
    assert ids == tokenizer(text).input_ids  # Qwen2.5 adds no BOS: nothing doubles
    assert ids.count(tokenizer.convert_tokens_to_ids("<|im_start|>")) == 3
    assert ids.count(tokenizer.convert_tokens_to_ids("<|im_end|>")) == 2


@claim(
    "`model.generate(**inputs, ...)` returns the prompt followed by the new tokens: slicing "
    "off `input_ids.shape[1]` leaves the reply, and `skip_special_tokens=True` drops the "
    "markers from its text."
)
def reply_slicing(output_ids, inputs, reply_ids, reply, tokenizer):
    n = inputs["input_ids"].shape[1]
    assert torch.equal(output_ids[0, :n], inputs["input_ids"][0])
    assert 1 <= len(reply_ids) <= 16
    assert output_ids.shape[1] == n + len(reply_ids)
    for marker in ("<|im_start|>", "<|im_end|>", "<|endoftext|>"):
        assert marker not in reply
    special = set(tokenizer.all_special_ids)
    assert reply == tokenizer.decode([i for i in reply_ids.tolist() if i not in special])


@claim(
    'The 4.x pattern `model.generate(tokenizer.apply_chat_template(..., return_tensors="pt"))` '
    "fails in transformers 5 with a bare `AttributeError` raised in `BatchEncoding.__getattr__`: "
    "the call now returns a `BatchEncoding`, not a tensor; unpack it with `**`, or ask for "
    "the ids with `return_dict=False`."
)
def old_positional_pattern(model, tokenizer, messages):
    old_style = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt"
    )
    with pytest.raises(AttributeError) as info:
        model.generate(old_style, max_new_tokens=2, do_sample=False)
    assert str(info.value) == ""
    last = info.traceback[-1]
    assert last.name == "__getattr__" and last.path.name == "tokenization_utils_base.py"
    assert any(entry.name == "generate" for entry in info.traceback)
    ids_only = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=False
    )
    assert isinstance(ids_only, torch.Tensor)
    out = model.generate(ids_only, max_new_tokens=2, min_new_tokens=2, do_sample=False)
    assert out.shape[1] == ids_only.shape[1] + 2
