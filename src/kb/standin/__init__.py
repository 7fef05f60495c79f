"""The stand-in hub: offline checkpoints of the real architectures for every model id a
snippet uses (a local Hugging Face cache: real configs, random weights, small tokenizers
trained here with the real special tokens).

One module per job: ``schema`` (the schema of ``models.yaml``), ``registry`` (reading it),
``tokenizer`` (training, on ``corpus.txt``), ``configs`` (stand-in configs), ``repos`` (one
repository in the cache layout), ``manifest`` (the hub's integrity and write bits),
``cache`` (the whole hub, built once and reused), ``uses`` (model ids the snippets load),
``__main__`` (the command, ``python -m kb.standin``).

Claims files import the registry from here: ``from kb.standin import load_registry``.
"""

from kb.standin.cache import ensure_built, stamp_key
from kb.standin.manifest import STAMP_NAME, verify_hub
from kb.standin.registry import (
    ModelSpec,
    RegistryError,
    TokenizerSpec,
    UnknownModelError,
    load_registry,
)
from kb.standin.tokenizer import token_id_map
from kb.standin.uses import check_snippet_ids, find_model_uses, used_model_ids

__all__ = [
    "STAMP_NAME",
    "ModelSpec",
    "RegistryError",
    "TokenizerSpec",
    "UnknownModelError",
    "check_snippet_ids",
    "ensure_built",
    "find_model_uses",
    "load_registry",
    "stamp_key",
    "token_id_map",
    "used_model_ids",
    "verify_hub",
]
