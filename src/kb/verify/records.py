"""Verification records: what was run, where, with what result.

One JSON file per environment (``verification/cpu.json``, ``verification/gpu.json``) holds
an entry per snippet: the digests of the snippet and of its claims file at the time of the
run, each claim's outcome and evidence, the output, seconds, peak memory, library versions,
platform, device and date. A record never claims more than was run: claims that could not
run in that environment are kept as ``not-run``.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from pathlib import Path

from kb.project import Snippet

REFRESH = {
    "cpu": "make record",
    "gpu": "make gpu-record (on a machine with a CUDA GPU)",
}
LABEL = {"cpu": "CPU", "gpu": "GPU"}


class RecordError(ValueError):
    """A record file that cannot be read; the message names the file."""


def record_path(records_dir: Path, environment: str) -> Path:
    return records_dir / f"{environment}.json"


def load(path: Path) -> dict:
    """The record at ``path``, or an empty one when the file does not exist."""
    if not path.exists():
        return {"snippets": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); "
            f"regenerate it with `{REFRESH.get(path.stem, 'make record')}`"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("snippets"), dict):
        raise RecordError(f"{path}: expected an object with a 'snippets' object")
    return data


def entry_from_result(snippet: Snippet, result, *, environment: str, scale: str) -> dict:
    """One snippet's record entry, from a runner result."""
    output = result.output
    if result.error:
        tail = f"{result.error['type']}: {result.error['message']}"
        output = f"{output}\n{tail}" if output else tail
    env = result.environment or {}
    return {
        "digest": snippet.digest,
        "claims_digest": snippet.claims_digest,
        "ok": bool(result.ok),
        "environment": environment,
        "scale": scale,
        "device": env.get("device", "unknown"),
        "platform": env.get("platform", "unknown"),
        "python": env.get("python", "unknown"),
        "versions": env.get("versions", {}),
        "date": _dt.date.today().isoformat(),
        "seconds": result.seconds,
        "peak_rss_mib": result.peak_rss_mib,
        "output": output,
        "error": {"type": result.error["type"], "message": result.error["message"]}
        if result.error
        else None,
        "problems": list(result.problems),
        "skipped": result.skipped or None,
        "claims": [
            {
                "name": c.name,
                "sentence": c.sentence,
                "needs": list(c.needs),
                "outcome": c.outcome,
                "evidence": c.evidence,
            }
            for c in result.claims
        ],
    }


def write(path: Path, entries: dict[str, dict], known_keys: set[str], environment: str) -> None:
    """Merge ``entries`` into the record at ``path``; entries of deleted snippets are dropped."""
    data = load(path)
    snippets = {k: v for k, v in data["snippets"].items() if k in known_keys}
    snippets.update(entries)
    out = {"environment": environment, "snippets": dict(sorted(snippets.items()))}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Status:
    """How a snippet stands against one record."""

    state: str  # current | stale | missing | failed
    entry: dict | None
    reason: str = ""


def status(snippet: Snippet, record: dict) -> Status:
    entry = record.get("snippets", {}).get(snippet.key)
    if entry is None:
        return Status("missing", None, "never verified")
    if entry.get("digest") != snippet.digest:
        return Status("stale", entry, "the snippet changed since it was verified")
    if entry.get("claims_digest") != snippet.claims_digest:
        return Status("stale", entry, "its claims changed since it was verified")
    if not entry.get("ok"):
        return Status("failed", entry, "its last verification failed")
    return Status("current", entry)


def problems(snippets: list[Snippet], record: dict, environment: str, path: Path) -> list[str]:
    """Why the record does not vouch for every snippet as it is now; empty when it does."""
    found = []
    for snip in snippets:
        st = status(snip, record)
        if st.state == "current":
            continue
        found.append(
            f"snippets/{snip.key}.py: {st.reason} in {path.name}"
            + (f" (recorded {st.entry.get('date')})" if st.entry else "")
        )
    if found:
        found.append(f"Refresh the {LABEL[environment]} record with `{REFRESH[environment]}`.")
    return found
