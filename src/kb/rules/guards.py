"""Names other modules import from here; the rules themselves live in the registry
(``kb.rules.registry``) and the modules it names."""

from __future__ import annotations

from kb.rules.includes import missing_snippet_message, pages, snippet_uses
from kb.rules.page_text import inline_python_blocks as _inline_python_blocks
from kb.rules.sections import (
    highlight_problems,
    highlighted_lines,
    section_lines,
    sections_of,
)

__all__ = [
    "highlight_problems",
    "highlighted_lines",
    "inline_python_blocks",
    "missing_snippet_message",
    "pages",
    "section_lines",
    "sections_of",
    "snippet_uses",
]


def inline_python_blocks(markdown: str, where: str) -> list[str]:
    """The inline-Python problems of one page's text, as the lines a build prints."""
    return [str(p) for p in _inline_python_blocks(markdown, where)]
