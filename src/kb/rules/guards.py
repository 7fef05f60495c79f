"""Checks of the project's rules that need no model: each returns a list of problems,
every one naming the file, what is wrong and what to do."""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

from kb.project import Layout, Snippet, find_snippets, snippet_key
from kb.verify.claims import MARGIN, ClaimsFileError, read_claims

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*\{?[ \t]*\.?(?P<lang>[\w+-]*)")
PYTHON_LANGS = {"python", "py", "python3", "py3", "pycon", "ipython", "pyi"}
SNIPPET_CALL = re.compile(
    r"""\{\{-?\s*snippet\(\s*["'](?P<key>[^"']+)["'](?P<rest>[^}]*)\)\s*-?\}\}"""
)
SECTION_ARG = re.compile(r"""section\s*=\s*["'](?P<section>[^"']+)["']""")
HL_ARG = re.compile(r"""hl_lines\s*=""")
HIGHLIGHT_ARG = re.compile(r"""highlight\s*=\s*["'](?P<names>[^"']+)["']""")
RAW_BLOCK = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}", re.DOTALL)
SECTION_MARK = re.compile(r"#\s*-{1,}8<-{1,}\s*\[(start|end):(?P<name>[\w-]+)\]")


def inline_python_blocks(markdown: str, where: str) -> list[str]:
    """Python code written straight into a page instead of included from ``snippets/``."""
    problems = []
    for lineno, line in enumerate(markdown.splitlines(), 1):
        m = FENCE.match(line)
        if m and m.group("lang").lower() in PYTHON_LANGS:
            problems.append(
                f"{where}:{lineno}: an inline Python code block. Every code block on the site "
                "comes from a snippet: move the code to snippets/<area>/<name>.py, add its claims "
                "in tests/claims/<area>/<name>.py, and show it with {{ snippet('<area>/<name>') }}."
            )
    return problems


#: Blocks a typed page may hold inline: messages and outputs, which are not run.
TEXT_LANGS = {"", "text", "txt", "plain", "output"}


def unverified_code_blocks(markdown: str, where: str) -> list[str]:
    """Code of any language (shell, YAML, JSON...) written into a typed page: nothing runs it,
    so nothing checks it. Messages and outputs go in ```text blocks."""
    problems = []
    for lineno, line in enumerate(markdown.splitlines(), 1):
        m = FENCE.match(line)
        lang = m.group("lang").lower() if m else ""
        if m and lang not in TEXT_LANGS and lang not in PYTHON_LANGS:
            problems.append(
                f"{where}:{lineno}: a ```{lang} block that nothing runs. Show commands through a "
                "snippet that does the same from Python (and name the command in prose), or put "
                "a message or an output in a ```text block."
            )
    return problems


def outline_problems(markdown: str, where: str, type_name: str) -> list[str]:
    """The ``## `` sections a page of its type must have, in the vocabulary's order."""
    from kb.graph.frontmatter import vocabulary

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
        f"{where}: {page_type.plural.lower()} have the sections {', '.join(expected)}, in that "
        f"order (see docs/contributing.md); this page {what}"
    ]


def pages(layout: Layout) -> list[Path]:
    return sorted(layout.docs.rglob("*.md"))


def snippet_uses(layout: Layout) -> list[tuple[Path, int, str, str | None, str | None]]:
    """(page, line, snippet key, section, highlight) for every snippet macro call in the pages;
    a call that still passes line numbers as ``hl_lines`` gets ``"hl_lines"`` as highlight."""
    uses = []
    for page in pages(layout):
        text = RAW_BLOCK.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), page.read_text("utf-8"))
        for lineno, line in enumerate(text.splitlines(), 1):
            for m in SNIPPET_CALL.finditer(line):
                sec = SECTION_ARG.search(m.group("rest"))
                marks = HIGHLIGHT_ARG.search(m.group("rest"))
                highlight = marks.group("names") if marks else None
                if HL_ARG.search(m.group("rest")):
                    highlight = "hl_lines"
                uses.append(
                    (
                        page,
                        lineno,
                        snippet_key(m.group("key")),
                        sec.group("section") if sec else None,
                        highlight,
                    )
                )
    return uses


def sections_of(source: str) -> set[str]:
    return {m.group("name") for m in SECTION_MARK.finditer(source)}


def section_lines(source: str, section: str | None) -> list[str]:
    """The lines a page shows of a snippet: the section's (or the whole file), without the
    section markers, as pymdownx.snippets includes them."""
    lines = source.splitlines()
    if section:
        start = next(i for i, line in enumerate(lines) if f"[start:{section}]" in line)
        end = next(i for i, line in enumerate(lines) if f"[end:{section}]" in line)
        lines = lines[start + 1 : end]
    return [line for line in lines if not SECTION_MARK.search(line)]


def highlighted_lines(source: str, section: str | None, names: str) -> list[int]:
    """The numbers, among the lines a page shows, of the lines inside the nested sections
    ``names`` (comma-separated) marks: highlights that move with the code they point at."""
    wanted = {n.strip() for n in names.split(",") if n.strip()}
    lines = source.splitlines()
    if section:
        start = next(i for i, line in enumerate(lines) if f"[start:{section}]" in line)
        end = next(i for i, line in enumerate(lines) if f"[end:{section}]" in line)
        lines = lines[start + 1 : end]
    open_marks: set[str] = set()
    shown = 0
    numbers = []
    for line in lines:
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


def check_pages(layout: Layout = Layout()) -> list[str]:
    """Inline Python blocks, and includes of snippets or sections that do not exist."""
    problems = []
    known = {s.key: s for s in find_snippets(layout)}
    for page in pages(layout):
        rel = page.relative_to(layout.root).as_posix()
        text = page.read_text(encoding="utf-8")
        problems += inline_python_blocks(text, rel)
        if page.parent != layout.docs:
            problems += unverified_code_blocks(text, rel)
            problems += outline_problems(text, rel, page.parent.name)
        if page.parent.name == "error" and page.name != "index.md" and "error_text(" not in text:
            problems.append(
                f"{rel}: an error page shows the message its snippet raised, from the records: "
                "write {{ error_text('errors/<name>') }} under 'What you see' instead of typing it"
            )
    for page, lineno, key, section, hl in snippet_uses(layout):
        rel = page.relative_to(layout.root).as_posix()
        if key not in known:
            problems.append(f"{rel}:{lineno}: {missing_snippet_message(key, known)}")
        elif section and section not in sections_of(known[key].source):
            problems.append(
                f"{rel}:{lineno}: snippets/{key}.py has no section '{section}'; mark it in the "
                f"snippet with '# --8<-- [start:{section}]' and '# --8<-- [end:{section}]'"
            )
        elif hl:
            for bad in highlight_problems(known[key].source, section, hl):
                problems.append(f"{rel}:{lineno}: snippets/{key}.py: {bad}")
    return problems


def missing_snippet_message(key: str, known) -> str:
    near = difflib.get_close_matches(key, list(known), n=1)
    hint = f" Did you mean '{near[0]}'?" if near else ""
    return f"the page includes snippets/{key}.py, which does not exist.{hint}"


def check_every_snippet_shown(layout: Layout = Layout()) -> list[str]:
    shown = {use[2] for use in snippet_uses(layout)}
    return [
        f"snippets/{s.key}.py is not shown on any page: include it with "
        f"{{{{ snippet('{s.key}') }}}} on the page it belongs to, or delete it"
        for s in find_snippets(layout)
        if s.key not in shown
    ]


def check_every_snippet_claimed(snippets: list[Snippet]) -> list[str]:
    problems = []
    for s in snippets:
        rel_claims = f"tests/claims/{s.key}.py"
        if not s.claims_path.exists():
            problems.append(
                f"snippets/{s.key}.py has no claims file: create {rel_claims} with at least one "
                "@claim('<one sentence the page states>') asserting on what the snippet leaves behind"
            )
            continue
        try:
            if not read_claims(s.claims_path):
                problems.append(
                    f"{rel_claims} defines no claim: add at least one function decorated with "
                    "@claim('<sentence>')"
                )
        except ClaimsFileError as exc:
            problems.append(str(exc))
    return problems


def check_orphan_claims(layout: Layout = Layout()) -> list[str]:
    known = {s.key for s in find_snippets(layout)}
    out = []
    for path in sorted(layout.claims.rglob("*.py")):
        key = path.relative_to(layout.claims).with_suffix("").as_posix()
        if key not in known and path.name != "__init__.py":
            out.append(
                f"tests/claims/{key}.py has no snippet snippets/{key}.py: rename it to match its "
                "snippet, or delete it"
            )
    return out


def check_current_api(snippets: list[Snippet]) -> list[str]:
    """Keyword arguments that transformers 5 deprecated or removed, found without running."""
    replaced = {
        "torch_dtype": "pass dtype= instead (torch_dtype is deprecated in transformers 5)",
        "load_in_4bit": None,
        "load_in_8bit": None,
        "low_cpu_mem_usage": "drop it: transformers 5 ignores it (loading always starts on meta)",
    }
    problems = []
    for s in snippets:
        tree = ast.parse(s.source, filename=str(s.path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            for kw in node.keywords:
                if kw.arg not in replaced:
                    continue
                advice = replaced[kw.arg]
                if advice is None:
                    if fname != "from_pretrained" or s.key.startswith("errors/"):
                        continue  # only from_pretrained lost it; error snippets reproduce it
                    advice = (
                        "pass quantization_config=BitsAndBytesConfig("
                        f"{kw.arg}=True, ...) instead (a TypeError in transformers 5)"
                    )
                problems.append(f"snippets/{s.key}.py:{kw.lineno}: {kw.arg}= — {advice}")
    return problems


def check_claim_bounds(snippets: list[Snippet]) -> list[str]:
    """One-sided bounds in claims (``assert ratio < 0.5``) hold by a hair as easily as by a
    mile; they must go through ``below``/``above``, which demand a margin. Two-sided ranges
    (``0.33 < ratio < 0.38``) state an expected value and are left alone."""
    problems = []
    for s in snippets:
        if not s.claims_path.exists():
            continue
        tree = ast.parse(s.claims_path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare)):
                continue
            test = node.test
            if len(test.ops) != 1 or not isinstance(
                test.ops[0], ast.Lt | ast.LtE | ast.Gt | ast.GtE
            ):
                continue
            sides = (test.left, test.comparators[0])
            if any(isinstance(x, ast.Constant) and isinstance(x.value, float) for x in sides):
                problems.append(
                    f"tests/claims/{s.key}.py:{node.lineno}: a one-sided bound against a fixed "
                    "figure can hold by a hair; write it as below(value, bound) or "
                    "above(value, bound) from kb.claims, which fail unless the value is "
                    f"{MARGIN:.0%} inside the bound"
                )
    return problems
