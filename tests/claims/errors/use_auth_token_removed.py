import json
import tempfile
from pathlib import Path

from kb.claims import claim


@claim(
    "`AutoModelForCausalLM.from_pretrained(..., use_auth_token=True)` raises `TypeError: "
    "LlamaForCausalLM.__init__() got an unexpected keyword argument 'use_auth_token'`."
)
def model_raises(error):
    assert type(error) is TypeError
    assert str(error) == (
        "LlamaForCausalLM.__init__() got an unexpected keyword argument 'use_auth_token'"
    )


@claim(
    "The tokenizer line raises nothing and logs nothing about `use_auth_token`: the tokenizer "
    "loads and works."
)
def tokenizer_silent(tokenizer, log, model_id):
    assert tokenizer.name_or_path == model_id
    assert tokenizer("Hello")["input_ids"]
    assert "use_auth_token" not in log


@claim(
    "Neither transformers 5.23 nor huggingface_hub 2.4 reads `use_auth_token`: the name does not "
    "occur anywhere in their source, so the value is never sent as a token."
)
def name_gone_from_source():
    import huggingface_hub
    import transformers

    checked = 0
    for package in (transformers, huggingface_hub):
        for path in Path(package.__file__).parent.rglob("*.py"):
            assert "use_auth_token" not in path.read_text(encoding="utf-8"), path
            checked += 1
    return f"{checked} source files checked"


@claim(
    "Worse, the tokenizer keeps the unknown argument and `save_pretrained` writes it into "
    '`tokenizer_config.json`: a token passed as `use_auth_token="hf_..."` ends up in the saved files.'
)
def token_written_to_disk(model_id):
    from transformers import AutoTokenizer

    secret = "hf_NotARealTokenJustAString"
    tok = AutoTokenizer.from_pretrained(model_id, use_auth_token=secret)
    with tempfile.TemporaryDirectory() as folder:
        tok.save_pretrained(folder)
        saved = json.loads((Path(folder) / "tokenizer_config.json").read_text())
        assert saved["use_auth_token"] == secret
        saved_value = saved["use_auth_token"]
        # with token= nothing is written
        AutoTokenizer.from_pretrained(model_id, token=secret).save_pretrained(folder)
        saved = json.loads((Path(folder) / "tokenizer_config.json").read_text())
        assert "use_auth_token" not in saved and "token" not in saved
        assert not any(secret in p.read_text() for p in Path(folder).iterdir() if p.is_file())
    return f'"use_auth_token": "{saved_value}"'
