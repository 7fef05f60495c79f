"""The block a page shows for a snippet: the code (kb.site.snippet_code) and a
verification panel built from the records."""

from __future__ import annotations

import html
from textwrap import indent

from kb.markdown_text import fenced, inline, inline_code
from kb.project import Snippet
from kb.site.snippet_code import code_block
from kb.verify.records import LABEL, Status, status

KIND = {"current": "success", "stale": "warning", "missing": "failure", "failed": "failure"}
SHOWN_VERSIONS = ("transformers", "torch", "accelerate", "peft", "bitsandbytes", "trl")
SCALE_WORDS = {
    "small": "scaled-down stand-in checkpoints (real architecture and config, random weights)",
    "full": "full-size stand-in checkpoints (real architecture and size, random weights)",
}


def _versions(entry: dict) -> str:
    v = entry.get("versions", {})
    return ", ".join(f"{name} {v[name]}" for name in SHOWN_VERSIONS if name in v)


def _claim_lines(entry: dict) -> list[str]:
    marks = {"passed": "✓", "failed": "✗", "not-run": "○"}
    lines = []
    for c in entry.get("claims", []):
        # sentences and evidence are the claims files' and the runs' text: shown as written
        text = f"- {marks.get(c['outcome'], '?')} {inline_code(c['sentence'])}"
        evidence = c.get("evidence") or ""
        if "\n" in evidence:  # a table or log excerpt: shown as it was, under the claim
            text += "\n\n" + indent(fenced(evidence), "    ", lambda line: True) + "\n"
        elif evidence:
            text += f" — *{inline_code(evidence)}*"
        if c["outcome"] == "not-run":
            text += f" *(needs {inline(', '.join(c['needs']))}: not run here)*"
        lines.append(text)
    return lines


def _where(entry: dict) -> str:
    env = LABEL.get(entry.get("environment", ""), entry.get("environment", "?"))
    device = entry.get("device", "")
    where = f"{env} ({device})" if device and device != "CPU" else env
    mem = f", peak memory {entry['peak_rss_mib']:.0f} MiB" if entry.get("peak_rss_mib") else ""
    return inline(
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
        lines.append(f"**{LABEL[env]}:** not run: {inline(st.entry['skipped'])}.")
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
        # a fence longer than any backtick run in the output: no output can close it early
        lines += ["", f"Output on {LABEL[env]}:", "", fenced(out)]
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
    # the title holds record text (a skip reason, a date): escaped, and no quote ends it early
    panel = f'??? {kind} "{inline(_title("cpu", cpu)).replace(chr(34), "&quot;")}"\n'
    panel += indent("\n".join(body), "    ", lambda line: True)
    whole = ""
    if section:
        # a section is part of a runnable file: the whole file is one click away
        whole = f'??? abstract "The whole file: snippets/{snippet.key}.py"\n' + indent(
            code_block(snippet), "    ", lambda line: True
        )
        whole = f"{whole}\n\n"
    return (
        f'<div class="kb-snippet" data-snippet="{html.escape(snippet.key)}" '
        f'data-state="{cpu.state}" markdown>\n\n'
        f"{code_block(snippet, section, hl_lines)}\n\n{whole}{panel}\n\n</div>\n"
    )
