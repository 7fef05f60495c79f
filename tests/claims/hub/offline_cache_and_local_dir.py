import os
import subprocess
import sys
from pathlib import Path

import torch

from kb.claims import claim


def same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


@claim(
    "With `HF_HUB_OFFLINE=1` in the environment, `huggingface_hub.constants.HF_HUB_OFFLINE` is True "
    "and transformers sees offline mode."
)
def offline_flag():
    from huggingface_hub import constants
    from transformers.utils.hub import is_offline_mode

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert constants.HF_HUB_OFFLINE is True
    assert is_offline_mode() is True


@claim(
    "`HF_HUB_OFFLINE` is read once, when huggingface_hub is imported: setting it in `os.environ` "
    "afterwards leaves offline mode off."
)
def read_at_import():
    env = {
        k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    code = (
        "import os\n"
        "from huggingface_hub import constants, is_offline_mode\n"
        "os.environ['HF_HUB_OFFLINE'] = '1'\n"
        "print(constants.HF_HUB_OFFLINE, is_offline_mode())\n"
    )
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False False"


@claim(
    "The files came from the cache under `HF_HOME`: `$HF_HOME/hub/models--Qwen--Qwen2.5-0.5B-Instruct/"
    "snapshots/<commit>/`, and the model holds exactly the tensors of the `model.safetensors` there."
)
def from_the_cache(model, model_id):
    from huggingface_hub import constants, snapshot_download
    from safetensors.torch import load_file

    hub = (Path(os.environ["HF_HOME"]) / "hub").resolve()
    assert Path(constants.HF_HUB_CACHE).resolve() == hub
    folder = Path(snapshot_download(model_id)).resolve()
    assert folder.parent.parent == hub / "models--Qwen--Qwen2.5-0.5B-Instruct"
    assert folder.parent.name == "snapshots"
    state = model.state_dict()
    saved = {}
    for path in folder.glob("*.safetensors"):
        saved.update(load_file(path))
    assert saved and all(torch.equal(state[k], v) for k, v in saved.items())
    return f"snapshot {folder.name[:12]}…, {len(saved)} tensors"


@claim("`local_files_only=True` loads the same model from the same cache.")
def per_call(model, same):
    assert type(same) is type(model)
    assert same_weights(model, same)


@claim(
    "A `save_pretrained` / `from_pretrained` round trip through a local folder gives identical "
    "weights and a tokenizer that encodes text identically."
)
def round_trip(model, local, tokenizer, local_tokenizer):
    assert same_weights(model, local)
    assert local.name_or_path == "qwen-0.5b-local"
    files = set(os.listdir("qwen-0.5b-local"))
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= files
    text = "Load it offline, from a folder."
    assert local_tokenizer(text)["input_ids"] == tokenizer(text)["input_ids"]
    return ", ".join(sorted(files))


@claim(
    "`local_files_only=True` alone is not airtight in transformers 5.23 with peft installed: with "
    "offline mode off, `AutoModelForCausalLM` still asks the Hub for `adapter_config.json`; with "
    "`HF_HUB_OFFLINE=1` it asks nothing."
)
def per_call_still_probes(model_id):
    import huggingface_hub.file_download as file_download
    from huggingface_hub import constants
    from huggingface_hub.errors import OfflineModeIsEnabled
    from transformers import AutoModelForCausalLM
    from transformers.utils import is_peft_available

    assert is_peft_available()
    asked = []

    def record_and_refuse(url, **kwargs):
        asked.append(url.rsplit("/", 1)[-1])
        raise OfflineModeIsEnabled("refused by the claim")

    original = file_download.get_hf_file_metadata
    file_download.get_hf_file_metadata = record_and_refuse
    constants.HF_HUB_OFFLINE = False
    try:
        AutoModelForCausalLM.from_pretrained(model_id, local_files_only=True)
        per_call = list(asked)
        asked.clear()
        constants.HF_HUB_OFFLINE = True
        AutoModelForCausalLM.from_pretrained(model_id)
        offline = list(asked)
    finally:
        file_download.get_hf_file_metadata = original
        constants.HF_HUB_OFFLINE = True
    assert per_call == ["adapter_config.json"]
    assert offline == []
    return "local_files_only=True: 1 request (adapter_config.json); HF_HUB_OFFLINE=1: 0"
