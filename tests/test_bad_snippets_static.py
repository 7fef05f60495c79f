"""Bad snippets and claims files, refused without running them: each case of
tests/bad_inputs/static/ is a small project (snippets/, tests/claims/, docs/) given to the rule
registry, the same the build and tests/test_rules.py run."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from kb import rules
from kb.project import Layout

CORPUS = Path(__file__).parent / "bad_inputs" / "static"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
#: A case's folders, as a project holds them.
PARTS = ("snippets", "tests/claims", "docs")


def test_the_corpus_has_its_cases():
    assert len(CASES) >= 12
    for case in CASES:
        files = {p.relative_to(CORPUS / case).as_posix() for p in (CORPUS / case).rglob("*")}
        inputs = {f for f in files if Path(CORPUS / case / f).is_file() and f != "expected.yaml"}
        expected = yaml.safe_load((CORPUS / case / "expected.yaml").read_text(encoding="utf-8"))
        inputs |= set(expected.get("links", {}))
        assert inputs, case
        assert all(f.startswith(tuple(f"{part}/" for part in PARTS)) for f in inputs), case


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_naming_file_and_line(case, tmp_path):
    expected = yaml.safe_load((CORPUS / case / "expected.yaml").read_text(encoding="utf-8"))
    assert expected["attack"] and expected["outcome"] in ("error", "harmless")
    for part in PARTS:
        if (CORPUS / case / part).is_dir():
            shutil.copytree(CORPUS / case / part, tmp_path / part)
    # symbolic links are made here, not committed: a case names each link and its target
    for link, target in expected.get("links", {}).items():
        (tmp_path / link).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / link).symlink_to(target)
    started = time.monotonic()
    problems = rules.check(Layout(tmp_path))
    elapsed = time.monotonic() - started
    output = rules.report(problems)
    assert "Traceback (most recent call last)" not in output
    assert elapsed < 10, f"the rules took {elapsed:.1f}s on {case}"
    if expected["outcome"] == "error":
        for message in expected["message"]:
            assert message in output, f"{case}: {message!r} not in\n{output}"
    else:
        for text in expected["absent"]:
            assert text not in output, f"{case}: {text!r} in\n{output}"
