import inspect
import os
import subprocess
import sys
from pathlib import Path

from kb.claims import claim


@claim(
    "The job sees offline mode, and the Hub cache is the `hub` folder under `HF_HOME`; nothing "
    "needed is missing from it."
)
def offline_and_cache(missing):
    from huggingface_hub import constants

    assert constants.HF_HUB_OFFLINE is True
    assert Path(constants.HF_HUB_CACHE).resolve() == (Path(os.environ["HF_HOME"]) / "hub").resolve()
    assert missing == []


@claim(
    "Each needed repository's cached snapshot holds its config, safetensors weights and tokenizer."
)
def snapshots_complete(cached, needed):
    for model_id in needed:
        (revision,) = cached[model_id].revisions
        names = {f.file_name for f in revision.files}
        assert "config.json" in names and "tokenizer_config.json" in names, (model_id, names)
        assert any(n.endswith(".safetensors") for n in names), (model_id, names)
    return f"{len(needed)} snapshots complete"


@claim(
    "`TRANSFORMERS_OFFLINE=1` alone still turns offline mode on, but only because huggingface_hub "
    "2.4 reads it as a fallback for `HF_HUB_OFFLINE`: transformers 5.23 itself never reads it."
)
def transformers_offline():
    import transformers

    env = {
        k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    code = "from huggingface_hub import constants; print(constants.HF_HUB_OFFLINE)"
    runs = {}
    for value in (None, "1"):
        extra = {} if value is None else {"TRANSFORMERS_OFFLINE": value}
        run = subprocess.run(
            [sys.executable, "-c", code], env={**env, **extra}, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        runs[value] = run.stdout.strip()
    assert runs == {None: "False", "1": "True"}
    sources = Path(transformers.__file__).parent.rglob("*.py")
    assert not [p for p in sources if "TRANSFORMERS_OFFLINE" in p.read_text(encoding="utf-8")]


@claim(
    "huggingface_hub retries a request that cannot connect five times, waiting 1, 2, 4, 8 and "
    "8 s: 23 s of back-off before it gives up on one request."
)
def retry_schedule():
    import httpx2
    from huggingface_hub.utils import http_backoff

    params = inspect.signature(http_backoff).parameters
    retried = params["retry_on_exceptions"].default
    assert issubclass(httpx2.ConnectError, retried) and issubclass(httpx2.ConnectTimeout, retried)
    retries = params["max_retries"].default
    base, cap = params["base_wait_time"].default, params["max_wait_time"].default
    assert (retries, base, cap) == (5, 1, 8)
    waits = [min(base * 2**i, cap) for i in range(retries)]
    assert waits == [1, 2, 4, 8, 8]
    listed = ", ".join(str(w) for w in waits[:-1]) + f" and {waits[-1]}"
    return f"{listed} s ({sum(waits)} s in all)"
