"""mkdocs-macros adapter: a thin layer over the kb modules (nothing here is MkDocs-free)."""

from __future__ import annotations

import sys
from pathlib import Path

from kb.rules import guards
from kb.site import panel
from kb.verify import record_texts
from kb.verify import records
from kb.site import render  # noqa: E402
from kb.verify.claims import read_claims  # noqa: E402
from kb.graph.frontmatter import vocabulary  # noqa: E402
from kb.project import Layout, find_snippets, get_snippet  # noqa: E402


class SiteError(Exception):
    """A problem in a page that must fail the build."""


def define_env(env):
    layout = Layout(Path(env.conf["config_file_path"]).resolve().parent)
    loaded = {
        name: records.load(records.record_path(layout.records, name)) for name in ("cpu", "gpu")
    }

    def existing(key: str):
        snip = get_snippet(key, layout)
        if not snip.path.exists():
            known = {s.key for s in find_snippets(layout)}
            raise SiteError(f"docs/{page()}: {guards.missing_snippet_message(snip.key, known)}")
        return snip

    def page() -> str:
        return env.page.file.src_uri if env.page else "?"

    @env.macro
    def snippet(key: str, section: str | None = None, highlight: str | None = None) -> str:
        """Show a snippet with its verification panel: {{ snippet('area/name') }}; only a
        marked section with ``section=``; lines marked in it highlighted with ``highlight=``."""
        snip = existing(key)
        if section and section not in guards.sections_of(snip.source):
            raise SiteError(f"docs/{page()}: snippets/{snip.key}.py has no section '{section}'")
        hl_lines = None
        if highlight:
            problems = guards.highlight_problems(snip.source, section, highlight)
            if problems:
                raise SiteError(f"docs/{page()}: snippets/{snip.key}.py: {problems[0]}")
            lines = guards.highlighted_lines(snip.source, section, highlight)
            hl_lines = " ".join(str(n) for n in lines)
        return panel.render(snip, loaded, section=section, hl_lines=hl_lines)

    @env.macro
    def error_text(key: str, claim: str | None = None, pending: str | None = None) -> str:
        """The message an error page shows, taken from the verification records: the
        exception the snippet raised, or (``claim=``) the log line that claim returned."""
        snip = existing(key)
        text = record_texts.error_text(snip, loaded, claim=claim, pending=pending)
        if text is None:
            what = f"evidence from claim {claim!r}" if claim else "raised exception"
            raise SiteError(
                f"docs/{page()}: no record of snippets/{snip.key}.py holds a {what}; "
                "run `make record`, or pass pending='<the message as the source has it>' for an "
                "error only the GPU job reproduces"
            )
        return text

    @env.macro
    def evidence(key: str, claim: str) -> str:
        """A figure a claim measured, inline: {{ evidence('area/name', 'claim_name') }}."""
        snip = existing(key)
        infos = (
            {c.name: c for c in read_claims(snip.claims_path)} if snip.claims_path.exists() else {}
        )
        if claim not in infos:
            raise SiteError(f"docs/{page()}: tests/claims/{snip.key}.py has no claim {claim!r}")
        text = record_texts.evidence(snip, loaded, claim, infos[claim].needs)
        if text is None:
            raise SiteError(
                f"docs/{page()}: claim {claim!r} of snippets/{snip.key}.py has no recorded "
                "evidence; make it return the figure, then run `make record`"
            )
        return text

    @env.macro
    def vocabulary_tables() -> str:
        """The page types, relations and domains of src/kb/graph/vocabulary.yaml, as tables."""
        return render.vocabulary_tables(vocabulary())
