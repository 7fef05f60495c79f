import json
import shutil
from pathlib import Path

from kb.claims import claim

MODEL_ID = "Qwen/Qwen2.5-0.5B-Instruct"


@claim(
    "The cached snapshot is one commit of the repository: its folder is named after the "
    "commit that `refs/main` points to, and it holds the weights next to `config.json`, "
    "`generation_config.json`, `tokenizer.json` and `tokenizer_config.json`."
)
def snapshot_files(snapshot):
    repo = snapshot.parent.parent
    assert (repo / "refs" / "main").read_text() == snapshot.name
    assert len(snapshot.name) == 40
    names = sorted(p.name for p in snapshot.iterdir())
    assert names == [
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
    ]


@claim(
    "`tokenizer.json` is enough for the tokenizer: it loads without `vocab.json`, "
    "`merges.txt` or `special_tokens_map.json` in the snapshot."
)
def tokenizer_json_enough(snapshot, tokenizer):
    for legacy in ("vocab.json", "merges.txt", "special_tokens_map.json"):
        assert not (snapshot / legacy).exists()
    assert type(tokenizer).__name__ == "Qwen2Tokenizer"
    assert tokenizer.backend_tokenizer is not None
    assert tokenizer.decode(tokenizer("Hello there").input_ids) == "Hello there"


@claim(
    "This repository keeps its chat template inline, under the `chat_template` key of "
    "`tokenizer_config.json`, and that string is what `tokenizer.chat_template` holds."
)
def template_inline(tokenizer_config, tokenizer):
    assert isinstance(tokenizer_config["chat_template"], str)
    assert tokenizer.chat_template == tokenizer_config["chat_template"]
    assert "<|im_start|>" in tokenizer.chat_template


@claim(
    "Qwen2.5's tokenizer has no BOS token; its eos token is `<|im_end|>` and its pad token "
    "`<|endoftext|>`, and each special token encodes to a single id instead of being split."
)
def special_tokens(tokenizer):
    assert tokenizer.bos_token is None
    assert tokenizer.eos_token == "<|im_end|>"
    assert tokenizer.pad_token == "<|endoftext|>"
    for token in ("<|im_start|>", "<|im_end|>", "<|endoftext|>"):
        ids = tokenizer(token).input_ids
        assert ids == [tokenizer.convert_tokens_to_ids(token)], (token, ids)
    assert "<|im_start|>" in tokenizer.all_special_tokens


@claim(
    "`config.json` names one eos id (`<|im_end|>`), `generation_config.json` two "
    "(`<|im_end|>` and `<|endoftext|>`): 151645 and [151645, 151643] in the real files."
)
def two_eos_lists(config, generation, tokenizer):
    from kb.standin import load_registry, token_id_map

    assert isinstance(config["eos_token_id"], int)
    assert tokenizer.convert_ids_to_tokens(config["eos_token_id"]) == "<|im_end|>"
    assert tokenizer.convert_ids_to_tokens(generation["eos_token_id"]) == [
        "<|im_end|>",
        "<|endoftext|>",
    ]
    spec = load_registry()[MODEL_ID]
    assert spec.config["eos_token_id"] == 151645
    assert spec.generation_config["eos_token_id"] == [151645, 151643]
    ids = token_id_map(spec)
    assert config["eos_token_id"] == ids[151645]
    assert generation["eos_token_id"] == [ids[151645], ids[151643]]


@claim(
    "The sampling defaults live only in `generation_config.json` (do_sample true, "
    "temperature 0.7, top_p 0.8, top_k 20, repetition_penalty 1.1): `config.json` has none "
    "of them, and `from_pretrained` turns the file into `model.generation_config`."
)
def sampling_defaults(generation, config, model):
    from transformers import GenerationConfig

    expected = {
        "do_sample": True,
        "temperature": 0.7,
        "top_p": 0.8,
        "top_k": 20,
        "repetition_penalty": 1.1,
    }
    assert {k: generation[k] for k in expected} == expected
    assert not set(expected) & set(config)
    assert not set(expected) & set(model.config.to_dict())
    for key, value in expected.items():
        assert getattr(model.generation_config, key) == value
    from_file = GenerationConfig.from_pretrained(MODEL_ID)
    assert from_file.to_dict() == model.generation_config.to_dict()


@claim(
    "`save_pretrained` in transformers 5 writes the chat template to its own "
    "`chat_template.jinja` (no `chat_template` key left in `tokenizer_config.json`) and writes "
    "no `special_tokens_map.json`: the token roles go into `tokenizer_config.json`, the tokens "
    "themselves (flagged special) into `tokenizer.json`; the folder reloads with the same "
    "template and tokens."
)
def saved_layout(tokenizer):
    from transformers import AutoTokenizer

    saved = Path("my-model")
    assert (saved / "chat_template.jinja").read_text() == tokenizer.chat_template
    assert "chat_template" not in json.loads((saved / "tokenizer_config.json").read_text())
    assert not (saved / "special_tokens_map.json").exists()
    saved_config = json.loads((saved / "tokenizer_config.json").read_text())
    assert (saved_config["eos_token"], saved_config["pad_token"]) == ("<|im_end|>", "<|endoftext|>")
    added = json.loads((saved / "tokenizer.json").read_text())["added_tokens"]
    assert {t["content"]: t["special"] for t in added}["<|im_end|>"] is True
    again = AutoTokenizer.from_pretrained(saved)
    assert again.chat_template == tokenizer.chat_template
    assert (again.eos_token, again.pad_token) == (tokenizer.eos_token, tokenizer.pad_token)


@claim(
    "When a folder has both, `chat_template.jinja` wins over the `chat_template` key in "
    "`tokenizer_config.json`."
)
def jinja_file_wins():
    from transformers import AutoTokenizer

    both = Path("both-templates")
    shutil.copytree("my-model", both)
    tok_config = json.loads((both / "tokenizer_config.json").read_text())
    tok_config["chat_template"] = "FROM-CONFIG"
    (both / "tokenizer_config.json").write_text(json.dumps(tok_config))
    (both / "chat_template.jinja").write_text("FROM-JINJA-FILE")
    assert AutoTokenizer.from_pretrained(both).chat_template == "FROM-JINJA-FILE"
    (both / "chat_template.jinja").unlink()
    assert AutoTokenizer.from_pretrained(both).chat_template == "FROM-CONFIG"
