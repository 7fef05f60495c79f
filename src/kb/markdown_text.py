"""Plain text (a title, a summary, a recorded sentence) placed in Markdown so that it shows as
written: no emphasis, link, code span, HTML tag, entity, attribute list or Jinja expression can
come out of it. The same text reads right in Python-Markdown (the site) and in CommonMark (the
Markdown exports)."""

from __future__ import annotations

import re

# characters that start inline Markdown (and `{` that attr_list and Jinja read); `_` between two
# letters is left alone, as neither dialect makes emphasis of it (torch_dtype stays readable)
_SPECIAL = re.compile(r"[\\`*\[\]{}!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# Python-Markdown cannot backslash-escape these: entities work in both dialects
_ENTITIES = {"<": "&lt;", ">": "&gt;"}
# `&name;` would be read as an entity: keep the ampersand itself
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# at the start of a line these make a heading, quote, list item or rule
_LINE_START = re.compile(r"^(\d+(?=[.)])|)([#>+=|.)-])")


# a code span: a run of backticks, text, the same run (neither run longer)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def inline(text: str) -> str:
    """`text` as one line of Markdown that renders exactly as `text` (line breaks become
    spaces)."""
    return _line_start(_escape(" ".join(str(text).split())))


def inline_code(text: str) -> str:
    """Like `inline`, except that `code spans` stay code: for sentences about code (claims,
    evidence). Markdown escapes what a code span holds; nothing in it becomes markup."""
    text = " ".join(str(text).split())
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):
        out += [_escape(text[pos : m.start()]), m.group(0)]
        pos = m.end()
    out.append(_escape(text[pos:]))
    return _line_start("".join(out))


def _escape(text: str) -> str:
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = _SPECIAL.sub(lambda m: "\\" + m.group(0), text)
    return re.sub(r"[<>]", lambda m: _ENTITIES[m.group(0)], text)


def _line_start(text: str) -> str:
    return _LINE_START.sub(r"\1\\\2", text, count=1)


def fenced(text: str, info: str = "text") -> str:
    """A fenced block that no backtick run inside ``text`` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def link_target(url: str) -> str:
    """A URL as a Markdown link target: characters that would end the link, or open another,
    percent-encoded (the same URL to a browser)."""
    return re.sub(r"[\s()<>\\\[\]`\"]", lambda m: f"%{ord(m.group(0)):02X}", url)
