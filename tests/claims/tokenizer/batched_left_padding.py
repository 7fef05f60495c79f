import torch

from kb.claims import above, below, claim, log_records

RIGHT_PADDING_WARNING = (
    "A decoder-only architecture is being used, but right-padding was detected! For correct "
    "generation results, please set `padding_side='left'` when initializing the tokenizer."
)


def next_token_logits(model, encoded):
    out = model.generate(
        **encoded,
        max_new_tokens=1,
        do_sample=False,
        output_logits=True,
        return_dict_in_generate=True,
    )
    return out.logits[0].float()


def alone(model, tokenizer, chats):
    return [
        next_token_logits(
            model,
            tokenizer.apply_chat_template(chat, add_generation_prompt=True, return_tensors="pt"),
        )[0]
        for chat in chats
    ]


@claim(
    'Qwen2.5\'s tokenizer pads on the right by default; `padding_side="left"` in '
    "`from_pretrained` puts the padding in front, so every row ends on a real token."
)
def left_side(tokenizer, batch, model_id):
    from transformers import AutoTokenizer

    assert AutoTokenizer.from_pretrained(model_id).padding_side == "right"
    assert tokenizer.padding_side == "left"
    mask = batch["attention_mask"]
    assert mask[:, -1].tolist() == [1, 1]
    assert mask[0, 0].item() == 0 and mask[1].all()
    pads = int((mask[0] == 0).sum())
    assert batch["input_ids"][0, :pads].eq(tokenizer.pad_token_id).all()


@claim(
    "The pad token is `<|endoftext|>`, the id that the generation config also uses as "
    "`pad_token_id`; both rows come back with their prompt plus at most 8 new tokens."
)
def pad_and_shape(tokenizer, model, output_ids, batch, replies):
    assert tokenizer.pad_token == "<|endoftext|>"
    assert tokenizer.pad_token_id == model.generation_config.pad_token_id
    n = batch["input_ids"].shape[1]
    assert output_ids.shape[0] == 2 and n < output_ids.shape[1] <= n + 8
    assert torch.equal(output_ids[:, :n], batch["input_ids"])
    assert len(replies) == 2 and all(isinstance(r, str) for r in replies)


@claim(
    "Left padding changes nothing for the padded row: its next-token logits match those of "
    "its prompt run alone, up to bfloat16 rounding, and the first generated token is the same."
)
def left_matches_alone(model, tokenizer, chats, batch, output_ids):
    single = alone(model, tokenizer, chats)
    batched = next_token_logits(model, batch)
    n = batch["input_ids"].shape[1]
    worst = 0.0
    for i, logits in enumerate(single):
        spread = logits.std().item()
        diff = (batched[i] - logits).abs().max().item()
        below(diff, 0.25 * spread)
        worst = max(worst, diff / spread)
        assert output_ids[i, n].item() == logits.argmax().item()
    return f"largest difference {worst:.3f} of the logits' standard deviation"


@claim(
    "Right padding gives the short row the wrong continuation point: its next-token logits "
    "differ from those of its prompt alone by more than the logits' standard deviation, and "
    "`generate` logs that right-padding was detected."
)
def right_padding_breaks(model, tokenizer, chats):
    single = alone(model, tokenizer, chats)
    tokenizer.padding_side = "right"
    try:
        right_batch = tokenizer.apply_chat_template(
            chats, add_generation_prompt=True, padding=True, return_tensors="pt"
        )
    finally:
        tokenizer.padding_side = "left"
    assert right_batch["attention_mask"][0, -1].item() == 0
    with log_records("transformers") as records:
        right = next_token_logits(model, right_batch)
    warnings = [r for r in records if r.levelname == "WARNING"]
    assert [r.getMessage() for r in warnings] == [RIGHT_PADDING_WARNING]
    spread = single[0].std().item()
    diff = (right[0] - single[0]).abs().max().item()
    above(diff, spread)
    return f"short row: largest logit difference {diff / spread:.1f} standard deviations"
