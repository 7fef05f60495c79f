from kb.claims import claim

MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"
LLAMA_PROMPT = (
    "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
    "Cutting Knowledge Date: December 2023\n"
    "Today Date: 26 Jul 2024\n\n"
    "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
    "What is a tokenizer?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
)


@claim(
    "Llama 3.1's template starts with `<|begin_of_text|>`, always writes a system header with "
    "a knowledge cutoff and a date, ends each turn with `<|eot_id|>`, and the generation "
    "prompt is an open assistant header followed by a blank line."
)
def llama_text(text):
    assert text == LLAMA_PROMPT
    return repr(text)


@claim(
    "The template writes the BOS token itself: `apply_chat_template` gives one "
    "`<|begin_of_text|>`, tokenizing its text again with `tokenizer(text)` gives two, and "
    "`add_special_tokens=False` gives exactly the template's ids."
)
def bos_once(ids, again, tokenizer, text):
    bos = tokenizer.bos_token_id
    assert tokenizer.bos_token == "<|begin_of_text|>"
    assert ids.count(bos) == 1 and ids[0] == bos
    assert again.count(bos) == 2 and again[:2] == [bos, bos]
    assert tokenizer(text, add_special_tokens=False)["input_ids"] == ids


@claim(
    'Extra keyword arguments reach the template as variables: `date_string="1 Dec 2026"` '
    "replaces the default `26 Jul 2024`."
)
def date_string(tokenizer, messages):
    dated = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, tokenize=False, date_string="1 Dec 2026"
    )
    assert "Today Date: 1 Dec 2026\n" in dated
    assert dated == LLAMA_PROMPT.replace("26 Jul 2024", "1 Dec 2026")


@claim(
    "Llama 3.1's tokenizer has no pad token and its eos token is `<|eot_id|>`; its "
    "`generation_config.json` stops on three ids: `<|end_of_text|>`, `<|eom_id|>` and "
    "`<|eot_id|>` (128001, 128008, 128009 in the real file)."
)
def llama_stop_tokens(tokenizer):
    from transformers import GenerationConfig

    from kb.standin import load_registry, token_id_map

    assert tokenizer.pad_token is None
    assert tokenizer.eos_token == "<|eot_id|>"
    generation = GenerationConfig.from_pretrained(MODEL_ID)
    assert tokenizer.convert_ids_to_tokens(generation.eos_token_id) == [
        "<|end_of_text|>",
        "<|eom_id|>",
        "<|eot_id|>",
    ]
    assert generation.pad_token_id is None
    spec = load_registry()[MODEL_ID]
    assert spec.generation_config["eos_token_id"] == [128001, 128008, 128009]
    id_map = token_id_map(spec)
    assert generation.eos_token_id == [id_map[i] for i in (128001, 128008, 128009)]
