"""Verification records: the committed CPU record vouches for every snippet as it is now."""

from __future__ import annotations

import json

import pytest

from kb.project import Layout, find_snippets
from kb.verify import records
from kb.verify.runner import ClaimResult, RunResult


def test_cpu_record_is_current(layout, request):
    if request.config.getoption("record"):
        pytest.skip("this run rewrites the record")
    path = records.record_path(layout.records, "cpu")
    problems = records.problems(find_snippets(layout), records.load(path), "cpu", path)
    assert not problems, "\n".join(problems)


def test_gpu_record_if_any_is_readable(layout):
    records.load(records.record_path(layout.records, "gpu"))


@pytest.fixture
def tree(tmp_path) -> Layout:
    layout = Layout(tmp_path)
    (tmp_path / "snippets/area").mkdir(parents=True)
    (tmp_path / "tests/claims/area").mkdir(parents=True)
    (tmp_path / "snippets/area/demo.py").write_text("x = 1\nprint(x)\n#> 1\n")
    (tmp_path / "tests/claims/area/demo.py").write_text(
        "from kb.verify.claims import claim\n\n\n@claim('x is 1')\ndef one(x):\n    assert x == 1\n"
    )
    return layout


def fake_result(ok: bool = True) -> RunResult:
    return RunResult(
        key="area/demo",
        ok=ok,
        output="1",
        claims=[ClaimResult("one", "x is 1", [], "passed" if ok else "failed", "", "")],
        seconds=0.01,
        peak_rss_mib=300.0,
        environment={
            "device": "CPU",
            "platform": "Linux x86_64",
            "python": "3.11.7",
            "versions": {"transformers": "5.23.0"},
        },
    )


def write(layout: Layout, result: RunResult) -> dict:
    (snip,) = find_snippets(layout)
    entry = records.entry_from_result(snip, result, environment="cpu", scale="small")
    path = records.record_path(layout.records, "cpu")
    records.write(path, {snip.key: entry}, {snip.key}, "cpu")
    return records.load(path)


def test_fresh_record_is_current(tree):
    record = write(tree, fake_result())
    path = records.record_path(tree.records, "cpu")
    assert records.problems(find_snippets(tree), record, "cpu", path) == []
    entry = record["snippets"]["area/demo"]
    assert entry["claims"][0]["outcome"] == "passed"
    assert entry["versions"]["transformers"] == "5.23.0"
    assert {
        "digest",
        "claims_digest",
        "output",
        "seconds",
        "peak_rss_mib",
        "date",
        "platform",
        "device",
    } <= set(entry)


def test_changed_snippet_makes_the_record_stale(tree):
    record = write(tree, fake_result())
    (tree.snippets / "area/demo.py").write_text("x = 1\nprint(x)\n#> 1\ny = 2\n")
    path = records.record_path(tree.records, "cpu")
    problems = records.problems(find_snippets(tree), record, "cpu", path)
    assert problems[0].startswith(
        "snippets/area/demo.py: the snippet changed since it was verified in cpu.json (recorded "
    )
    assert problems[-1] == "Refresh the CPU record with `make record`."


def test_changed_claims_make_the_record_stale(tree):
    record = write(tree, fake_result())
    claims = tree.claims / "area/demo.py"
    claims.write_text(claims.read_text() + "\n\n@claim('x is int')\ndef i(x):\n    pass\n")
    (snip,) = find_snippets(tree)
    assert records.status(snip, record).state == "stale"


def test_missing_and_failed_entries_are_problems(tree):
    path = records.record_path(tree.records, "cpu")
    assert "never verified" in records.problems(find_snippets(tree), {}, "cpu", path)[0]
    record = write(tree, fake_result(ok=False))
    assert (
        "its last verification failed"
        in records.problems(find_snippets(tree), record, "cpu", path)[0]
    )


def test_write_merges_and_drops_deleted_snippets(tree):
    path = records.record_path(tree.records, "cpu")
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"snippets": {"area/gone": {"digest": "x"}, "area/other": {"digest": "y"}}})
    )
    (snip,) = find_snippets(tree)
    entry = records.entry_from_result(snip, fake_result(), environment="cpu", scale="small")
    records.write(path, {"area/demo": entry}, {"area/demo", "area/other"}, "cpu")
    assert set(records.load(path)["snippets"]) == {"area/demo", "area/other"}


def test_unreadable_record_names_the_file(tmp_path):
    path = tmp_path / "cpu.json"
    path.write_text("{not json")
    with pytest.raises(records.RecordError, match=r"cpu\.json: not valid JSON .*make record"):
        records.load(path)


def test_error_snippet_output_ends_with_the_exception(tree):
    res = fake_result()
    res.output = ""
    res.error = {"type": "TypeError", "message": "bad keyword", "traceback": "..."}
    (snip,) = find_snippets(tree)
    entry = records.entry_from_result(snip, res, environment="cpu", scale="small")
    assert entry["output"] == "TypeError: bad keyword"
