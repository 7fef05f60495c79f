"""The shape of a verification record file, checked with pydantic when it is loaded.

Every field is the one :func:`kb.verify.records.entry_from_result` writes, with its type;
a field it does not write is refused. A record is read by the site and shown as evidence,
so a hand-made field (a ``"verified": true`` the writer never produces) must not slip in
unnoticed. Strict mode: ``"ok": "yes"`` is not a boolean, ``"seconds": "1"`` not a number.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError

Digest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
#: ``area/name``: the key of a snippet file under ``snippets/``
SnippetKey = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$")
]
Need = Literal["gpu", "cpu", "full"]
Outcome = Literal["passed", "failed", "not-run"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ClaimEntry(_Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    sentence: Annotated[str, Field(min_length=1)]
    needs: list[Need]
    outcome: Outcome
    evidence: str


class ErrorEntry(_Strict):
    type: Annotated[str, Field(min_length=1)]
    message: str


class Entry(_Strict):
    digest: Digest
    claims_digest: Digest | None
    ok: StrictBool
    environment: Literal["cpu", "gpu"]
    scale: Literal["small", "full"]
    device: str
    platform: str
    python: str
    versions: dict[str, str]
    date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    seconds: Annotated[float, Field(ge=0)]
    peak_rss_mib: Annotated[float, Field(ge=0)] | None
    output: str
    error: ErrorEntry | None
    problems: list[str]
    skipped: Annotated[str, Field(min_length=1)] | None
    claims: list[ClaimEntry]


class RecordFile(_Strict):
    # an empty record written by hand ({"snippets": {}}) names no environment: the file's
    # name says it; when present it must agree with the name (checked by the caller)
    environment: Literal["cpu", "gpu"] | None = None
    snippets: dict[SnippetKey, Entry]


def _where(loc: tuple) -> str:
    """``snippet area/name: claims[2].outcome`` from a pydantic error location."""
    if len(loc) >= 2 and loc[0] == "snippets":
        field = ""
        for part in loc[2:]:
            field += f"[{part}]" if isinstance(part, int) else f".{part}" if field else str(part)
        key = loc[1]
        if loc[2:] == ("[key]",):
            return f"snippet key {key!r}: not of the form area/name (a file under snippets/)"
        if len(loc) == 2:
            return f"snippet {key}"
        return f"snippet {key}: field {field}"
    return f"field {'.'.join(str(p) for p in loc)}" if loc else "the file"


def schema_problems(data: object) -> list[str]:
    """What is wrong with the shape of a record's parsed JSON; empty when nothing is."""
    try:
        RecordFile.model_validate(data)
    except ValidationError as err:
        found = []
        for e in err.errors():
            msg = e["msg"]
            if e["type"] == "extra_forbidden":
                msg = "not a field of a record (the record writer never writes it)"
            elif e["type"] == "missing":
                msg = "missing (the record writer always writes it)"
            found.append(f"{_where(e['loc'])}: {msg}")
        return found
    return []
