"""Marked sections of a snippet (``# --8<-- [start:name]`` ... ``[end:name]``): which exist, the
lines a page shows of one, and the lines a ``highlight=`` names among them."""

from __future__ import annotations

import re

SECTION_MARK = re.compile(r"#\s*-{1,}8<-{1,}\s*\[(start|end):(?P<name>[\w-]+)\]")


def sections_of(source: str) -> set[str]:
    return {m.group("name") for m in SECTION_MARK.finditer(source)}


def _section(source: str, section: str | None) -> list[str]:
    lines = source.splitlines()
    if section:
        start = next(i for i, line in enumerate(lines) if f"[start:{section}]" in line)
        end = next(i for i, line in enumerate(lines) if f"[end:{section}]" in line)
        lines = lines[start + 1 : end]
    return lines


def section_lines(source: str, section: str | None) -> list[str]:
    """The lines a page shows of a snippet: the section's (or the whole file), without the
    section markers, as pymdownx.snippets includes them."""
    return [line for line in _section(source, section) if not SECTION_MARK.search(line)]


def highlighted_lines(source: str, section: str | None, names: str) -> list[int]:
    """The numbers, among the lines a page shows, of the lines inside the nested sections
    ``names`` (comma-separated) marks: highlights that move with the code they point at."""
    wanted = {n.strip() for n in names.split(",") if n.strip()}
    open_marks: set[str] = set()
    shown = 0
    numbers = []
    for line in _section(source, section):
        mark = SECTION_MARK.search(line)
        if mark:
            kind = "start" if "[start:" in line else "end"
            (open_marks.add if kind == "start" else open_marks.discard)(mark.group("name"))
            continue
        shown += 1
        if open_marks & wanted:
            numbers.append(shown)
    return numbers


def highlight_problems(source: str, section: str | None, names: str) -> list[str]:
    """Why ``highlight=names`` does not point at lines the page shows; empty when it does."""
    if names == "hl_lines":
        return [
            "hl_lines= counts line numbers, which drift when the snippet changes; mark the lines "
            "in the snippet with '# --8<-- [start:<name>]' and '# --8<-- [end:<name>]' and pass "
            "highlight='<name>'"
        ]
    problems = []
    for name in (n.strip() for n in names.split(",")):
        if name not in sections_of(source):
            problems.append(
                f"highlight '{name}': the snippet has no such marked lines; mark them with "
                f"'# --8<-- [start:{name}]' and '# --8<-- [end:{name}]'"
            )
        elif not highlighted_lines(source, section, name):
            where = f"section '{section}'" if section else "the file"
            problems.append(f"highlight '{name}': its marked lines lie outside {where}")
    return problems
