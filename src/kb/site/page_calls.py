"""What a page may hold of Jinja: calls of the project's macros with plain string arguments, and
``{% raw %}...{% endraw %}`` to show such calls as text. Nothing else.

Pages are untrusted input, and Jinja evaluates whatever it is given (``{{ config }}``,
``{{ self.__init__.__globals__ }}``...). So a page is split here, with Python's own parser
judging each ``{{ }}``, into plain text, literal text and macro calls; the macros are called
directly and Jinja is handed text that holds no Jinja at all.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

MACROS = ("snippet", "error_text", "evidence", "vocabulary_tables")
OPENER = re.compile(r"\{\{|\{%|\{#")
RAW = re.compile(r"\{%\s*raw\s*%\}")
ENDRAW = re.compile(r"\{%\s*endraw\s*%\}")
#: the notation of pymdownx.snippets (inline ``--8<-- "file"`` or a block ``--8<--``): includes
#: are gone from the site, and a line left in a page would show as text or, worse, be read
INCLUDE_LINE = re.compile(r"^[ \t]*;*-+8<-+")
JINJA_MARKS = ("{{", "{%", "{#")
LONGEST_CALL = 2000  # characters between {{ and }}: no macro call is longer

ONLY_MACROS = (
    f"only the project's macros may be used in {{{{ }}}} ({', '.join(MACROS)}) with plain "
    "string arguments, as in {{ snippet('area/name', section='part') }}"
)


@dataclass(frozen=True)
class Call:
    """A macro call as a page writes it, at ``line`` of the page."""

    line: int
    name: str
    args: tuple[str, ...]
    kwargs: dict[str, str] = field(default_factory=dict)
    text: str = ""


@dataclass(frozen=True)
class Literal:
    """The inside of ``{% raw %}...{% endraw %}``: shown as written, never evaluated."""

    text: str


Piece = str | Call | Literal


def parse(markdown: str, where: str) -> tuple[list[Piece], list[str]]:
    """The page as plain text, literal text and macro calls, in order; and every problem
    (``where:line: what, and what to do``). A page with problems must not be rendered."""
    pieces: list[Piece] = []
    problems: list[str] = []
    pos = 0
    line, counted = 1, 0  # counted incrementally: a page may hold many openers
    while (m := OPENER.search(markdown, pos)) is not None:
        pieces.append(markdown[pos : m.start()])
        line += markdown.count("\n", counted, m.start())
        counted = m.start()
        at = f"{where}:{line}"
        if m.group() == "{#":
            end = markdown.find("#}", m.end())
            pos = len(markdown) if end < 0 else end + 2
            problems.append(
                f"{at}: a Jinja comment ({{# ... #}}): pages hold no Jinja but the project's "
                "macros; write an HTML comment (<!-- ... -->), and a heading id as { #id }"
            )
        elif raw := RAW.match(markdown, m.start()):
            end = ENDRAW.search(markdown, raw.end())
            if end is None:
                problems.append(f"{at}: {{% raw %}} without {{% endraw %}}: close it")
                pos = len(markdown)
            else:
                pieces.append(Literal(markdown[raw.end() : end.start()]))
                pos = end.end()
        elif m.group() == "{%":
            end = markdown.find("%}", m.end())
            pos = len(markdown) if end < 0 else end + 2
            problems.append(
                f"{at}: the only Jinja statement a page may hold is {{% raw %}}...{{% endraw %}} "
                "(to show a macro call as text); use the project's macros in {{ }} for the rest; "
                f'found "{_excerpt(markdown[m.start() : pos])}"'
            )
        else:
            end = expression_end(markdown, m.end())
            if end is None:
                problems.append(f"{at}: a {{{{ that is never closed with }}}}")
                pos = len(markdown)
            else:
                inner = markdown[m.end() : end]
                call = parse_call(inner, line)
                pos = end + 2
                if call is None:
                    problems.append(f'{at}: {ONLY_MACROS}; found "{_excerpt(inner.strip())}"')
                else:
                    pieces.append(call)
    pieces.append(markdown[pos:])
    return [p for p in pieces if p != ""], problems


def expression_end(text: str, start: int) -> int | None:
    """Where the ``}}`` that closes an expression begun at ``start`` is: the first one outside a
    string literal (a literal may hold ``}}``), or else the first one at all."""
    quote = ""
    i = start
    limit = min(len(text), start + LONGEST_CALL)
    while i < limit:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif text.startswith("}}", i):
            return i
        i += 1
    end = text.find("}}", start)
    return None if end < 0 else end


def parse_call(inner: str, line: int) -> Call | None:
    """A call of one of the project's macros whose every argument is a string literal, or None
    for anything else (names, attributes, subscripts, filters, other literals, expressions)."""
    source = inner.strip()
    if len(source) > LONGEST_CALL:
        return None
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    node = tree.body
    if not (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MACROS
    ):
        return None
    if not all(_is_text(a) for a in node.args):
        return None
    if not all(k.arg is not None and _is_text(k.value) for k in node.keywords):
        return None
    return Call(
        line=line,
        name=node.func.id,
        args=tuple(a.value for a in node.args),
        kwargs={k.arg: k.value.value for k in node.keywords},
        text=source,
    )


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:77] + "..."


def include_lines(markdown: str, where: str) -> list[str]:
    """Lines in pymdownx.snippets' include notation: the site has one include, the macro."""
    return [
        f"{where}:{n}: an include line (--8<--): include snippets with {{{{ snippet('area/name') "
        "}}, which shows the code and its verification panel"
        for n, line in enumerate(markdown.splitlines(), 1)
        if INCLUDE_LINE.match(line)
    ]


def front_matter_problems(meta: dict, where: str) -> list[str]:
    """Front matter is shown as written: Jinja in it (which mkdocs-macros would render in a
    title) is refused rather than trusted to stay unrendered."""
    problems = []

    def walk(value: object, name: str) -> None:
        if isinstance(value, str) and any(mark in value for mark in JINJA_MARKS):
            problems.append(
                f"{where}: front matter '{name}' holds Jinja ({{{{, {{% or {{#): front matter "
                "is shown as written, never rendered; remove it"
            )
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{name}.{k}" if name else str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, name)

    walk(meta, "")
    return problems
