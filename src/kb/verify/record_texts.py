"""Texts a page takes from the verification records rather than from its author: the
message an error snippet raised or logged, and the figures claims measured. A page cannot
state what no run produced; where the run is still to come (the GPU job), it says so."""

from __future__ import annotations

from kb.markdown_text import fenced, inline, inline_code
from kb.project import Snippet
from kb.verify.records import LABEL, status

__all__ = ["error_text", "evidence", "fenced", "recorded"]


def recorded(snippet: Snippet, records: dict[str, dict], claim: str | None = None):
    """What a record holds for the snippet: ``(environment, entry, text, stale)`` where text
    is the exception it raised (``Type: message``), or the evidence ``claim`` returned. A
    current record first (the GPU one first, as it ran the most), else one from before the
    snippet last changed (``stale``: the suite fails on it until `make record` runs, but a
    page being edited still builds). None when no record has it."""
    for wanted in ("current", "stale"):
        for env in ("gpu", "cpu"):
            st = status(snippet, records.get(env, {}))
            if st.state != wanted or st.entry.get("skipped"):
                continue
            if claim is None:
                error = st.entry.get("error")
                if error:
                    return env, st.entry, f"{error['type']}: {error['message']}", wanted == "stale"
            else:
                for c in st.entry.get("claims", []):
                    if c["name"] == claim and c["outcome"] == "passed" and c.get("evidence"):
                        return env, st.entry, c["evidence"], wanted == "stale"
    return None


def error_text(snippet: Snippet, records: dict[str, dict], claim=None, pending=None) -> str | None:
    """The message an error page shows, from the records: a text block and where it was
    raised; or, for a reproduction still pending, ``pending`` marked as such; None when
    neither exists."""
    found = recorded(snippet, records, claim)
    if found is None:
        if pending is None:
            return None
        return (
            f"{fenced(pending.strip())}\n\n"
            '!!! warning "Not yet reproduced"\n'
            "    This is the message as the library's source writes it. The snippet below "
            "reproduces it only on a GPU; once the GPU job has run it, this block shows the "
            "message it really raised.\n"
        )
    env, entry, text, stale = found
    version = entry.get("versions", {}).get("transformers", "?")
    what = "logged" if claim else "raised"
    device = entry.get("device") if env == "gpu" else None
    where = f"{LABEL[env]} ({device})" if device else LABEL[env]
    before = " (before the snippet last changed)" if stale else ""
    # the device, version and date are the record's text: escaped like the message
    said = inline(
        f"As {what} by the snippet below{before} on {where}, transformers {version}, "
        f"{entry.get('date')}."
    )
    return f"{fenced(text)}\n\n<small>{said}</small>\n"


def evidence(snippet: Snippet, records: dict[str, dict], claim: str, needs) -> str | None:
    """A figure a claim measured, for the prose: from the records, or a pending note for a
    claim that needs a GPU or full size; None when a claim that should have run has none."""
    found = recorded(snippet, records, claim)
    if found is not None:
        _, _, text, stale = found
        return inline_code(text) + (" <em>(recorded before the snippet changed)</em>" * stale)
    if needs:
        return "<em>pending the GPU job</em>"
    return None
