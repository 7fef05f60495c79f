"""One stand-in repository: the model (random weights, seed 0, real dtype) and tokenizer
saved as transformers saves them, then laid out as huggingface_hub caches a download::

    <HF_HOME>/hub/models--<org>--<name>/
        refs/main                        the commit hash, no newline
        blobs/<sha256>                   each file's content
        snapshots/<commit>/<file>        relative symlink to ../../blobs/<sha256>

so that with ``HF_HOME=<dir>`` and ``HF_HUB_OFFLINE=1``, ``from_pretrained("<org>/<name>")``
loads it like a downloaded repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kb.standin.configs import (
    check_scale,
    remote_class,
    remote_module_files,
    standin_config,
    standin_generation_config,
)
from kb.standin.manifest import file_sha256
from kb.standin.registry import REGISTRY_PATH, ModelSpec, UnknownModelError, load_registry
from kb.standin.tokenizer import standin_tokenizer
from kb.trees import remove_tree


def repo_folder_name(model_id: str) -> str:
    """``Qwen/Qwen2.5-0.5B-Instruct`` -> ``models--Qwen--Qwen2.5-0.5B-Instruct``."""
    return "models--" + model_id.replace("/", "--")


def default_device(scale: str) -> str:
    """Where a model is built: small scale always on CPU (cheap, reproducible); full scale
    on CUDA when there is one, so the host needs no more than one copy of the weights."""
    if scale == "small":
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def save_tokenizer(spec: ModelSpec, out_dir: Path) -> None:
    """Write the stand-in tokenizer as transformers saves it (``tokenizer.json``,
    ``tokenizer_config.json`` with the chat template inline), then set ``tokenizer_class``
    to the class the real repository declares."""
    from transformers import TokenizersBackend

    tspec = spec.tokenizer
    kwargs: dict[str, Any] = dict(tspec.init_kwargs)
    kwargs.update(
        bos_token=tspec.bos_token,
        eos_token=tspec.eos_token,
        unk_token=tspec.unk_token,
        pad_token=tspec.pad_token,
        model_max_length=tspec.model_max_length,
    )
    if tspec.additional_special_tokens:
        kwargs["extra_special_tokens"] = list(tspec.additional_special_tokens)
    if tspec.chat_template is not None:
        kwargs["chat_template"] = tspec.chat_template
    tokenizer = TokenizersBackend(tokenizer_object=standin_tokenizer(spec), **kwargs)
    tokenizer.save_pretrained(str(out_dir), save_jinja_files=False)
    config_path = out_dir / "tokenizer_config.json"
    tok_config = json.loads(config_path.read_text(encoding="utf-8"))
    tok_config["tokenizer_class"] = tspec.tokenizer_class
    config_path.write_text(
        json.dumps(tok_config, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


def save_model(spec: ModelSpec, scale: str, out_dir: Path, device: str | None = None) -> None:
    """Build the stand-in model with random weights (seed 0) in the real dtype and save it
    with ``save_pretrained`` (safetensors, transformers' default sharding)."""
    import torch
    from transformers import AutoModelForCausalLM

    config = standin_config(spec, scale)
    dtype = getattr(torch, spec.dtype)
    device = device or default_device(scale)
    torch.manual_seed(0)
    with torch.device(device):
        if spec.remote_code:
            model_class = remote_class(spec, "AutoModelForCausalLM")
            model = model_class._from_config(config, dtype=dtype)
        else:
            model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    if type(model).__name__ != spec.architecture:
        raise spec.field_error(
            "config.architectures",
            f"AutoModelForCausalLM builds {type(model).__name__}, not {spec.architecture}",
        )
    model.generation_config = standin_generation_config(spec)
    with _quiet_progress_bars():
        model.save_pretrained(str(out_dir))
    if spec.remote_code:
        for path in remote_module_files(spec):
            shutil.copyfile(path, out_dir / path.name)
    del model
    if device.startswith("cuda"):
        torch.cuda.empty_cache()


@contextlib.contextmanager
def _quiet_progress_bars() -> Iterator[None]:
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def build_model_repo(
    model_id: str,
    scale: str,
    hf_home: str | os.PathLike[str],
    *,
    registry: Mapping[str, ModelSpec] | None = None,
    device: str | None = None,
) -> Path:
    """Build the stand-in of ``model_id`` at ``scale`` as a cache repository under
    ``<hf_home>/hub``; return its snapshot folder. An existing repository of that id is
    replaced."""
    registry = load_registry() if registry is None else registry
    if model_id not in registry:
        source = next(iter(registry.values())).source if registry else REGISTRY_PATH
        raise UnknownModelError(
            f"{model_id!r} is not in the stand-in registry {source}; "
            f"registered: {', '.join(sorted(registry))}"
        )
    check_scale(scale)
    spec = registry[model_id]
    hub = Path(hf_home) / "hub"
    hub.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=hub))
    try:
        save_model(spec, scale, staging, device=device)
        save_tokenizer(spec, staging)
        return _layout_repo(staging, hub / repo_folder_name(model_id))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _layout_repo(files_dir: Path, repo: Path) -> Path:
    """Move the files of ``files_dir`` into ``repo`` as huggingface_hub caches them."""
    files = sorted(p for p in files_dir.rglob("*") if p.is_file())
    hashes = {p.relative_to(files_dir).as_posix(): file_sha256(p) for p in files}
    commit = hashlib.sha1(
        "".join(f"{rel}\0{sha}\n" for rel, sha in sorted(hashes.items())).encode()
    ).hexdigest()
    if repo.exists():
        remove_tree(repo)  # a hub built by ensure_built is read-only
    blobs = repo / "blobs"
    snapshot = repo / "snapshots" / commit
    blobs.mkdir(parents=True)
    snapshot.mkdir(parents=True)
    for rel, sha in sorted(hashes.items()):
        blob = blobs / sha
        if not blob.exists():
            os.replace(files_dir / rel, blob)
        link = snapshot / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        depth = len(Path(rel).parts) + 1  # snapshots/<commit>/<rel...>
        os.symlink(os.path.join(*([".."] * depth), "blobs", sha), link)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    return snapshot
