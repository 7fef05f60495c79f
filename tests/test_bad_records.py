"""Bad verification records (tests/bad_inputs/records/<case>/): each is refused with a message
naming the file and what to do, never shown as verification.

A case folder holds the record (``cpu.json`` or ``gpu.json``), optionally the
``requirements.txt`` its versions are checked against, and ``expected.yaml``. The record is
placed in a small project holding the real snippet and claims files of the snippets it names;
in the record, ``@digest:<key>`` and ``@claims_digest:<key>`` stand for the current digests of
those files (so the case stays current as the snippet is edited). A case with ``docs/index.md``
goes through a real ``mkdocs build --strict`` of a project copy with that page; the others
through :func:`kb.verify.records.load`, as the site build and the suite call it.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import yaml
from site_support import build

from kb.project import ROOT, Layout, find_snippets, get_snippet
from kb.verify import records

CASES = Path(__file__).parent / "bad_inputs" / "records"
#: the snippets a case record may name; their real files are copied into the case's project
SNIPPETS = ("loading/gpt2_generation", "quantization/footprint_4bit_vs_bf16")
TRACEBACK = "Traceback (most recent call last)"
LOAD_SECONDS = 10
BUILD_SECONDS = 120


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "expected.yaml").is_file())


def record_of(case: Path) -> Path:
    (found,) = [case / n for n in ("cpu.json", "gpu.json") if (case / n).is_file()]
    return found


def filled(raw: bytes, layout: Layout) -> bytes:
    """The case's record with the digest placeholders replaced by the current digests."""
    for key in SNIPPETS:
        snip = get_snippet(key, layout)
        raw = raw.replace(f"@claims_digest:{key}".encode(), snip.claims_digest.encode())
        raw = raw.replace(f"@digest:{key}".encode(), snip.digest.encode())
    return raw


def small_project(root: Path, case: Path) -> Layout:
    """The snippets and claims files of SNIPPETS, the case's requirements (if any) and its
    record under verification/."""
    for key in SNIPPETS:
        for folder in ("snippets", "tests/claims"):
            target = root / folder / f"{key}.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / folder / f"{key}.py", target)
    if (case / "requirements.txt").is_file():
        shutil.copy(case / "requirements.txt", root / "requirements.txt")
    layout = Layout(root)
    layout.records.mkdir(parents=True, exist_ok=True)
    record = record_of(case)
    (layout.records / record.name).write_bytes(filled(record.read_bytes(), layout))
    return layout


def site_project(root: Path, case: Path) -> Layout:
    """A copy of the site machinery with the case's page, the real CPU record, and the case's
    record in place (as tests/test_site.py builds it)."""
    root.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "snippets", root / "snippets")
    shutil.copytree(ROOT / "tests/claims", root / "tests/claims")
    shutil.copytree(ROOT / "verification", root / "verification")
    (root / "docs/assets").mkdir(parents=True)
    for asset in ("kb.css", "kb-graph.js"):
        shutil.copy(ROOT / "docs/assets" / asset, root / "docs/assets" / asset)
    (root / "docs/tags.md").write_text((ROOT / "docs/tags.md").read_text())
    shutil.copy(case / "docs/index.md", root / "docs/index.md")
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    if (case / "requirements.txt").is_file():
        shutil.copy(case / "requirements.txt", root / "requirements.txt")
    layout = Layout(root)
    record = record_of(case)
    (layout.records / record.name).write_bytes(filled(record.read_bytes(), layout))
    return layout


def test_the_corpus_covers_the_attacks():
    names = case_names()
    assert len(names) >= 8
    built = [n for n in names if (CASES / n / "docs/index.md").is_file()]
    assert len(built) >= 2, "at least two cases go through a real site build"
    for name in names:
        record_of(CASES / name)  # exactly one record per case


def test_the_snippets_the_cases_name_have_a_current_cpu_record():
    # the cases change one thing in an entry that is otherwise the suite's own: if these
    # snippets' entries were stale, the checks that need a current entry would not run
    path = records.record_path(Layout().records, "cpu")
    known = [s for s in find_snippets() if s.key in SNIPPETS]
    assert len(known) == len(SNIPPETS)
    assert records.problems(known, records.load(path), "cpu", path) == []


@pytest.mark.parametrize("name", case_names())
def test_bad_record(name, tmp_path):
    case = CASES / name
    expected = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))
    assert expected["outcome"] == "error", "a bad record is always refused"
    start = time.monotonic()
    if (case / "docs/index.md").is_file():
        layout = site_project(tmp_path / "project", case)
        site = tmp_path / "site"
        res = build(layout.root / "mkdocs.yml", site, cwd=layout.root)
        output = res.stdout + res.stderr
        assert res.returncode != 0, f"the build accepted {name}:\n{output}"
        assert time.monotonic() - start < BUILD_SECONDS
        pages = [p.read_text(errors="replace") for p in site.rglob("*.html")]
        assert not [p for p in pages if "GPU (" in p or "NVIDIA" in p], "a page shows the GPU"
    else:
        layout = small_project(tmp_path / "project", case)
        path = layout.records / record_of(case).name
        with pytest.raises(records.RecordError) as err:
            records.load(path)
        output = str(err.value)
        assert time.monotonic() - start < LOAD_SECONDS
    assert TRACEBACK not in output
    for text in expected["message"]:
        assert text in output, f"{name}: {text!r} not in:\n{output}"


def test_the_hand_written_record_with_a_device_builds_and_shows_the_gpu(tmp_path):
    # the control: the same gpu.json with the one thing the case leaves out is accepted and
    # shown, so the case above fails for its attack and the page check can see a GPU panel
    case = tmp_path / "case"
    shutil.copytree(CASES / "hand-written-gpu-json", case)
    record = json.loads((case / "gpu.json").read_text())
    for entry in record["snippets"].values():
        entry["device"] = "NVIDIA H100 80GB HBM3"
    (case / "gpu.json").write_text(json.dumps(record))
    layout = site_project(tmp_path / "project", case)
    res = build(layout.root / "mkdocs.yml", tmp_path / "site", cwd=layout.root)
    assert res.returncode == 0, res.stdout + res.stderr
    html = (tmp_path / "site/index.html").read_text()
    assert "GPU (NVIDIA H100 80GB HBM3), full-size stand-in checkpoints" in html
