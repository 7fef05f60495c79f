"""mkdocs-macros adapter: a thin layer over the kb modules (nothing here is MkDocs-free)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kb import guards, panel, records, render  # noqa: E402
from kb.frontmatter import vocabulary  # noqa: E402
from kb.project import Layout, find_snippets, get_snippet  # noqa: E402


class SiteError(Exception):
    """A problem in a page that must fail the build."""


def define_env(env):
    layout = Layout(Path(env.conf["config_file_path"]).resolve().parent)
    loaded = {
        name: records.load(records.record_path(layout.records, name)) for name in ("cpu", "gpu")
    }

    @env.macro
    def snippet(key: str, section: str | None = None, hl_lines: str | None = None) -> str:
        """Show a snippet with its verification panel: {{ snippet('area/name') }}."""
        snip = get_snippet(key, layout)
        page = env.page.file.src_uri if env.page else "?"
        if not snip.path.exists():
            known = {s.key for s in find_snippets(layout)}
            raise SiteError(f"docs/{page}: {guards.missing_snippet_message(snip.key, known)}")
        if section and section not in guards.sections_of(snip.source):
            raise SiteError(f"docs/{page}: snippets/{snip.key}.py has no section '{section}'")
        return panel.render(snip, loaded, section=section, hl_lines=hl_lines)

    @env.macro
    def vocabulary_tables() -> str:
        """The page types, relations and domains of scripts/kb/vocabulary.yaml, as tables."""
        return render.vocabulary_tables(vocabulary())


def on_pre_page_macros(env):
    page = env.page.file.src_uri
    problems = guards.inline_python_blocks(env.markdown, f"docs/{page}")
    if problems:
        raise SiteError("\n".join(problems))
