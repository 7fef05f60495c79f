import os

import pytest
import torch

from kb.claims import claim


@claim("`huggingface_hub.get_token()` returns the value of the `HF_TOKEN` environment variable.")
def get_token_reads_env():
    from huggingface_hub import get_token

    assert get_token() == os.environ["HF_TOKEN"] == "hf_placeholder_for_your_ci_secret"


@claim(
    "With `HF_TOKEN` set, every Hub request carries it as `authorization: Bearer ...` without any "
    '`token=` argument; `token="hf_..."` replaces it and `token=False` sends none.'
)
def header_sent():
    from huggingface_hub.utils import build_hf_headers

    assert build_hf_headers()["authorization"] == "Bearer hf_placeholder_for_your_ci_secret"
    assert build_hf_headers(token="hf_other")["authorization"] == "Bearer hf_other"
    assert "authorization" not in build_hf_headers(token=False)


@claim(
    "The token file lives at `$HF_HOME/token`; `get_token()` reads it only when `HF_TOKEN` is not "
    "set, so the environment variable wins."
)
def env_beats_file():
    import tempfile

    from huggingface_hub import constants, get_token

    assert constants.HF_TOKEN_PATH == os.path.join(os.environ["HF_HOME"], "token")
    saved_path, saved_env = constants.HF_TOKEN_PATH, os.environ.pop("HF_TOKEN")
    with tempfile.TemporaryDirectory() as folder:
        constants.HF_TOKEN_PATH = os.path.join(folder, "token")
        with open(constants.HF_TOKEN_PATH, "w") as f:
            f.write("hf_from_the_token_file")
        try:
            from_file = get_token()
            os.environ["HF_TOKEN"] = saved_env
            from_env = get_token()
        finally:
            constants.HF_TOKEN_PATH = saved_path
            os.environ["HF_TOKEN"] = saved_env
    assert from_file == "hf_from_the_token_file"
    assert from_env == saved_env


@claim("huggingface_hub 2.4 installs an `hf` command and no `huggingface-cli` command.")
def cli_entry_points():
    from importlib.metadata import distribution, entry_points

    names = distribution("huggingface_hub").entry_points.select(group="console_scripts").names
    assert "hf" in names and "huggingface-cli" not in names
    assert not [e for e in entry_points(group="console_scripts") if e.name == "huggingface-cli"]
    return ", ".join(sorted(names))


@claim(
    "Offline, a token changes nothing: the model loaded with the token is identical to one loaded "
    "with `token=False`."
)
def token_changes_nothing(model, model_id):
    from transformers import AutoModelForCausalLM

    other = AutoModelForCausalLM.from_pretrained(model_id, token=False)
    a, b = model.state_dict(), other.state_dict()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@claim(
    "The exception: `token=True` with no token anywhere raises `LocalTokenNotFoundError` even "
    "offline, telling you to run `hf auth login`."
)
def token_true_without_token(model_id):
    from huggingface_hub.errors import LocalTokenNotFoundError
    from transformers import AutoModelForCausalLM

    saved = os.environ.pop("HF_TOKEN")
    try:
        with pytest.raises(LocalTokenNotFoundError) as info:
            AutoModelForCausalLM.from_pretrained(model_id, token=True)
    finally:
        os.environ["HF_TOKEN"] = saved
    assert str(info.value) == (
        "Token is required (`token=True`), but no token found. You need to provide a token or be "
        "logged in to Hugging Face with `hf auth login` or `huggingface_hub.login`. See "
        "https://huggingface.co/settings/tokens."
    )
    return f"LocalTokenNotFoundError: {info.value}"
