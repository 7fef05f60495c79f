"""The Python files the rules read (snippets and claims files), parsed once per content, and
the rule that they parse at all: every other rule on them skips a file that does not."""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from kb.project import Layout, find_snippets, shown
from kb.rules.problem import Problem


def snippet_files(layout: Layout) -> list[Path]:
    return [s.path for s in find_snippets(layout)]


def claims_files(layout: Layout) -> list[Path]:
    """Every claims file, matched to a snippet or not (an orphan still runs nowhere, but it is
    still the project's code)."""
    return sorted(p for p in layout.claims.rglob("*.py") if p.name != "__init__.py")


@lru_cache(maxsize=1024)
def _parse(text: str) -> ast.Module | SyntaxError:
    try:
        return ast.parse(text)
    except SyntaxError as exc:
        return exc
    except ValueError as exc:  # a NUL byte in the source
        return SyntaxError(str(exc))


def parse(path: Path) -> ast.Module | None:
    """The file's syntax tree, or None when it is not valid Python (``valid_python`` says so)."""
    try:
        tree = _parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return tree if isinstance(tree, ast.Module) else None


def valid_python(layout: Layout) -> list[Problem]:
    problems = []
    for path in snippet_files(layout) + claims_files(layout):
        rel = shown(path, layout)
        try:
            tree = _parse(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            problems.append(Problem(rel, None, "not UTF-8 text: save it as UTF-8"))
            continue
        if isinstance(tree, SyntaxError):
            problems.append(
                Problem(rel, tree.lineno, f"not valid Python: {tree.msg}; fix the syntax")
            )
    return problems


def no_links(layout: Layout) -> list[Problem]:
    """A snippet or claims file is a file: a symbolic link would let a page show, and the
    runner run, whatever it points at, inside the project or not."""
    problems = []
    for folder in (layout.snippets, layout.claims):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_symlink():
                problems.append(
                    Problem(
                        shown(path, layout),
                        None,
                        "a symbolic link; snippets and claims files must be plain files: "
                        "copy the file here instead",
                    )
                )
    return problems
