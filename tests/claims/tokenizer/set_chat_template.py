from pathlib import Path

from kb.claims import claim


@claim(
    "Once `tokenizer.chat_template` is set, `apply_chat_template` works on gpt2's tokenizer; "
    "the tokenizer's special tokens are template variables, so `eos_token` in the template "
    "writes `<|endoftext|>`."
)
def renders(text):
    assert text == "user: What is a tokenizer?<|endoftext|>\nassistant: "
    return repr(text)


@claim("The rendered text encodes `<|endoftext|>` as the single eos id, not as ordinary text.")
def eos_is_one_token(tokenizer, messages):
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_dict=False)
    assert ids.count(tokenizer.eos_token_id) == 1


@claim(
    "`save_pretrained` stores the template in `chat_template.jinja`; the saved folder loads "
    "with the template set."
)
def saved_and_reloaded(tokenizer, messages, text):
    from transformers import AutoTokenizer

    saved = Path("my-tokenizer") / "chat_template.jinja"
    assert saved.read_text() == tokenizer.chat_template
    again = AutoTokenizer.from_pretrained("my-tokenizer")
    assert again.chat_template == tokenizer.chat_template
    assert again.apply_chat_template(messages, add_generation_prompt=True, tokenize=False) == text


@claim(
    "A template can also be passed for one call with `chat_template=`, leaving the "
    "tokenizer's own attribute unset."
)
def per_call_template(tokenizer, messages, text):
    from transformers import AutoTokenizer

    fresh = AutoTokenizer.from_pretrained("gpt2")
    once = fresh.apply_chat_template(
        messages, add_generation_prompt=True, tokenize=False, chat_template=tokenizer.chat_template
    )
    assert once == text
    assert fresh.chat_template is None
