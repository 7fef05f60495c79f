"""mkdocs-macros adapter: the project's macros, called for the calls a page makes, and nothing of
Jinja besides.

mkdocs-macros would hand a page to Jinja, which evaluates whatever the page holds. Instead, before
it renders (``on_pre_page_macros``), the page is checked and split by ``kb.site.page_calls``; each
macro call and raw block is replaced by a token that holds no Jinja, the page is marked not to be
rendered, and the tokens become the macros' output afterwards (``on_post_page_macros``). Jinja
never sees page text, snippet code or record text. A refused page or a failing macro raises a
``PluginError``: MkDocs prints it, with ``-q`` too, and exits non-zero without a traceback.
"""

from __future__ import annotations

import inspect
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from mkdocs.exceptions import PluginError

from kb.graph.vocabulary import vocabulary
from kb.project import Layout, find_snippets
from kb.rules.includes import missing_snippet_message
from kb.rules.sections import highlight_problems, highlighted_lines, sections_of
from kb.site import page_calls, panel, render
from kb.site.snippet_code import SnippetKeyError, checked_snippet
from kb.verify import record_texts, records
from kb.verify.claims import read_claims


class SiteError(PluginError):
    """A problem in a page that must fail the build."""


class MacroError(Exception):
    """A macro refusing what a page asked of it; the caller names the page and line."""


PROBLEMS_SHOWN = 50  # a page of thousands of bad calls fails with a readable message
_macros: dict[str, Callable[..., str]] = {}
# per page: what each token stands for; a fresh nonce per build, so a page cannot forge one
_outputs: list[str] = []
_nonce = secrets.token_hex(8)
TOKEN = re.compile(rf"kbmacro{_nonce}n(\d+)x")


def define_env(env):
    layout = Layout(Path(env.conf["config_file_path"]).resolve().parent)
    loaded = {
        name: records.load(records.record_path(layout.records, name), error=SiteError)
        for name in ("cpu", "gpu")
    }

    def existing(key: str):
        try:
            snip = checked_snippet(key, layout)
        except SnippetKeyError as e:
            raise MacroError(str(e)) from None
        if not snip.path.is_file():
            known = {s.key for s in find_snippets(layout)}
            raise MacroError(missing_snippet_message(snip.key, known))
        return snip

    def snippet(key: str, section: str | None = None, highlight: str | None = None) -> str:
        """Show a snippet with its verification panel: {{ snippet('area/name') }}; only a
        marked section with ``section=``; lines marked in it highlighted with ``highlight=``."""
        snip = existing(key)
        if section is not None and section not in sections_of(snip.source):
            raise MacroError(
                f"snippets/{snip.key}.py has no section '{section}'; mark it in the snippet with "
                f"'# --8<-- [start:{section}]' and '# --8<-- [end:{section}]'"
            )
        hl_lines = None
        if highlight is not None:
            problems = highlight_problems(snip.source, section, highlight)
            if problems:
                raise MacroError(f"snippets/{snip.key}.py: {problems[0]}")
            lines = highlighted_lines(snip.source, section, highlight)
            hl_lines = " ".join(str(n) for n in lines)
        return panel.render(snip, loaded, section=section, hl_lines=hl_lines)

    def error_text(key: str, claim: str | None = None, pending: str | None = None) -> str:
        """The message an error page shows, taken from the verification records: the
        exception the snippet raised, or (``claim=``) the log line that claim returned."""
        snip = existing(key)
        text = record_texts.error_text(snip, loaded, claim=claim, pending=pending)
        if text is None:
            what = f"evidence from claim {claim!r}" if claim else "raised exception"
            raise MacroError(
                f"no record of snippets/{snip.key}.py holds a {what}; "
                "run `make record`, or pass pending='<the message as the source has it>' for an "
                "error only the GPU job reproduces"
            )
        return text

    def evidence(key: str, claim: str) -> str:
        """A figure a claim measured, inline: {{ evidence('area/name', 'claim_name') }}."""
        snip = existing(key)
        infos = (
            {c.name: c for c in read_claims(snip.claims_path)} if snip.claims_path.exists() else {}
        )
        if claim not in infos:
            raise MacroError(f"tests/claims/{snip.key}.py has no claim {claim!r}")
        text = record_texts.evidence(snip, loaded, claim, infos[claim].needs)
        if text is None:
            raise MacroError(
                f"claim {claim!r} of snippets/{snip.key}.py has no recorded "
                "evidence; make it return the figure, then run `make record`"
            )
        return text

    def vocabulary_tables() -> str:
        """The page types, relations and domains of src/kb/graph/vocabulary.yaml, as tables."""
        return render.vocabulary_tables(vocabulary())

    # called by on_pre_page_macros, not registered with Jinja: no page text reaches Jinja
    _macros.clear()
    _macros.update(
        snippet=snippet,
        error_text=error_text,
        evidence=evidence,
        vocabulary_tables=vocabulary_tables,
    )
    assert set(_macros) == set(page_calls.MACROS)


def call(c: page_calls.Call) -> str:
    """What one macro call of a page stands for; MacroError saying why when it cannot be made."""
    fn = _macros[c.name]
    try:
        inspect.signature(fn).bind(*c.args, **c.kwargs)
    except TypeError as e:
        usage = f"{c.name}{inspect.signature(fn)}".replace("'", "")
        raise MacroError(f"{c.text}: {e} (the macro is {usage})") from None
    try:
        return str(fn(*c.args, **c.kwargs))
    except MacroError:
        raise
    except Exception as e:  # a file that cannot be read, a record that cannot be parsed...
        raise MacroError(f"{c.text} failed: {type(e).__name__}: {e}") from None


def on_pre_page_macros(env):
    _outputs.clear()
    # nothing is left for Jinja to do; and mkdocs-macros renders a page's title too
    env.page.meta["render_macros"] = False
    if env.page.file.generated_by is not None:
        # built by the hooks from the graph: it calls no macro, and contributors' text in it
        # (a title with braces) is refused where it is written, in that page's front matter
        return
    where = f"docs/{env.page.file.src_uri}"
    # MkDocs has taken the front matter off: blank lines in its place keep line numbers the file's
    offset = _front_matter_lines(env.page.file, env.markdown)
    markdown = "\n" * offset + env.markdown
    pieces, refused = page_calls.parse(markdown, where)
    problems = page_calls.front_matter_problems(env.page.meta, where)
    problems += page_calls.include_lines(markdown, where)
    problems += refused
    text: list[str] = []
    for piece in pieces if not problems else []:
        if isinstance(piece, str):
            text.append(piece)
            continue
        try:
            out = piece.text if isinstance(piece, page_calls.Literal) else call(piece)
        except MacroError as e:
            problems.append(f"{where}:{piece.line}: {e}")
            continue
        text.append(f"kbmacro{_nonce}n{len(_outputs)}x")
        _outputs.append(out)
    if problems:
        shown = problems[:PROBLEMS_SHOWN]
        if len(problems) > PROBLEMS_SHOWN:
            shown.append(f"and {len(problems) - PROBLEMS_SHOWN} more in {where}")
        raise SiteError("\n".join(shown))
    env.markdown = "".join(text)[offset:]


def _front_matter_lines(file, markdown: str) -> int:
    """How many lines of the page's file come before ``markdown``: its front matter."""
    try:
        source = file.content_string
    except (OSError, UnicodeError):
        return 0
    return source[: len(source) - len(markdown)].count("\n") if source.endswith(markdown) else 0


def on_post_page_macros(env):
    if _outputs:
        env.markdown = TOKEN.sub(lambda m: _outputs[int(m.group(1))], env.markdown)
        _outputs.clear()
