import torch

from kb.claims import below, claim, log_records

NO_MASK_WARNINGS = [
    "The attention mask and the pad token id were not set, with a batched input. As a "
    "consequence, you may observe unexpected behavior. Please pass your input's "
    "`attention_mask` to obtain reliable results.",
    "The attention mask is not set with a batched input, and cannot be inferred from input "
    "because pad token is same as eos token. As a consequence, you may observe unexpected "
    "behavior. Please pass your input's `attention_mask` to obtain reliable results.",
]


def next_token_logits(model, encoded, pad_token_id):
    out = model.generate(
        **encoded,
        max_new_tokens=1,
        do_sample=False,
        output_logits=True,
        return_dict_in_generate=True,
        pad_token_id=pad_token_id,
    )
    return out.logits[0]


@claim(
    "After `tokenizer.pad_token = tokenizer.eos_token`, gpt2 pads with `<|endoftext|>` (pad id "
    "= eos id), on the left as asked, so both rows end on a real token."
)
def pads_left_with_eos(tokenizer, batch):
    assert tokenizer.pad_token == tokenizer.eos_token == "<|endoftext|>"
    assert tokenizer.pad_token_id == tokenizer.eos_token_id
    assert tokenizer.padding_side == "left"
    mask = batch["attention_mask"]
    assert mask[:, -1].tolist() == [1, 1] and mask[0, 0].item() == 0
    assert batch["input_ids"][0, 0].item() == tokenizer.pad_token_id


@claim(
    "The batched `generate` call with the attention mask and `pad_token_id` logs no warning, "
    "and returns both rows with up to 8 new tokens."
)
def generates_quietly(model, batch, tokenizer, output_ids, replies):
    with log_records("transformers") as records:
        again = model.generate(
            **batch, max_new_tokens=8, do_sample=False, pad_token_id=tokenizer.pad_token_id
        )
    assert [r.getMessage() for r in records if r.levelno >= 30] == []
    assert torch.equal(again, output_ids)
    n = batch["input_ids"].shape[1]
    assert output_ids.shape[0] == 2 and n < output_ids.shape[1] <= n + 8
    assert len(replies) == 2


@claim(
    "Each left-padded row gets the next-token logits of its prompt run alone (float32: equal "
    "to rounding) and the same first token."
)
def rows_match_alone(model, tokenizer, prompts, batch, output_ids):
    batched = next_token_logits(model, batch, tokenizer.pad_token_id)
    n = batch["input_ids"].shape[1]
    for i, prompt in enumerate(prompts):
        alone = next_token_logits(
            model, tokenizer(prompt, return_tensors="pt"), tokenizer.pad_token_id
        )[0]
        below((batched[i] - alone).abs().max().item(), 1e-3 * alone.std().item())
        assert output_ids[i, n].item() == alone.argmax().item()


@claim(
    'transformers 5.23 no longer logs "Setting `pad_token_id` to `eos_token_id`": with no '
    "pad token anywhere, `generate` logs nothing about it, at any log level."
)
def no_pad_notice(model, tokenizer):
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    plain = AutoTokenizer.from_pretrained("gpt2")
    assert plain.pad_token is None and model.generation_config.pad_token_id is None
    single = plain("Hi", return_tensors="pt")
    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity_debug()
    try:
        with log_records("transformers") as records:
            out = model.generate(**single, max_new_tokens=4, do_sample=False)
    finally:
        hf_logging.set_verbosity(before)
    assert not [r for r in records if "pad_token_id" in r.getMessage()]
    assert out.shape[1] > single["input_ids"].shape[1]


@claim(
    "With no pad token id set anywhere, a row that finishes early is filled with the first id "
    "of `eos_token_id`."
)
def fills_with_first_eos(model, tokenizer, batch):
    n = batch["input_ids"].shape[1]
    kwargs = dict(max_new_tokens=4, do_sample=False)
    free = model.generate(**batch, eos_token_id=None, pad_token_id=tokenizer.pad_token_id, **kwargs)
    stop = free[0, n].item()  # row 0 ends on its first new token
    assert stop not in free[1, n:].tolist()
    unused = next(i for i in range(len(tokenizer)) if i not in free.tolist()[0] + free.tolist()[1])
    assert model.generation_config.pad_token_id is None
    out = model.generate(**batch, eos_token_id=[unused, stop], **kwargs)
    assert out[0, n:].tolist() == [stop] + [unused] * 3
    assert out[1, n:].tolist() == free[1, n:].tolist()


@claim(
    "Passing only `input_ids` of a padded batch (no `attention_mask`) logs two warnings: the "
    "attention mask and pad token id were not set, and the mask cannot be inferred because "
    "the pad token is the eos token."
)
def no_mask_warnings(model, batch):
    with log_records("transformers") as records:
        model.generate(batch["input_ids"], max_new_tokens=2, do_sample=False)
    messages = [r.getMessage() for r in records if r.levelname == "WARNING"]
    for expected in NO_MASK_WARNINGS:
        assert expected in messages, messages
    return " / ".join(NO_MASK_WARNINGS)


@claim(
    "The other fix, `tokenizer.add_special_tokens({'pad_token': '[PAD]'})`, appends a new id: "
    "for gpt2 that is 50257, one past its 50257-row embedding table, so the model must be "
    "resized with `model.resize_token_embeddings(len(tokenizer))` before that id reaches it."
)
def new_pad_token_needs_resize(model_id):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from kb.standin import load_registry

    # In the real gpt2 files the last id, 50256 (<|endoftext|>), is the last row of the
    # 50257-row table: a new token gets id 50257, outside it.
    real = load_registry()[model_id]
    assert max(real.tokenizer.real_id_to_token()) + 1 == real.config["vocab_size"] == 50257
    tokenizer = AutoTokenizer.from_pretrained(model_id)
    fresh = AutoModelForCausalLM.from_pretrained(model_id)
    before = len(tokenizer)
    assert tokenizer.add_special_tokens({"pad_token": "[PAD]"}) == 1
    assert len(tokenizer) == before + 1
    assert tokenizer.pad_token_id == before
    fresh.resize_token_embeddings(len(tokenizer))
    assert fresh.get_input_embeddings().weight.shape[0] == len(tokenizer)
    assert fresh.config.vocab_size == len(tokenizer)
