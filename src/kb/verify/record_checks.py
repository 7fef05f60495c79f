"""The rules a well-shaped record must also keep to be shown as verification.

A record is evidence on the site, so one edited by hand must not pass for one the suite
wrote. What can be checked without running anything is checked here:

- a claim is ``passed`` (or holds evidence) only where the run had everything it needs:
  ``needs="gpu"`` is never passed in ``cpu.json``, ``needs="full"`` never at small scale;
- the run's outcome agrees with itself (``ok`` with a failed claim, a skipped snippet that
  printed something, a claim left ``not-run`` by a run that succeeded);
- where the digests say the record is current, its claims are the claims file's claims:
  the same names, sentences and needs (the sentences are what the page shows as checked);
- the GPU record names the CUDA device it ran on, was made with the pinned library
  versions, and names the digests of the snippet and claims file it ran.

What a record cannot prove (that the run happened) is left to the outcome comparison
against a live run (:func:`kb.verify.records.outcome_differences`).
"""

from __future__ import annotations

import re
from pathlib import Path

from kb.project import ROOT, Layout, get_snippet
from kb.verify.claims import ClaimsFileError, missing_needs, read_claims

#: the libraries whose versions a GPU record must share with ``requirements.txt``
PINNED = ("transformers", "torch", "accelerate", "peft", "bitsandbytes", "trl")
#: what ``torch.cuda.get_device_name`` never returns: a record naming one of these did not
#: run on a CUDA device
NOT_A_CUDA_DEVICE = frozenset({"", "cpu", "unknown", "meta", "mps", "none", "cuda", "gpu"})


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, str]:
    """``name==version`` lines of a requirements file, by canonical name."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;]+)", line)
        if m:
            pins[canonical(m.group(1))] = m.group(2)
    return pins


def requirements_file(layout: Layout) -> Path:
    """The project's ``requirements.txt``; a project copy without one (as tests build) is
    checked against the pins of the project this engine comes from."""
    own = layout.root / "requirements.txt"
    return own if own.is_file() else ROOT / "requirements.txt"


def base_version(version: str) -> str:
    """``2.13.0`` of ``2.13.0+cu126``: a local build tag names the wheel, not the release."""
    return version.split("+", 1)[0]


def _claim_problems(entry: dict, env: str) -> list[str]:
    scale, ok = entry["scale"], entry["ok"]
    found = []
    seen: set[str] = set()
    for i, c in enumerate(entry["claims"]):
        at = f"field claims[{i}] ({c['name']})"
        if c["name"] in seen:
            found.append(f"{at}: a second claim of that name")
        seen.add(c["name"])
        missing = missing_needs(c["needs"], env, scale)
        if missing and c["outcome"] != "not-run":
            found.append(
                f"{at}: marked {c['outcome']}, but it needs {', '.join(missing)}, which a "
                f"{env}/{scale} run does not have: it cannot have run here"
            )
        elif not missing and c["outcome"] == "not-run" and ok:
            found.append(
                f"{at}: marked not-run, but a {env}/{scale} run has all it needs "
                f"({', '.join(c['needs']) or 'nothing'}) and the run succeeded"
            )
        if c["evidence"] and c["outcome"] != "passed":
            found.append(f"{at}: holds evidence, but only a passed claim measured anything")
    return found


def _run_problems(entry: dict, env: str) -> list[str]:
    """The outcome of the run against itself."""
    found = []
    claims = entry["claims"]
    if entry["skipped"] is not None:
        scale = entry["scale"]
        if not all(missing_needs(c["needs"], env, scale) for c in claims) or not claims:
            found.append(
                "field skipped: the snippet is marked not run, but not every claim needs "
                "what this run lacked"
            )
        for name in ("output", "error", "problems"):
            if entry[name]:
                found.append(f"field {name}: a snippet that was not run produced nothing")
        if not entry["ok"]:
            found.append("field ok: a snippet that was not run did not fail")
    elif entry["ok"]:
        if not claims:
            found.append("field ok: true, but no claim was checked")
        if any(c["outcome"] == "failed" for c in claims):
            found.append("field ok: true, but a claim failed")
        if entry["problems"]:
            found.append("field ok: true, but the run reported problems")
    return found


def _claims_file_problems(key: str, entry: dict, layout: Layout) -> list[str]:
    """Where the digests say the record is current: its claims are the claims file's."""
    snip = get_snippet(key, layout)
    if not snip.path.is_file():
        return []  # a deleted snippet: the record no longer vouches for anything on a page
    if entry["digest"] != snip.digest or entry["claims_digest"] != snip.claims_digest:
        return []  # stale: shown as changed since verified, its claims as they were
    rel = f"tests/claims/{key}.py"
    if not entry["claims"]:
        return []
    try:
        infos = read_claims(snip.claims_path)
    except (ClaimsFileError, OSError, UnicodeDecodeError) as exc:
        return [f"field claims: {rel} cannot be read ({exc}), yet the record lists claims"]
    current = {i.name: i for i in infos}
    found = []
    for i, c in enumerate(entry["claims"]):
        at = f"field claims[{i}] ({c['name']})"
        info = current.get(c["name"])
        if info is None:
            found.append(f"{at}: {rel} has no such claim")
            continue
        if c["sentence"] != info.sentence:
            found.append(f"{at}: the sentence is not the one in {rel}")
        if list(c["needs"]) != list(info.needs):
            found.append(f"{at}: needs {c['needs']} in the record, {list(info.needs)} in {rel}")
    recorded = [c["name"] for c in entry["claims"]]
    for info in infos:
        if info.name not in recorded:
            found.append(f"field claims: claim {info.name} of {rel} is missing from the record")
    if not found and recorded != [i.name for i in infos]:
        found.append(f"field claims: not in the order of {rel}")
    return found


def _gpu_problems(entry: dict, pins: dict[str, str], requirements: str) -> list[str]:
    found = []
    if entry["claims_digest"] is None:
        found.append("field claims_digest: missing; a GPU record names the claims file it ran")
    if entry["skipped"] is not None:
        return found  # nothing ran, nothing is shown as verified
    device = entry["device"].strip()
    if device.lower() in NOT_A_CUDA_DEVICE or device.lower().startswith("cpu"):
        found.append(
            f"field device: {entry['device']!r} is not a CUDA device; a GPU record names the "
            "GPU it ran on"
        )
    versions = entry["versions"]
    for name in PINNED:
        pin = pins.get(name)
        have = versions.get(name)
        if pin is None:
            found.append(f"field versions.{name}: {requirements} pins no version of {name}")
        elif have is None:
            found.append(f"field versions.{name}: missing (pinned {pin} in {requirements})")
        elif base_version(have) != pin:
            found.append(f"field versions.{name}: {have}, but {requirements} pins {pin}")
    return found


def record_problems(data: dict, environment: str, layout: Layout) -> list[str]:
    """What keeps a well-shaped record from being shown as verification, each as
    ``snippet <key>: field <name>: <why>``; empty when nothing does."""
    found = []
    if data.get("environment") not in (None, environment):
        found.append(f"field environment: {data['environment']!r} in the {environment} record")
    pins: dict[str, str] = {}
    requirements = "requirements.txt"
    if environment == "gpu" and data["snippets"]:
        req = requirements_file(layout)
        if not req.is_file():
            return [
                *found,
                "requirements.txt not found: the GPU record's versions cannot be checked",
            ]
        pins = {k: v for k, v in read_pins(req).items() if k in PINNED}
    for key, entry in data["snippets"].items():
        problems = []
        if entry["environment"] != environment:
            problems.append(
                f"field environment: {entry['environment']!r} in the {environment} record"
            )
        if environment == "cpu" and entry["scale"] != "small":
            problems.append(
                f"field scale: {entry['scale']!r}; the CPU record is made at small scale"
            )
        # judged by the file's environment: an entry cannot borrow the GPU's by saying so
        problems += _claim_problems(entry, environment)
        problems += _run_problems(entry, environment)
        problems += _claims_file_problems(key, entry, layout)
        if environment == "gpu":
            problems += _gpu_problems(entry, pins, requirements)
        found += [f"snippet {key}: {p}" for p in problems]
    return found
