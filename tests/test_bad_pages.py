"""Pages that attack the build (tests/bad_inputs/pages/<case>/), each built with the real
`mkdocs build --strict` in a small copy of the project: the build refuses the page, naming the
page, the line and what to do, or shows it harmlessly; never a traceback, never a file or a
secret of the build machine in what the build wrote.

A case holds its page(s) under ``docs/``, optionally files under ``snippets/``, and
``expected.yaml``: ``attack``, ``outcome`` (``error``: the build fails and prints every string
of ``message``; ``harmless``: the build passes and every string of ``present`` is in the text of its pages), ``absent`` (strings found in no output: printed or written), and optionally ``links``
(path in the copy: target, made as symbolic links) and ``quiet: true`` (built with ``-q``).
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from build_cases import TIME_LIMIT, Built, build_all, copy_machinery, new_project, run_build

CORPUS = Path(__file__).parent / "bad_inputs" / "pages"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
# secrets the copy holds for a page to try to publish: they must stay out of every output
CANARY_ENV = {"KB_CANARY": "kb-canary-environment"}
CANARY_GIT_CONFIG = '[remote "origin"]\n\turl = https://kb-canary-git-config@example.invalid/\n'
SHARED = ("src", "snippets", "verification", "tests", "node_modules")
KEYS = {"attack", "outcome", "message", "absent", "present", "links", "quiet"}


def expected(case: str) -> dict:
    return yaml.safe_load((CORPUS / case / "expected.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    parts = ("src", "snippets", "verification", "tests/claims")
    return copy_machinery(tmp_path_factory.mktemp("shared"), parts)


def make_project(root: Path, shared: Path, case: str | None) -> Path:
    """A project with the case's files: its own docs (a home page and the case's pages) and the
    shared machinery linked in; a folder the case adds to (snippets, tests) is copied instead."""
    exp = expected(case) if case else {}
    added = {p.name for p in (CORPUS / case).iterdir() if p.is_dir()} if case else set()
    added |= {Path(rel).parts[0] for rel in exp.get("links") or {}}
    new_project(root, shared, tuple(name for name in SHARED if name not in added))
    for name in sorted(added & set(SHARED)):
        if (shared / name).exists():
            shutil.copytree(shared / name, root / name, symlinks=True)
    (root / ".git").mkdir()
    (root / ".git/config").write_text(CANARY_GIT_CONFIG, encoding="utf-8")
    for name in sorted(added):
        if case and (CORPUS / case / name).is_dir():
            shutil.copytree(CORPUS / case / name, root / name, dirs_exist_ok=True)
    for rel, target in (exp.get("links") or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).symlink_to(target)
    return root


@pytest.fixture(scope="module")
def builds(shared, tmp_path_factory) -> dict[str, Built]:
    """Every case built once, a few at a time (each build is a process of its own)."""
    base = tmp_path_factory.mktemp("cases")
    roots = {"(none)": make_project(base / "none", shared, None)}
    roots.update({case: make_project(base / case, shared, case) for case in CASES})

    def one(name: str) -> Built:
        quiet = name != "(none)" and bool(expected(name).get("quiet"))
        return run_build(roots[name], quiet=quiet, env=CANARY_ENV)

    return build_all({name: (lambda name=name: one(name)) for name in roots})


def test_the_corpus_is_well_formed():
    assert len(CASES) >= 14
    for case in CASES:
        exp = expected(case)
        assert exp.get("attack"), case
        assert exp.get("outcome") in ("error", "harmless"), case
        assert set(exp) <= KEYS, f"{case}: {set(exp) - KEYS}"
        assert exp.get("message") if exp["outcome"] == "error" else exp.get("present"), case
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
    assert res.seconds < TIME_LIMIT
    if exp["outcome"] == "error":
        assert res.returncode != 0, f"the build passed:\n{res.output}"
        for text in exp["message"]:
            assert text in res.output, f"{text!r} not in the build's output:\n{res.output}"
    else:
        assert res.returncode == 0, res.output
        # as a reader sees it: without the tags, which split highlighted code into spans
        pages = [t for p, t in res.files.items() if p.endswith(".html")]
        shown = "\n".join(html.unescape(re.sub(r"<[^>]+>", "", t)) for t in pages)
        for text in exp["present"]:
            assert text in shown, f"{text!r} not in the text of the site's pages"
    for text in exp.get("absent") or []:
        assert text not in res.output, f"{text!r} printed by the build"
        leaks = [p for p, t in res.files.items() if text in t]
        assert not leaks, f"{text!r} written to {leaks}"
