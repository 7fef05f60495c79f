"""Rules that snippets, claims files and pages match one another: every snippet shown on a page
and claimed, and no claims file without its snippet."""

from __future__ import annotations

from kb.project import Layout, find_snippets, shown
from kb.rules.includes import snippet_uses
from kb.rules.problem import Problem
from kb.rules.sources import claims_files, parse
from kb.verify.claims import ClaimsFileError, read_claims


def every_snippet_shown(layout: Layout) -> list[Problem]:
    shown = {use[2] for use in snippet_uses(layout)}
    return [
        Problem(
            f"snippets/{s.key}.py",
            None,
            f"not shown on any page: include it with {{{{ snippet('{s.key}') }}}} on the page it "
            "belongs to, or delete it",
        )
        for s in find_snippets(layout)
        if s.key not in shown
    ]


def _claims_file_error(exc: ClaimsFileError, path, rel: str) -> Problem:
    """read_claims names the file by its full path: name it as every other message does."""
    text = str(exc)
    prefix = f"{path}:"
    if text.startswith(prefix):
        line, _, rest = text[len(prefix) :].partition(": ")
        if line.isdigit():
            return Problem(rel, int(line), rest)
        return Problem(rel, None, text[len(prefix) :].strip())
    return Problem(rel, None, text)


def every_snippet_claimed(layout: Layout) -> list[Problem]:
    problems = []
    for s in find_snippets(layout):
        rel_claims = f"tests/claims/{s.key}.py"
        if not s.claims_path.exists():
            problems.append(
                Problem(
                    f"snippets/{s.key}.py",
                    None,
                    f"no claims file: create {rel_claims} with at least one "
                    "@claim('<one sentence the page states>') asserting on what the snippet "
                    "leaves behind",
                )
            )
            continue
        if parse(s.claims_path) is None:
            continue  # valid-python reports it
        try:
            if not read_claims(s.claims_path):
                problems.append(
                    Problem(
                        rel_claims,
                        None,
                        "defines no claim: add at least one function decorated with "
                        "@claim('<sentence>')",
                    )
                )
        except ClaimsFileError as exc:
            problems.append(_claims_file_error(exc, s.claims_path, shown(s.claims_path, layout)))
        except (ValueError, TypeError) as exc:  # a needs= that is not a literal
            problems.append(
                Problem(
                    rel_claims,
                    None,
                    f"cannot read its claims ({exc}): write needs= as a string or a tuple of "
                    "strings",
                )
            )
    return problems


def no_orphan_claims(layout: Layout) -> list[Problem]:
    known = {s.key for s in find_snippets(layout)}
    out = []
    for path in claims_files(layout):
        key = path.relative_to(layout.claims).with_suffix("").as_posix()
        if key not in known:
            out.append(
                Problem(
                    f"tests/claims/{key}.py",
                    None,
                    f"has no snippet snippets/{key}.py: rename it to match its snippet, or "
                    "delete it",
                )
            )
    return out
