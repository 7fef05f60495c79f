"""Rules on what a page's Markdown holds: no code that nothing runs, the outline of its type,
and error messages taken from the records rather than typed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from kb.project import Layout, shown
from kb.rules.includes import pages
from kb.rules.problem import Problem

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*\{?[ \t]*\.?(?P<lang>[\w+-]*)")
PYTHON_LANGS = {"python", "py", "python3", "py3", "pycon", "ipython", "pyi"}
#: Blocks a typed page may hold inline: messages and outputs, which are not run.
TEXT_LANGS = {"", "text", "txt", "plain", "output"}


def fences(markdown: str) -> Iterator[tuple[int, str]]:
    """(line, language) of every fence line (opening or closing: a closing one has no
    language, which every rule here allows)."""
    for lineno, line in enumerate(markdown.splitlines(), 1):
        m = FENCE.match(line)
        if m:
            yield lineno, m.group("lang").lower()


def inline_python_blocks(markdown: str, where: str) -> list[Problem]:
    """Python code written straight into a page instead of included from ``snippets/``."""
    return [
        Problem(
            where,
            lineno,
            "an inline Python code block. Every code block on the site comes from a snippet: "
            "move the code to snippets/<area>/<name>.py, add its claims in "
            "tests/claims/<area>/<name>.py, and show it with {{ snippet('<area>/<name>') }}.",
        )
        for lineno, lang in fences(markdown)
        if lang in PYTHON_LANGS
    ]


def unverified_code_blocks(markdown: str, where: str) -> list[Problem]:
    """Code of any language (shell, YAML, JSON...) written into a typed page: nothing runs it,
    so nothing checks it. Messages and outputs go in ```text blocks."""
    return [
        Problem(
            where,
            lineno,
            f"a ```{lang} block that nothing runs. Show commands through a snippet that does the "
            "same from Python (and name the command in prose), or put a message or an output in "
            "a ```text block.",
        )
        for lineno, lang in fences(markdown)
        if lang not in TEXT_LANGS and lang not in PYTHON_LANGS
    ]


def outline_problems(markdown: str, where: str, type_name: str) -> list[Problem]:
    """The ``## `` sections a page of its type must have, in the vocabulary's order."""
    from kb.graph.vocabulary import vocabulary

    page_type = vocabulary().types.get(type_name)
    if page_type is None or not page_type.outline or where.endswith("/index.md"):
        return []
    headings = [h.strip() for h in re.findall(r"^## (.+)$", markdown, re.MULTILINE)]
    present = [h for h in headings if h in page_type.outline]
    expected = list(page_type.outline)
    if present == expected:
        return []
    missing = [h for h in expected if h not in headings]
    what = (
        f"lacks {', '.join(repr(h) for h in missing)}"
        if missing
        else f"has them in another order ({', '.join(present)})"
    )
    return [
        Problem(
            where,
            None,
            f"{page_type.plural.lower()} have the sections {', '.join(expected)}, in that order "
            f"(see docs/contributing.md); this page {what}",
        )
    ]


def typed_error_message(markdown: str, where: str) -> list[Problem]:
    """An error page must show the message its snippet raised, from the records."""
    if where.endswith("/index.md") or "error_text(" in markdown:
        return []
    return [
        Problem(
            where,
            None,
            "an error page shows the message its snippet raised, from the records: write "
            "{{ error_text('errors/<name>') }} under 'What you see' instead of typing it",
        )
    ]


def _over_pages(
    check: Callable[[str, str, Path], list[Problem]], typed_only: bool = False
) -> Callable[[Layout], list[Problem]]:
    """A page rule run over every page of the project (or every typed page: one in a folder
    named for its type)."""

    def run(layout: Layout) -> list[Problem]:
        problems = []
        for page in pages(layout):
            if typed_only and page.parent == layout.docs:
                continue
            problems += check(page.read_text(encoding="utf-8"), shown(page, layout), page)
        return problems

    return run


no_inline_python = _over_pages(lambda text, rel, page: inline_python_blocks(text, rel))
no_unverified_code = _over_pages(
    lambda text, rel, page: unverified_code_blocks(text, rel), typed_only=True
)
page_outline = _over_pages(
    lambda text, rel, page: outline_problems(text, rel, page.parent.name), typed_only=True
)
error_text_from_records = _over_pages(
    lambda text, rel, page: typed_error_message(text, rel) if page.parent.name == "error" else [],
    typed_only=True,
)
