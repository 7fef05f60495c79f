import functools
import json
import os
import subprocess
import sys

from kb.claims import claim

TIMEOUT = 240

# Runs in a fresh interpreter where one package cannot be imported, then tries the same loads.
PROBE = """
import json, sys, traceback
sys.modules[{blocked!r}] = None  # as if the package were not installed
import torch
from transformers import AutoModelForCausalLM, BitsAndBytesConfig

configs = {{
    "4bit": BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                               bnb_4bit_compute_dtype=torch.bfloat16),
    "8bit": BitsAndBytesConfig(load_in_8bit=True),
}}
found = {{}}
for name, config in configs.items():
    try:
        AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.1-8B-Instruct",
                                             quantization_config=config, dtype=torch.bfloat16)
        found[name] = None
    except Exception as error:
        frames = [f.name for f in traceback.extract_tb(error.__traceback__)]
        found[name] = [type(error).__name__, str(error), frames]
print(json.dumps(found))
"""


def run_without(package):
    env = {
        key: os.environ[key]
        for key in ("PATH", "HOME", "HF_HOME", "HF_HUB_CACHE")
        if key in os.environ
    }
    env["HF_HUB_OFFLINE"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(blocked=package)],
        capture_output=True,
        text=True,
        env=env,
        timeout=200,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@functools.cache
def without_bitsandbytes():
    return run_without("bitsandbytes")


@claim(
    "Without the bitsandbytes package, a 4-bit load raises `ImportError: Using `bitsandbytes` "
    "4-bit quantization requires bitsandbytes: `pip install -U bitsandbytes>=0.46.1``."
)
def four_bit_message():
    kind, message, _ = without_bitsandbytes()["4bit"]
    assert kind == "ImportError"
    assert message == (
        "Using `bitsandbytes` 4-bit quantization requires bitsandbytes: "
        "`pip install -U bitsandbytes>=0.46.1`"
    )
    return f"{kind}: {message}"


@claim(
    "An 8-bit load says the same with `8-bit`: `ImportError: Using `bitsandbytes` 8-bit "
    "quantization requires bitsandbytes: `pip install -U bitsandbytes>=0.46.1``."
)
def eight_bit_message():
    kind, message, _ = without_bitsandbytes()["8bit"]
    assert kind == "ImportError"
    assert message == (
        "Using `bitsandbytes` 8-bit quantization requires bitsandbytes: "
        "`pip install -U bitsandbytes>=0.46.1`"
    )
    return f"{kind}: {message}"


@claim(
    "The check runs in the quantizer's `validate_environment`, before any weight is read; "
    "`BitsAndBytesConfig` itself is built without complaint."
)
def raised_before_loading():
    _, _, frames = without_bitsandbytes()["4bit"]
    assert frames[-1] == "validate_environment"
    assert "from_pretrained" in frames
    assert "_load_pretrained_model" not in frames
    return " → ".join(frames[frames.index("from_pretrained") :])


@claim(
    "Without accelerate, the same load names accelerate instead: `ImportError: Using "
    "`bitsandbytes` 4-bit quantization requires accelerate: `pip install 'accelerate>=1.1.0'``."
)
def accelerate_message():
    kind, message, frames = run_without("accelerate")["4bit"]
    assert kind == "ImportError"
    assert message == (
        "Using `bitsandbytes` 4-bit quantization requires accelerate: "
        "`pip install 'accelerate>=1.1.0'`"
    )
    assert frames[-1] == "validate_environment"
    return f"{kind}: {message}"


@claim("With the packages installed, the same call loads the model with `Linear4bit` layers.")
def loads_when_installed(model, output):
    import bitsandbytes as bnb

    assert isinstance(model.model.layers[0].mlp.down_proj, bnb.nn.Linear4bit)
    assert output.splitlines() == ["Linear4bit"], repr(output)
