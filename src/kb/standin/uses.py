"""The model ids the snippets load: a scan of their source (no snippet is run), and the
check that every one of them is in the registry, so that a snippet never meets an id the
stand-in hub lacks.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kb.standin.registry import REGISTRY_PATH, ModelSpec, UnknownModelError, load_registry

#: A comment on a ``from_pretrained`` line that tells ``used_model_ids`` to skip it
#: (a snippet that shows the error for a repository that does not exist, say).
IGNORE_MARKER = "standin-hub: ignore"


@dataclass(frozen=True)
class ModelUse:
    model_id: str
    path: Path
    line: int


def find_model_uses(snippets_dir: str | os.PathLike[str]) -> list[ModelUse]:
    """Every model id passed to a ``*.from_pretrained(...)`` call in the ``*.py`` files under
    ``snippets_dir``: a string literal as the first positional argument (or as
    ``pretrained_model_name_or_path=``), a variable assigned a string literal in the same
    file, or ``x.attr`` where a call in the file passes ``attr="..."`` (trl's
    ``ModelConfig(model_name_or_path=...)``). Local paths are left out: strings starting
    with ``.``, ``/`` or ``~``, and strings the file also passes to ``save_pretrained``.
    Calls with the comment ``# standin-hub: ignore`` on one of their lines are left out too."""
    uses = []
    for path in sorted(Path(snippets_dir).rglob("*.py")):
        uses.extend(_uses_in_file(path))
    return uses


def used_model_ids(snippets_dir: str | os.PathLike[str]) -> set[str]:
    """The model ids the snippets under ``snippets_dir`` load (see :func:`find_model_uses`)."""
    return {use.model_id for use in find_model_uses(snippets_dir)}


def _uses_in_file(path: Path) -> list[ModelUse]:
    try:
        source = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SyntaxError(
            f"{path}: not UTF-8 text (offset {exc.start}); save it as UTF-8"
        ) from None
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as exc:
        raise SyntaxError(f"{path}:{exc.lineno}: cannot parse the snippet: {exc.msg}") from None
    lines = source.splitlines()

    names: dict[str, list[str]] = {}  # variable -> string literals assigned to it
    keywords: dict[str, list[str]] = {}  # keyword -> string literals passed as it
    saved: set[str] = set()  # strings passed to save_pretrained
    calls: list[ast.Call] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = _string(node.value)
            if value is not None:
                for target in targets:
                    if isinstance(target, ast.Name):
                        names.setdefault(target.id, []).append(value)
        elif isinstance(node, ast.Call):
            for kw in node.keywords:
                value = _string(kw.value)
                if kw.arg and value is not None:
                    keywords.setdefault(kw.arg, []).append(value)
            if isinstance(node.func, ast.Attribute):
                if node.func.attr == "from_pretrained":
                    calls.append(node)
                elif node.func.attr == "save_pretrained" and node.args:
                    saved.update(_resolve(node.args[0], names, keywords))

    uses = []
    for call in calls:
        end = call.end_lineno or call.lineno
        if any(IGNORE_MARKER in line for line in lines[call.lineno - 1 : end]):
            continue
        arg = call.args[0] if call.args else None
        if arg is None:
            arg = next(
                (kw.value for kw in call.keywords if kw.arg == "pretrained_model_name_or_path"),
                None,
            )
        if arg is None:
            continue
        for value in _resolve(arg, names, keywords):
            if value.startswith((".", "/", "~")) or value in saved:
                continue
            uses.append(ModelUse(value, path, call.lineno))
    return uses


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _resolve(node: ast.AST, names: dict[str, list[str]], keywords: dict[str, list[str]]):
    value = _string(node)
    if value is not None:
        return [value]
    if isinstance(node, ast.Name):
        return names.get(node.id, [])
    if isinstance(node, ast.Attribute):
        return keywords.get(node.attr, [])
    return []


def check_snippet_ids(
    snippets_dir: str | os.PathLike[str],
    registry: Mapping[str, ModelSpec] | None = None,
    *,
    registry_path: str | os.PathLike[str] | None = None,
) -> set[str]:
    """Raise :class:`UnknownModelError`, naming the snippet file and line, when a snippet
    loads a model id the registry lacks; return the ids used."""
    registry_path = Path(registry_path) if registry_path is not None else REGISTRY_PATH
    registry = load_registry(registry_path) if registry is None else registry
    uses = find_model_uses(snippets_dir)
    unknown = [use for use in uses if use.model_id not in registry]
    if unknown:
        where = "; ".join(f"{u.path}:{u.line} loads {u.model_id!r}" for u in unknown)
        raise UnknownModelError(
            f"{where}: not in the stand-in registry {registry_path}. Add the model's real "
            "config there (see docs/contributing.md)."
        )
    return {use.model_id for use in uses}
