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

from kb.project import Layout, Snippet
from kb.verify import record_checks, record_schema

REFRESH = {
    "cpu": "make record",
    "gpu": "make gpu-record (on a machine with a CUDA GPU)",
}
LABEL = {"cpu": "CPU", "gpu": "GPU"}


class RecordError(ValueError):
    """A record file that cannot be read or cannot be trusted; the message names the file,
    the snippet and the field, and says how to make a good one."""


#: how many problems one error lists before it says how many more there are
SHOWN_PROBLEMS = 20


def record_path(records_dir: Path, environment: str) -> Path:
    return records_dir / f"{environment}.json"


def _display(path: Path) -> str:
    """``verification/gpu.json``: the record as a contributor knows it."""
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def _fix(environment: str) -> str:
    if environment == "gpu":
        return (
            "A GPU record is never written by hand: take verification/gpu.json from the "
            "GPU workflow's artifact (it runs `make gpu-record` on a machine with a CUDA GPU)."
        )
    return f"A record is never written by hand: regenerate it with `{REFRESH['cpu']}`."


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _ in pairs]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    if dups:
        # json keeps the last of two equal keys: a reader of the file would see the first
        raise ValueError(f"the key {dups[0]!r} appears twice in one object")
    return dict(pairs)


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _parse(path: Path, display: str, fix: str) -> object:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(
            f"{display}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start}). {fix}"
        ) from None
    except OSError as exc:
        raise RecordError(f"{display}: cannot be read ({exc.strerror}). {fix}") from None
    try:
        return json.loads(
            text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as exc:
        raise RecordError(
            f"{display}: not valid JSON ({exc.msg} at line {exc.lineno}); {fix}"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise RecordError(f"{display}: not a record: {exc}. {fix}") from None


def check(data: object, environment: str, layout: Layout, display: str) -> list[str]:
    """Every reason the parsed record ``data`` cannot be shown as verification, each line
    naming the file, the snippet and the field; empty when there is none."""
    problems = record_schema.schema_problems(data)
    if not problems:
        problems = record_checks.record_problems(data, environment, layout)
    return [f"{display}: {p}" for p in problems]


def _raise(problems: list[str], display: str, fix: str, error: type[Exception]) -> None:
    shown = problems[:SHOWN_PROBLEMS]
    more = len(problems) - len(shown)
    lines = [f"{display} cannot be shown as verification:", *shown]
    if more:
        lines.append(f"... and {more} more")
    lines.append(fix)
    raise error("\n".join(lines))


def load(path: Path, *, layout: Layout | None = None, error: type[Exception] = RecordError) -> dict:
    """The record at ``path``, checked; an empty one when the file does not exist.

    ``layout`` is the project the record belongs to (by default the folder above
    ``verification/``): its snippets and claims files are what a current entry must agree
    with. ``error`` is the exception raised for a record that fails the checks (the site
    build passes its own, so the build stops with the message and no traceback)."""
    try:
        return _load(path, layout)
    except RecordError as exc:
        if error is RecordError:
            raise
        raise error(str(exc)) from None


def _load(path: Path, layout: Layout | None) -> dict:
    if not path.exists():
        return {"snippets": {}}
    environment = path.stem
    display = _display(path)
    fix = _fix(environment)
    if environment not in REFRESH:
        raise RecordError(f"{display}: a record is named cpu.json or gpu.json")
    data = _parse(path, display, fix)
    if not isinstance(data, dict) or not isinstance(data.get("snippets"), dict):
        raise RecordError(f"{display}: expected an object with a 'snippets' object. {fix}")
    layout = layout or Layout(path.resolve().parent.parent)
    problems = check(data, environment, layout, display)
    if problems:
        _raise(problems, display, fix, RecordError)
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


def write(
    path: Path,
    entries: dict[str, dict],
    known_keys: set[str],
    environment: str,
    *,
    layout: Layout | None = None,
) -> None:
    """Merge ``entries`` into the record at ``path``; entries of deleted snippets are dropped.

    An existing record that fails its checks is replaced, not merged: none of its entries
    can be trusted, and the snippets this run did not cover then show as never verified
    (which the suite reports) instead of keeping what a hand edit put there. The merged
    record is checked before it is written, so a run the checks refuse (a GPU run without
    a CUDA device, or with other library versions than the pins) writes nothing."""
    try:
        old = load(path, layout=layout)["snippets"]
    except RecordError:
        old = {}
    snippets = {k: v for k, v in old.items() if k in known_keys}
    snippets.update(entries)
    out = {"environment": environment, "snippets": dict(sorted(snippets.items()))}
    display = _display(path)
    problems = check(out, environment, layout or Layout(path.resolve().parent.parent), display)
    if problems:
        _raise(problems, display, f"Nothing was written to {display}.", RecordError)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def outcome_differences(
    recorded_entry: dict, live_entry: dict, key: str | None = None
) -> list[str]:
    """How a live run of a snippet differs from its record, claim by claim: a claim passed
    in one and failed in the other, run in one and left not-run (for lack of its needs) in
    the other, or present in only one. Each message names the snippet (``key``, or "the
    snippet" when not given) and the claim; empty when every outcome agrees. Both entries
    are in the record's format (:func:`entry_from_result`) and should come from the same
    environment and scale; when they do not, that is the one difference reported."""
    where = f"snippets/{key}.py" if key else "the snippet"
    rec_run = f"{recorded_entry.get('environment')}/{recorded_entry.get('scale')}"
    live_run = f"{live_entry.get('environment')}/{live_entry.get('scale')}"
    if rec_run != live_run:
        return [
            f"{where}: the record is of a {rec_run} run, this run is {live_run}; "
            "compare a run with the record of its own environment"
        ]
    recorded = {c["name"]: c for c in recorded_entry.get("claims", [])}
    live = {c["name"]: c for c in live_entry.get("claims", [])}
    found = []
    for name, c in recorded.items():
        now = live.get(name)
        if now is None:
            found.append(
                f"{where}: claim {name!r} ({c['sentence']}) is {c['outcome']} in the record "
                "but was not in this run"
            )
        elif now["outcome"] != c["outcome"]:
            found.append(
                f"{where}: claim {name!r} ({c['sentence']}) is {c['outcome']} in the record "
                f"but {now['outcome']} in this run"
            )
    for name, c in live.items():
        if name not in recorded:
            found.append(
                f"{where}: claim {name!r} ({c['sentence']}) is {c['outcome']} in this run "
                "but not in the record"
            )
    return found


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
