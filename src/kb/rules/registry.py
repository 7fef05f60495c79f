"""The registry of the project's rules: one list, run whole by the tests and (all but the
rules whose breach leaves the site correct) by every build, with the same messages."""

from __future__ import annotations

from kb.project import Layout
from kb.rules import (
    assertions,
    bounds,
    coverage,
    current_api,
    includes,
    interpreter,
    page_text,
    sources,
)
from kb.rules.problem import Problem, Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "no-inline-python",
        "Every code block comes from a snippet: no Python written into a page.",
        "pages",
        page_text.no_inline_python,
    ),
    Rule(
        "no-unverified-code",
        "A typed page holds no code block of another language that nothing runs.",
        "pages",
        page_text.no_unverified_code,
    ),
    Rule(
        "page-outline",
        "A typed page has the sections of its type, in the vocabulary's order.",
        "pages",
        page_text.page_outline,
    ),
    Rule(
        "error-text-from-records",
        "An error page shows the recorded message with error_text(), not a typed copy.",
        "pages",
        page_text.error_text_from_records,
    ),
    Rule(
        "snippet-includes-exist",
        "Each snippet(...) names a snippet, section and highlighted lines that exist.",
        "pages",
        includes.snippet_includes,
    ),
    Rule(
        "valid-python",
        "Snippets and claims files are valid Python in UTF-8.",
        "project",
        sources.valid_python,
    ),
    Rule(
        "no-links",
        "Snippets and claims files are plain files, not symbolic links.",
        "project",
        sources.no_links,
    ),
    Rule(
        "every-snippet-shown",
        "Every snippet is shown on a page.",
        "snippets",
        coverage.every_snippet_shown,
        # a snippet no page shows leaves the site correct; a site built from part of the
        # project (a preview while a page is written, a test's copy) must still build
        in_build=False,
    ),
    Rule(
        "every-snippet-claimed",
        "Every snippet has a claims file with at least one readable claim.",
        "snippets",
        coverage.every_snippet_claimed,
    ),
    Rule(
        "no-orphan-claims",
        "Every claims file has its snippet.",
        "claims",
        coverage.no_orphan_claims,
    ),
    Rule(
        "current-transformers-api",
        "Snippets pass no keyword transformers 5 deprecated or removed.",
        "snippets",
        current_api.current_api,
    ),
    Rule(
        "snippets-stay-out-of-the-interpreter",
        "Snippets import nothing of the project and do not reach into the interpreter, the "
        "process or raw file descriptors.",
        "snippets",
        interpreter.snippets_stay_out,
    ),
    Rule(
        "claims-stay-out-of-the-interpreter",
        "Claims files import only kb.claims and kb.standin of the project and play no tricks "
        "on the interpreter or the process.",
        "claims",
        interpreter.claims_stay_out,
    ),
    Rule(
        "claims-assert",
        "Every claim asserts something in its own body.",
        "claims",
        assertions.claims_assert,
    ),
    Rule(
        "claim-bounds-with-margin",
        "A one-sided bound on a measured figure goes through below()/above(), with a margin.",
        "claims",
        bounds.claim_bounds,
    ),
)

BY_ID = {rule.id: rule for rule in RULES}
#: How many problems a failed build lists before it counts the rest.
REPORT_LIMIT = 50


def check(layout: Layout = Layout(), *, build: bool = False) -> list[Problem]:
    """Every problem the rules find (only the build's rules with ``build=True``)."""
    return [
        problem for rule in RULES if rule.in_build or not build for problem in rule.check(layout)
    ]


def report(problems: list[Problem], limit: int = REPORT_LIMIT) -> str:
    """The text a failed build shows: every problem on its line, up to ``limit`` of them."""
    lines = [f"{len(problems)} problem(s) with the project's rules (see docs/contributing.md):"]
    lines += [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"and {len(problems) - limit} more")
    return "\n".join(lines)
