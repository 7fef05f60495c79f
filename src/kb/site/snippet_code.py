"""The code a page shows of a snippet: which file a key may name, and the fenced block that puts
the file's lines (or one section's) into the page.

The page is the only place a key comes from, and pages are untrusted: a key is checked before
any path is built from it, and the file it names must lie inside ``snippets/`` once links are
followed. (Named ``snippet_code``, not ``code``: MkDocs puts this folder on ``sys.path`` while it
loads the hooks, where a ``code.py`` would shadow the standard library's ``code`` module.)
"""

from __future__ import annotations

import re

from kb.project import Layout, Snippet, get_snippet
from kb.rules.sections import section_lines

#: ``area/name``: lowercase words and digits joined by ``_``, one ``/`` or more, no suffix.
KEY = re.compile(r"[a-z][a-z0-9_]*(?:/[a-z][a-z0-9_]*)+")
KEY_FORM = "its path under snippets/ without .py, in lowercase words: snippet('area/name')"


class SnippetKeyError(ValueError):
    """A key that names no file a page may show."""


def checked_snippet(key: object, layout: Layout) -> Snippet:
    """The snippet a page names, once the key is known to name a file inside ``snippets/``."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise SnippetKeyError(f"{_shown(key)} is not a snippet key: name a snippet by {KEY_FORM}")
    snip = get_snippet(key, layout)
    # the key's characters cannot leave the folder, but a link inside it can
    base = layout.snippets.resolve()
    if snip.path.exists() and not snip.path.resolve().is_relative_to(base):
        raise SnippetKeyError(
            f"snippets/{key}.py is a link that leads outside snippets/: a page shows only files "
            f"of the snippets folder; put the code in snippets/{key}.py itself"
        )
    return snip


def _shown(key: object) -> str:
    text = repr(key)
    return text if len(text) <= 80 else text[:77] + "..."


def fence_for(text: str) -> str:
    """A backtick fence longer than any run of backticks in ``text``: the code cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def code_block(snippet: Snippet, section: str | None = None, hl_lines: str | None = None) -> str:
    """The snippet's code as a fenced Python block titled with its file: the whole file, or the
    lines of one marked section; section markers are not shown (``kb.rules.sections.section_lines``, which
    also numbers the highlighted lines, so highlights and shown lines agree)."""
    body = "\n".join(section_lines(snippet.source, section))
    fence = fence_for(body)
    attrs = f'title="snippets/{snippet.key}.py"'
    if hl_lines:
        attrs += f' hl_lines="{hl_lines}"'
    return f"{fence}python {attrs}\n{body}\n{fence}"
