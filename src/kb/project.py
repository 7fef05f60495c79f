"""Where things live in the project, and the snippets it holds."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Layout:
    """The project's folders; tests build other layouts in temporary directories."""

    root: Path = ROOT

    @property
    def snippets(self) -> Path:
        return self.root / "snippets"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def claims(self) -> Path:
        return self.root / "tests" / "claims"

    @property
    def records(self) -> Path:
        return self.root / "verification"

    @property
    def cache(self) -> Path:
        return self.root / ".cache"


@dataclass(frozen=True)
class Snippet:
    """A snippet file, named by its path under ``snippets/`` without the suffix."""

    key: str
    path: Path
    claims_path: Path

    @property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def digest(self) -> str:
        return file_digest(self.path)

    @property
    def claims_digest(self) -> str | None:
        return file_digest(self.claims_path) if self.claims_path.exists() else None


def file_digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def snippet_key(rel: str) -> str:
    """``loading/gpt2.py`` and ``loading/gpt2`` both name the snippet ``loading/gpt2``."""
    rel = rel.strip().replace("\\", "/")
    return rel[:-3] if rel.endswith(".py") else rel


def find_snippets(layout: Layout = Layout()) -> list[Snippet]:
    """Every ``snippets/<area>/<name>.py``, sorted by key."""
    found = []
    for path in sorted(layout.snippets.rglob("*.py")):
        rel = path.relative_to(layout.snippets).as_posix()
        key = snippet_key(rel)
        found.append(Snippet(key=key, path=path, claims_path=layout.claims / f"{key}.py"))
    return found


def get_snippet(key: str, layout: Layout = Layout()) -> Snippet:
    key = snippet_key(key)
    path = layout.snippets / f"{key}.py"
    return Snippet(key=key, path=path, claims_path=layout.claims / f"{key}.py")


def shown(path: str | Path, layout: Layout = Layout()) -> str:
    """A path as messages name it: relative to the project root when inside it, with forward
    slashes (not resolved: a link is named as the link)."""
    try:
        return Path(path).relative_to(layout.root).as_posix()
    except ValueError:
        return Path(path).as_posix()
