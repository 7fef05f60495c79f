"""The block a page shows for a snippet: the code, included from its file, and a
verification panel built from the records."""

from __future__ import annotations

import html
import re
from textwrap import indent

from kb.project import Snippet
from kb.records import LABEL, Status, status

KIND = {"current": "success", "stale": "warning", "missing": "failure", "failed": "failure"}
SHOWN_VERSIONS = ("transformers", "torch", "accelerate", "peft", "bitsandbytes", "trl")
SCALE_WORDS = {
    "small": "scaled-down stand-in checkpoints (real architecture and config, random weights)",
    "full": "full-size stand-in checkpoints (real architecture and size, random weights)",
}


def code_block(snippet: Snippet, section: str | None = None, hl_lines: str | None = None) -> str:
    """A fenced block that pymdownx.snippets fills from the snippet file."""
    target = f"{snippet.key}.py" + (f":{section}" if section else "")
    attrs = f'title="snippets/{snippet.key}.py"'
    if hl_lines:
        attrs += f' hl_lines="{hl_lines}"'
    return f'```python {attrs}\n--8<-- "{target}"\n```'


def _versions(entry: dict) -> str:
    v = entry.get("versions", {})
    return ", ".join(f"{name} {v[name]}" for name in SHOWN_VERSIONS if name in v)


def _claim_lines(entry: dict) -> list[str]:
    marks = {"passed": "✓", "failed": "✗", "not-run": "○"}
    lines = []
    for c in entry.get("claims", []):
        text = f"- {marks.get(c['outcome'], '?')} {c['sentence']}"
        evidence = c.get("evidence") or ""
        if "\n" in evidence:  # a table or log excerpt: shown as it was, under the claim
            text += "\n\n" + indent(_fenced(evidence), "    ", lambda line: True) + "\n"
        elif evidence:
            text += f" — *{evidence}*"
        if c["outcome"] == "not-run":
            text += f" *(needs {', '.join(c['needs'])}: not run here)*"
        lines.append(text)
    return lines


def _where(entry: dict) -> str:
    env = LABEL.get(entry.get("environment", ""), entry.get("environment", "?"))
    device = entry.get("device", "")
    where = f"{env} ({device})" if device and device != "CPU" else env
    mem = f", peak memory {entry['peak_rss_mib']:.0f} MiB" if entry.get("peak_rss_mib") else ""
    return (
        f"{where}, {SCALE_WORDS.get(entry.get('scale'), entry.get('scale', ''))}; "
        f"{entry.get('platform', '')}, Python {entry.get('python', '')}; {_versions(entry)}; "
        f"{entry.get('date', '')}; ran in {entry.get('seconds', 0):.2f} s{mem}."
    )


def _title(env: str, st: Status) -> str:
    label = LABEL[env]
    e = st.entry or {}
    version = e.get("versions", {}).get("transformers")
    if st.state == "current" and e.get("skipped"):
        return f"Not run on {label}: {e['skipped'].split(';')[0]}"
    if st.state == "current":
        n = sum(c["outcome"] == "passed" for c in e.get("claims", []))
        return f"Verified on {label} · {n} claim{'s' * (n != 1)} checked · transformers {version} · {e.get('date')}"
    if st.state == "stale":
        return f"Changed since last verified on {label} ({e.get('date')}): {st.reason}"
    if st.state == "failed":
        return f"Verification failed on {label} ({e.get('date')})"
    return f"Not yet verified on {label}"


def _section(env: str, st: Status) -> list[str]:
    lines: list[str] = []
    if st.entry is None:
        return [f"**{LABEL[env]}:** not yet verified."]
    if st.entry.get("skipped"):
        lines.append(f"**{LABEL[env]}:** not run: {st.entry['skipped']}.")
    else:
        lines.append(f"**{LABEL[env]}:** {_where(st.entry)}")
    if st.state == "stale":
        lines.append(
            f"*Changed since last verified: {st.reason}. The results below are from before.*"
        )
    lines.append("")
    lines.extend(_claim_lines(st.entry))
    out = st.entry.get("output", "").strip("\n")
    if out:
        lines += ["", f"Output on {LABEL[env]}:", "", "```text", out, "```"]
    return lines


def render(
    snippet: Snippet,
    records: dict[str, dict],
    section: str | None = None,
    hl_lines: str | None = None,
) -> str:
    """The code block and its verification panel, as Markdown."""
    cpu = status(snippet, records.get("cpu", {}))
    gpu = status(snippet, records.get("gpu", {}))
    body = _section("cpu", cpu)
    body.append("")
    if gpu.entry is None:
        body.append("**GPU:** not yet verified on a GPU.")
    else:
        body += _section("gpu", gpu)
    kind = "info" if cpu.state == "current" and cpu.entry.get("skipped") else KIND[cpu.state]
    panel = f'??? {kind} "{html.escape(_title("cpu", cpu), quote=True)}"\n'
    panel += indent("\n".join(body), "    ", lambda line: True)
    whole = ""
    if section:
        # a section is part of a runnable file: the whole file is one click away
        whole = f'??? abstract "The whole file: snippets/{snippet.key}.py"\n' + indent(
            code_block(snippet), "    ", lambda line: True
        )
        whole = f"{whole}\n\n"
    return (
        f'<div class="kb-snippet" data-snippet="{snippet.key}" data-state="{cpu.state}" markdown>\n\n'
        f"{code_block(snippet, section, hl_lines)}\n\n{whole}{panel}\n\n</div>\n"
    )


def _fenced(text: str) -> str:
    """A text block that no backtick run inside ``text`` can close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


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
            f"{_fenced(pending.strip())}\n\n"
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
    return (
        f"{_fenced(text)}\n\n"
        f"<small>As {what} by the snippet below{before} on {where}, transformers {version}, "
        f"{entry.get('date')}.</small>\n"
    )


def evidence(snippet: Snippet, records: dict[str, dict], claim: str, needs) -> str | None:
    """A figure a claim measured, for the prose: from the records, or a pending note for a
    claim that needs a GPU or full size; None when a claim that should have run has none."""
    found = recorded(snippet, records, claim)
    if found is not None:
        _, _, text, stale = found
        return html.escape(text) + (" <em>(recorded before the snippet changed)</em>" * stale)
    if needs:
        return "<em>pending the GPU job</em>"
    return None
