"""The configs of the stand-ins: the real config.json, its token ids mapped to the stand-in
tokenizer, scaled down for CPU at ``scale="small"``; and the real generation config.

``small`` keeps the architecture and every field but the shape: 2 layers, hidden 128, 4
heads (head_dim 32), kv heads 4 under MHA else 2, intermediate size scaled with the hidden
size, vocab the tokenizer size rounded up. ``full`` keeps the real sizes, for a GPU machine.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import sys
from pathlib import Path
from typing import Any

from kb.standin.registry import ModelSpec
from kb.standin.schema import REMOTE_CODE_DIR
from kb.standin.tokenizer import remap_token_ids, standin_tokenizer, token_id_map

SCALES = ("small", "full")
#: The small scale: hidden size, layers, attention heads (head_dim 32), kv heads under GQA.
SMALL_HIDDEN = 128
SMALL_LAYERS = 2
SMALL_HEADS = 4
SMALL_GQA_KV_HEADS = 2


def check_scale(scale: str) -> None:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, not {scale!r}")


#: Canonical shape names -> the config keys of model types that name them differently.
_SHAPE_KEYS = {
    "gpt2": {
        "hidden": "n_embd",
        "layers": "n_layer",
        "heads": "n_head",
        "intermediate": "n_inner",
        "max_positions": "n_positions",
    },
}
_DEFAULT_SHAPE_KEYS = {
    "hidden": "hidden_size",
    "layers": "num_hidden_layers",
    "heads": "num_attention_heads",
    "kv_heads": "num_key_value_heads",
    "intermediate": "intermediate_size",
    "max_positions": "max_position_embeddings",
}


def shape_keys(model_type: str) -> dict[str, str]:
    """Canonical shape names (hidden, layers, heads, kv_heads, intermediate, max_positions)
    -> the key the model type's config uses for them."""
    return _SHAPE_KEYS.get(model_type, _DEFAULT_SHAPE_KEYS)


def _round_to(value: float, multiple: int) -> int:
    return max(multiple, int(math.floor(value / multiple + 0.5)) * multiple)


def standin_config_dict(spec: ModelSpec, scale: str) -> dict[str, Any]:
    """The config.json content (real keys, ``torch_dtype`` as in the registry) of the
    stand-in at ``scale``; see :func:`standin_config`."""
    check_scale(scale)
    real = spec.config
    cfg = remap_token_ids(real, token_id_map(spec))
    if scale == "full":
        return cfg

    keys = shape_keys(spec.model_type)

    def need(name: str) -> int:
        key = keys[name]
        value = real.get(key)
        if not isinstance(value, int):
            raise spec.field_error(f"config.{key}", "required to scale the model down")
        return value

    hidden, heads = need("hidden"), need("heads")
    need("layers")
    cfg[keys["hidden"]] = SMALL_HIDDEN
    cfg[keys["layers"]] = SMALL_LAYERS
    cfg[keys["heads"]] = SMALL_HEADS
    if "head_dim" in real:
        cfg["head_dim"] = SMALL_HIDDEN // SMALL_HEADS
    if "kv_heads" in keys:
        kv = real.get(keys["kv_heads"], heads)
        cfg[keys["kv_heads"]] = SMALL_HEADS if kv in (None, heads) else SMALL_GQA_KV_HEADS
    real_inter = real.get(keys["intermediate"])
    if real_inter is None and spec.model_type == "gpt2":
        pass  # n_inner null means 4 * n_embd, which scales to itself
    else:
        inter = need("intermediate")
        # a multiple of 64, as real sizes are: bitsandbytes' CPU 4-bit kernel needs
        # out_features to be a multiple of its block and fails on, say, 688
        cfg[keys["intermediate"]] = _round_to(SMALL_HIDDEN * inter / hidden, 64)
    cfg["vocab_size"] = _round_to_up(standin_tokenizer_size(spec), 64)
    return cfg


def _round_to_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def standin_tokenizer_size(spec: ModelSpec) -> int:
    """Number of tokens of the stand-in tokenizer, added tokens included."""
    return standin_tokenizer(spec).get_vocab_size(with_added_tokens=True)


def standin_config(spec: ModelSpec, scale: str):
    """The ``transformers`` config of the stand-in of ``spec`` at ``scale``.

    ``full``: the real config, with its token ids (bos/eos/pad...) mapped to the ids of the
    same tokens in the stand-in tokenizer. ``small``: the same, scaled down for CPU: 2
    layers, hidden 128, 4 heads (head_dim 32), kv heads 4 under MHA else 2, intermediate
    size scaled with the hidden size (multiple of 64), vocab the tokenizer size rounded up
    to a multiple of 64; every other field as the real config.
    """
    from transformers import AutoConfig

    cfg = standin_config_dict(spec, scale)
    cfg.pop("model_type")
    if spec.remote_code:
        config_class = remote_class(spec, "AutoConfig")
        return config_class(**cfg)
    try:
        return AutoConfig.for_model(spec.model_type, **cfg)
    except ValueError as exc:
        raise spec.field_error("config.model_type", str(exc)) from None


def remote_module_files(spec: ModelSpec) -> list[Path]:
    return sorted((REMOTE_CODE_DIR / spec.remote_code).glob("*.py"))


def remote_class(spec: ModelSpec, auto_class: str):
    """The class ``config.auto_map[auto_class]`` names in the stand-in's remote code, imported
    as a package of its own so that its relative imports work as they do from the Hub."""
    module_name, class_name = spec.config["auto_map"][auto_class].rsplit(".", 1)
    package = f"kb_standin_remote_code_{spec.remote_code}"
    if package not in sys.modules:
        folder = REMOTE_CODE_DIR / spec.remote_code
        pkg_spec = importlib.util.spec_from_loader(package, loader=None, is_package=True)
        pkg = importlib.util.module_from_spec(pkg_spec)
        pkg.__path__ = [str(folder)]
        sys.modules[package] = pkg
    return getattr(importlib.import_module(f"{package}.{module_name}"), class_name)


def standin_generation_config(spec: ModelSpec):
    """The real generation config with its token ids mapped to the stand-in tokenizer."""
    from transformers import GenerationConfig

    return GenerationConfig.from_dict(remap_token_ids(spec.generation_config, token_id_map(spec)))
