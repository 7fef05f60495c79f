"""The stand-in hub on disk: ``<hub_root>/<scale>``, an HF_HOME holding the stand-in of every
registered model id (at ``scale="full"``, of every id the snippets load), built once and
reused while its stamp matches and its files match the stamp's manifest.

The stamp (``standin-stamp.json``) records what a build depends on: the scale, the model
ids, the registry, every file of this package (modules, ``models.yaml``, ``corpus.txt``,
``remote_code/``) and the versions of the libraries that write the files. A change to any of
them, or any change to the hub's own files, rebuilds it from scratch.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from kb.project import Layout
from kb.standin.configs import check_scale
from kb.standin.manifest import (
    STAMP_NAME,
    file_sha256,
    make_read_only,
    read_stamp,
    take_manifest,
    verify_hub,
)
from kb.standin.registry import REGISTRY_PATH, load_registry
from kb.standin.repos import build_model_repo
from kb.standin.uses import check_snippet_ids
from kb.trees import remove_tree

DEFAULT_SNIPPETS = Layout().snippets
DEFAULT_HUB_ROOT = Layout().cache / "standin-hub"
#: Versions that decide what a build writes.
STAMP_PACKAGES = ("torch", "transformers", "tokenizers", "huggingface_hub", "safetensors")
#: The folder whose every file the build depends on.
WING = Path(__file__).resolve().parent


def builder_files() -> dict[str, str]:
    """sha256 of every file of this package by its relative path (caches left out)."""
    return {
        path.relative_to(WING).as_posix(): file_sha256(path)
        for path in sorted(WING.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def stamp_key(
    scale: str,
    registry_path: str | os.PathLike[str] | None = None,
    models: list[str] | None = None,
) -> dict[str, Any]:
    """What the cache of ``scale`` depends on, and its hash under ``"key"``."""
    registry_path = Path(registry_path) if registry_path is not None else REGISTRY_PATH
    parts: dict[str, Any] = {
        "scale": scale,
        "models": sorted(models) if models is not None else "all",
        "registry": file_sha256(registry_path),
        "builder": builder_files(),
        "versions": {name: _version(name) for name in STAMP_PACKAGES},
    }
    parts["key"] = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return parts


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes building the same cache (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _damage(hf_home: Path, stamp: dict[str, Any]) -> tuple[bool, list[str]]:
    """(whether ``hf_home`` must be built, the problems of a hub whose stamp matches)."""
    current = read_stamp(hf_home)
    if current is None or current.get("key") != stamp["key"]:
        return True, []
    problems = verify_hub(hf_home, current.get("manifest"))
    return bool(problems), problems


def ensure_built(
    scale: str,
    hub_root: str | os.PathLike[str],
    *,
    registry_path: str | os.PathLike[str] | None = None,
    snippets_dir: str | os.PathLike[str] | None = DEFAULT_SNIPPETS,
    device: str | None = None,
) -> Path:
    """Return ``<hub_root>/<scale>``, the HF_HOME of every registered model's stand-in,
    building it first unless its stamp matches (see the module) and every file under it
    matches the stamp's manifest. A hub whose files changed is rebuilt from scratch, with
    one line on stderr naming what changed.

    The build goes to a temporary folder next to it, gets its manifest, loses its write
    bits, and is renamed into place once complete, so an interrupted build never leaves a
    cache marked valid.

    With ``snippets_dir`` (default: the project's ``snippets/``), first check that every
    model id its snippets load is registered (:class:`UnknownModelError` otherwise).
    """
    check_scale(scale)
    registry_path = Path(registry_path) if registry_path is not None else REGISTRY_PATH
    hub_root = Path(hub_root)
    hf_home = hub_root / scale
    registry = None
    models: list[str] | None = None
    if snippets_dir is not None and Path(snippets_dir).is_dir():
        registry = load_registry(registry_path)
        used = check_snippet_ids(snippets_dir, registry, registry_path=registry_path)
        if scale == "full":
            # full size costs gigabytes per model: build only what the snippets load
            models = [model_id for model_id in registry if model_id in used]

    stamp = stamp_key(scale, registry_path, models)
    if not _damage(hf_home, stamp)[0]:
        return hf_home

    hub_root.mkdir(parents=True, exist_ok=True)
    with _lock(hub_root / f".{scale}.lock"):
        rebuild, problems = _damage(hf_home, stamp)
        if not rebuild:
            return hf_home  # built by another process meanwhile
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            print(
                f"stand-in hub: {problems[0]}{more}; rebuilding {hf_home} from scratch",
                file=sys.stderr,
                flush=True,
            )
        registry = registry if registry is not None else load_registry(registry_path)
        _build(
            hub_root,
            scale,
            stamp,
            models if models is not None else list(registry),
            registry,
            device,
        )
    return hf_home


def _build(
    hub_root: Path, scale: str, stamp: dict[str, Any], models: list[str], registry, device
) -> None:
    hf_home = hub_root / scale
    for stale in [*hub_root.glob(f".{scale}.building-*"), *hub_root.glob(f".{scale}.old-*")]:
        remove_tree(stale, ignore_errors=True)
    # Import what every build needs before the first model's clock starts.
    import tokenizers.trainers  # noqa: F401
    import torch  # noqa: F401
    import transformers.generation  # noqa: F401
    import transformers.modeling_utils  # noqa: F401
    import transformers.models.auto.modeling_auto  # noqa: F401
    import transformers.tokenization_utils_tokenizers  # noqa: F401

    building = Path(tempfile.mkdtemp(prefix=f".{scale}.building-", dir=hub_root))
    building.chmod(0o755)  # mkdtemp makes it private; the cache is not
    try:
        for model_id in models:
            t0 = time.perf_counter()
            build_model_repo(model_id, scale, building, registry=registry, device=device)
            seconds = time.perf_counter() - t0
            print(f"stand-in hub: built {model_id} ({scale}) in {seconds:.2f} s", flush=True)
        stamp = {**stamp, "manifest": take_manifest(building)}
        (building / STAMP_NAME).write_text(
            json.dumps(stamp, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        make_read_only(building)
        old = None
        if os.path.lexists(hf_home):
            old = hub_root / f".{scale}.old-{os.getpid()}-{time.time_ns()}"
            os.replace(hf_home, old)
        os.replace(building, hf_home)
        if old is not None:
            remove_tree(old, ignore_errors=True)
    except BaseException:
        remove_tree(building, ignore_errors=True)
        raise
