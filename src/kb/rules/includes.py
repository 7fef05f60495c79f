"""The snippets the pages include with ``{{ snippet(...) }}``, and the rule that each include
names a snippet, a section and highlights that exist."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from kb.project import Layout, find_snippets, shown, snippet_key
from kb.rules.problem import Problem
from kb.rules.sections import highlight_problems, sections_of

SNIPPET_CALL = re.compile(
    r"""\{\{-?\s*snippet\(\s*["'](?P<key>[^"']+)["'](?P<rest>[^}]*)\)\s*-?\}\}"""
)
SECTION_ARG = re.compile(r"""section\s*=\s*["'](?P<section>[^"']+)["']""")
HL_ARG = re.compile(r"""hl_lines\s*=""")
HIGHLIGHT_ARG = re.compile(r"""highlight\s*=\s*["'](?P<names>[^"']+)["']""")
RAW_BLOCK = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.DOTALL)


def pages(layout: Layout) -> list[Path]:
    return sorted(layout.docs.rglob("*.md"))


def snippet_uses(layout: Layout) -> list[tuple[Path, int, str, str | None, str | None]]:
    """(page, line, snippet key, section, highlight) for every snippet macro call in the pages;
    a call that still passes line numbers as ``hl_lines`` gets ``"hl_lines"`` as highlight."""
    uses = []
    for page in pages(layout):
        # a {% raw %} block shows macro calls as text: blank it, keeping the line numbers
        text = RAW_BLOCK.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), page.read_text("utf-8"))
        for lineno, line in enumerate(text.splitlines(), 1):
            for m in SNIPPET_CALL.finditer(line):
                sec = SECTION_ARG.search(m.group("rest"))
                marks = HIGHLIGHT_ARG.search(m.group("rest"))
                highlight = marks.group("names") if marks else None
                if HL_ARG.search(m.group("rest")):
                    highlight = "hl_lines"
                key = snippet_key(m.group("key"))
                uses.append((page, lineno, key, sec.group("section") if sec else None, highlight))
    return uses


def missing_snippet_message(key: str, known) -> str:
    near = difflib.get_close_matches(key, list(known), n=1)
    hint = f" Did you mean '{near[0]}'?" if near else ""
    return f"the page includes snippets/{key}.py, which does not exist.{hint}"


def snippet_includes(layout: Layout) -> list[Problem]:
    """Includes of snippets, sections or highlighted lines that do not exist."""
    known = {s.key: s for s in find_snippets(layout)}
    problems = []
    for page, lineno, key, section, highlight in snippet_uses(layout):
        rel = shown(page, layout)
        if key not in known:
            problems.append(Problem(rel, lineno, missing_snippet_message(key, known)))
        elif section and section not in sections_of(known[key].source):
            problems.append(
                Problem(
                    rel,
                    lineno,
                    f"snippets/{key}.py has no section '{section}'; mark it in the snippet with "
                    f"'# --8<-- [start:{section}]' and '# --8<-- [end:{section}]'",
                )
            )
        elif highlight:
            for bad in highlight_problems(known[key].source, section, highlight):
                problems.append(Problem(rel, lineno, f"snippets/{key}.py: {bad}"))
    return problems
