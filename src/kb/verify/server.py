"""The runner server: pays the import cost once, then forks a child per snippet.

One JSON request per line on stdin (``{"jobs": [...], "parallel": N, "limits": {...}}``), one
JSON message per line on stdout (a result per job, then ``{"done": true}``). Before it says
it is ready, the server imports what every child would otherwise import lazily: the heavy
libraries, the modelling modules of every architecture the stand-in hub registers, and the
code paths of a first tiny load.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
import time
import warnings
from dataclasses import asdict

from kb.verify.pool import Limits, run_many
from kb.verify.results import Job

#: Imported once by the server, so that children start warm.
WARM_IMPORTS = (
    "torch",
    "transformers",
    "transformers.modeling_utils",
    "transformers.models.auto.modeling_auto",
    "transformers.models.auto.tokenization_auto",
    "accelerate",
    "pytest_examples.run_code",
    "pytest_examples.lint",
    "_pytest.assertion.rewrite",
)
#: Imported once too, but only where there is no GPU: bitsandbytes asks CUDA for the device's
#: capability when imported (and peft and trl import bitsandbytes), and CUDA initialised in the
#: server cannot be used by any fork of it.
CPU_ONLY_WARM_IMPORTS = (
    "bitsandbytes",
    "peft",
    "trl",
    "trl.trainer.utils",  # trl's lazy exports pull in datasets and pandas: about 1 s a child
    "transformers.pipelines",
)


def architecture_modules() -> list[str]:
    """The modelling, configuration and tokenizer modules of every registered model type."""
    from kb.standin import load_registry

    names = []
    for model_type in sorted({spec.model_type for spec in load_registry().values()}):
        base = f"transformers.models.{model_type}"
        names += [f"{base}.configuration_{model_type}", f"{base}.modeling_{model_type}"]
    return names


def tiny_load() -> None:
    """Build and run a two-layer model from a config, as every snippet's load does: the lazy
    parts of loading and generation are imported here, not in each child. Nothing is read
    from the stand-in hub, and the log-once caches are emptied afterwards, so that no child
    misses a warning because the server already gave it."""
    import torch
    from transformers import AutoModelForCausalLM, GPT2Config
    from transformers.utils import logging as hf_logging

    # one thread: a thread pool started here would be inherited, broken, by every fork (the
    # OpenMP runtime is not fork-safe); each child sizes its own pool
    torch.set_num_threads(1)
    config = GPT2Config(
        n_layer=1,
        n_embd=16,
        n_head=2,
        vocab_size=32,
        n_positions=16,
        bos_token_id=0,
        eos_token_id=0,
    )
    model = AutoModelForCausalLM.from_config(config)
    with torch.no_grad():
        model.generate(torch.tensor([[1, 2]]), max_new_tokens=2, do_sample=False, pad_token_id=0)
    hf_logging.warning_once.cache_clear()
    hf_logging.info_once.cache_clear()
    del model


def warm_up(environment: str) -> None:
    gpu = environment == "gpu"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extra = () if gpu else CPU_ONLY_WARM_IMPORTS
        for name in (*WARM_IMPORTS, *extra, *architecture_modules()):
            try:
                importlib.import_module(name)
            except ImportError:
                pass
        if not gpu:
            tiny_load()
    import torch

    if torch.cuda.is_initialized():
        raise SystemExit(
            "the runner server initialised CUDA while warming up: no child could use the GPU; "
            "remove from the warm-up whatever imported it"
        )
    # everything imported so far lives as long as the server: move it out of the collector's
    # sight, so that a child's collections (snippets that free a model call gc.collect()) do
    # not walk, and copy page by page, the whole of torch and transformers
    gc.collect()
    gc.freeze()


def environment_facts() -> dict:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for dist in (
        "torch",
        "transformers",
        "accelerate",
        "peft",
        "bitsandbytes",
        "trl",
        "huggingface-hub",
        "tokenizers",
        "pytest-examples",
    ):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            pass
    facts = {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "versions": versions,
    }
    return facts  # the device is named by each child (asking here would initialise CUDA)


def serve(environment: str) -> None:
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # library chatter must not corrupt the protocol stream
    t0 = time.perf_counter()
    warm_up(environment)
    facts = environment_facts()
    proto.write(json.dumps({"ready": True, "import_seconds": time.perf_counter() - t0}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        jobs = [Job(**j) for j in request["jobs"]]
        limits = Limits(**request.get("limits", {}))
        for index, result in run_many(jobs, request.get("parallel", 1), facts, limits):
            proto.write(json.dumps({"index": index, "result": asdict(result)}, default=str) + "\n")
        proto.write(json.dumps({"done": True}) + "\n")


if __name__ == "__main__":
    serve(sys.argv[1] if len(sys.argv) > 1 else "cpu")
