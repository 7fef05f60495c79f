"""Contributors' text in what the build writes (tests/bad_inputs/output/<case>/): titles,
summaries, domains and sources from front matter, and claim sentences, evidence and output from
the records, each built with the real `mkdocs build --strict` in a small copy of the project.
The build shows the text as written (escaped in the HTML, graph.json, llms.txt and every
page's Markdown) or refuses the page with a message naming it; a page too large, with too many
relations, not UTF-8 or with broken YAML is refused quickly, by name, without a cascade.

A case holds its page(s) under ``docs/``, optionally ``verification/cpu.json`` (a fragment:
each entry's fields replace those of the real record's entry for that snippet) and
``expected.yaml``: ``attack``, ``outcome`` (``error``: the build fails and prints every string
of ``message``; ``harmless``: the build passes and every string of ``present`` is in the
pages' HTML), ``absent`` (strings in no output: printed, or in any file the build wrote), and
optionally ``grow`` ({path in the case: bytes}, the file padded to that size with prose: too
large a file to keep in the repository) and ``seconds`` (a tighter time limit for the build).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from build_cases import TIME_LIMIT, Built, build_all, copy_machinery, new_project, run_build

from kb.project import ROOT

CORPUS = Path(__file__).parent / "bad_inputs" / "output"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
KEYS = {"attack", "outcome", "message", "absent", "present", "grow", "seconds"}
PROSE = "A line of prose that pads the page past its size limit.\n"
# what the build writes that a reader or a tool reads: pages, exports, the search index
TEXT_FILES = (".html", ".json", ".txt", ".md", ".xml", ".js")


def expected(case: str) -> dict:
    return yaml.safe_load((CORPUS / case / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    return copy_machinery(tmp_path_factory.mktemp("shared"), ("src", "snippets", "tests/claims"))


def merged_record(fragment: Path | None) -> str:
    """The real CPU record, with the case's fields in place of the real ones."""
    record = json.loads((ROOT / "verification/cpu.json").read_text(encoding="utf-8"))
    if fragment is not None:
        for key, fields in json.loads(fragment.read_text(encoding="utf-8"))["snippets"].items():
            record["snippets"][key].update(fields)
    return json.dumps(record, indent=2, ensure_ascii=False)


def make_project(root: Path, shared: Path, case: str | None) -> Path:
    """A project with its own docs (a home page and the case's pages) and verification record,
    and the shared machinery linked in."""
    new_project(root, shared, ("src", "snippets", "tests", "node_modules"))
    fragment = CORPUS / case / "verification/cpu.json" if case else None
    (root / "verification").mkdir()
    (root / "verification/cpu.json").write_text(
        merged_record(fragment if fragment and fragment.is_file() else None), encoding="utf-8"
    )
    if case:
        shutil.copytree(CORPUS / case / "docs", root / "docs", dirs_exist_ok=True)
        for rel, size in (expected(case).get("grow") or {}).items():
            path = root / rel
            with path.open("a", encoding="utf-8") as f:
                f.write(PROSE * (1 + (size - path.stat().st_size) // len(PROSE)))
    return root


def readable(path: Path) -> bool:
    return path.suffix in TEXT_FILES and "assets" not in path.parts


@pytest.fixture(scope="module")
def builds(shared, tmp_path_factory) -> dict[str, Built]:
    """Every case built once, a few at a time (each build is a process of its own)."""
    base = tmp_path_factory.mktemp("cases")
    roots = {"(none)": make_project(base / "none", shared, None)}
    roots.update({case: make_project(base / case, shared, case) for case in CASES})
    return build_all(
        {name: (lambda root=root: run_build(root, keep=readable)) for name, root in roots.items()}
    )


def test_the_corpus_is_well_formed():
    assert len(CASES) >= 12
    for case in CASES:
        exp = expected(case)
        assert exp.get("attack"), case
        assert exp.get("outcome") in ("error", "harmless"), case
        assert set(exp) <= KEYS, case
        assert exp.get("message") if exp["outcome"] == "error" else exp.get("absent"), case
        assert list((CORPUS / case / "docs").rglob("*.md")), f"{case}: no page"


def test_the_copy_builds_without_the_cases(builds):
    res = builds["(none)"]
    assert res.returncode == 0, res.output
    assert "index.html" in res.files


@pytest.mark.parametrize("case", CASES)
def test_case(case, builds):
    exp = expected(case)
    res = builds[case]
    assert "Traceback (most recent call last)" not in res.output, res.output
    assert res.seconds < exp.get("seconds", TIME_LIMIT), f"{res.seconds:.1f} s"
    if exp["outcome"] == "error":
        assert res.returncode != 0, f"the build passed:\n{res.output}"
        for text in exp["message"]:
            assert text in res.output, f"{text!r} not in the build's output:\n{res.output}"
    else:
        assert res.returncode == 0, res.output
        html = "\n".join(t for p, t in res.files.items() if p.endswith(".html"))
        for text in exp.get("present") or []:
            assert text in html, f"{text!r} not in the site's pages"
        # the case's pages were built, with their exports: the check below has something to see
        assert "graph.json" in res.files and "llms.txt" in res.files
        assert any(p.endswith("index.html.md") for p in res.files)
    for text in exp.get("absent") or []:
        assert text not in res.output, f"{text!r} printed by the build"
        leaks = [p for p, t in res.files.items() if text in markup(p, t)]
        assert not leaks, f"{text!r} written to {leaks}"


def markup(path: str, text: str) -> str:
    """What in a written file is read as markup: all of it, except in the Markdown exports the
    code blocks, whose text shows as written (a block that output broke out of is not one)."""
    if not path.endswith(".md"):
        return text
    kept, fence = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not fence and stripped.startswith(("```", "~~~")):
            fence = stripped[: len(stripped) - len(stripped.lstrip(stripped[0]))]
        elif fence and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            fence = ""  # a closing fence: the same character, at least as many
        elif not fence:
            kept.append(line)
    return "\n".join(kept)
