"""The integrity of a built hub: its manifest (every file, folder and link under the HF_HOME
with its sha256 or target), the check against it, and the write bits.

Snippets run with ``HF_HOME`` pointing at the hub, so one that writes into it (a
``save_pretrained`` into the cache, a rewritten ``config.json``) would poison every later
run. Two defences, because the suite may run as root, which ignores write bits: after a
build every file and folder of the hub loses its write bits (a normal user cannot write
it), and the stamp keeps a manifest taken after the build, which :func:`verify_hub`
compares with what is on disk (whoever wrote, the change is seen).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

#: The stamp file of an HF_HOME built by ``ensure_built``: what it was built from, and the
#: manifest. Not in the manifest itself (it holds it).
STAMP_NAME = "standin-stamp.json"

#: relative posix path -> "sha256 <hex>" (file), "link <target>", "dir" or "other"
Manifest = dict[str, str]


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 23), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_stamp(hf_home: Path) -> dict[str, Any] | None:
    try:
        stamp = json.loads((hf_home / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def take_manifest(root: Path) -> Manifest:
    """The manifest of everything under ``root`` but its stamp; links are not followed."""
    return _scan(root)[0]


def _scan(root: Path) -> tuple[Manifest, list[str]]:
    """(manifest, the relative paths of entries that have a write bit: "." for ``root``)."""
    entries: Manifest = {}
    files: list[str] = []
    writable: list[str] = []

    def note_mode(rel: str, mode: int) -> None:
        if mode & 0o222:
            writable.append(rel)

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as listing:
            for entry in sorted(listing, key=lambda e: e.name):
                rel = prefix + entry.name
                if entry.is_symlink():
                    entries[rel] = "link " + os.readlink(entry.path)
                    continue
                note_mode(rel, entry.stat(follow_symlinks=False).st_mode)
                if rel == STAMP_NAME:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    entries[rel] = "dir"
                    walk(entry.path, rel + "/")
                elif entry.is_file(follow_symlinks=False):
                    files.append(rel)
                else:
                    entries[rel] = "other"

    note_mode(".", os.lstat(root).st_mode)
    walk(str(root), "")
    # hashing releases the GIL: threads read and hash several files at once
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        for rel, digest in zip(files, pool.map(lambda r: _digest(root / r), files), strict=True):
            entries[rel] = digest
    return dict(sorted(entries.items())), writable


def _digest(path: Path) -> str:
    try:
        return "sha256 " + file_sha256(path)
    except OSError as exc:  # removed or made unreadable while the check ran
        return f"unreadable ({exc.strerror})"


def verify_hub(
    hf_home: str | os.PathLike[str], manifest: Mapping[str, str] | None = None
) -> list[str]:
    """The problems of the hub at ``hf_home``, one sentence each naming the path; empty when
    it is exactly as built: every entry of ``manifest`` (default: the one in its stamp)
    present and unchanged, nothing added, and no write bit anywhere."""
    hf_home = Path(hf_home)
    if not hf_home.is_dir():
        return [f"{hf_home}: no stand-in hub here"]
    if manifest is None:
        stamp = read_stamp(hf_home)
        if stamp is None:
            return [f"{hf_home / STAMP_NAME}: missing or unreadable: the hub cannot be checked"]
        manifest = stamp.get("manifest")
        if not isinstance(manifest, dict):
            return [f"{hf_home / STAMP_NAME}: holds no manifest: the hub cannot be checked"]
    try:
        actual, writable = _scan(hf_home)
    except OSError as exc:
        return [f"{exc.filename or hf_home}: cannot be read ({exc.strerror})"]
    read_as = _read_as(manifest)
    problems = [
        f"{hf_home / rel}: {what}{read_as.get(rel, '')}"
        for rel, what in _differences(manifest, actual)
    ]
    problems += [
        f"{hf_home if rel == '.' else hf_home / rel}: writable; a built hub is read-only"
        f"{read_as.get(rel, '')}"
        for rel in writable
    ]
    return problems


def _read_as(manifest: Mapping[str, str]) -> dict[str, str]:
    """A blob is read through its snapshots' links: ``" (read as <link>)"`` by blob, so a
    problem names the file a reader knows (config.json), not only its hash."""
    links: dict[str, list[str]] = {}
    for rel, kind in manifest.items():
        if kind.startswith("link "):
            target = os.path.normpath(os.path.join(os.path.dirname(rel), kind[5:]))
            links.setdefault(Path(target).as_posix(), []).append(rel)
    return {blob: f" (read as {', '.join(names)})" for blob, names in links.items()}


def _differences(expected: Mapping[str, str], actual: Mapping[str, str]) -> list[tuple[str, str]]:
    out = []
    for rel in sorted(expected.keys() | actual.keys()):
        old, new = expected.get(rel), actual.get(rel)
        if old == new:
            continue
        if new is None:
            out.append((rel, "removed since the hub was built"))
        elif old is None:
            out.append((rel, f"added since the hub was built ({_what(new)})"))
        elif old.split(" ", 1)[0] != new.split(" ", 1)[0]:
            out.append((rel, f"was a {_what(old)}, is now a {_what(new)}"))
        elif new.startswith("link "):
            out.append((rel, f"symlink now points to {new.removeprefix('link ')!r}"))
        else:
            out.append((rel, "content changed since the hub was built"))
    return out


def _what(kind: str) -> str:
    head = kind.split(" ", 1)[0]
    return {"sha256": "file", "link": "symlink", "dir": "folder"}.get(head, kind)


# --------------------------------------------------------------------------------------
# Write bits
# --------------------------------------------------------------------------------------


def make_read_only(root: Path) -> None:
    """Remove every write bit under ``root`` (itself included); links are left alone (their
    own mode means nothing, and following one could reach outside the hub)."""
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            _drop_write_bits(os.path.join(dirpath, name))
    _drop_write_bits(str(root))


def _drop_write_bits(path: str) -> None:
    mode = os.lstat(path).st_mode
    if not stat.S_ISLNK(mode):
        os.chmod(path, stat.S_IMODE(mode) & ~0o222)
