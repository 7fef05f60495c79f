"""Verification records: the committed CPU record vouches for every snippet as it is now; a
record edited by hand is refused; a live run is compared with the record claim by claim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.project import Layout, find_snippets
from kb.site import panel
from kb.verify import record_checks, records
from kb.verify.results import ClaimResult, RunResult


def test_cpu_record_is_current(layout):
    path = records.record_path(layout.records, "cpu")
    problems = records.problems(find_snippets(layout), records.load(path), "cpu", path)
    assert not problems, "\n".join(problems)


def test_committed_records_pass_the_checks(layout):
    cpu = records.load(records.record_path(layout.records, "cpu"))
    assert cpu["snippets"], "the CPU record is committed"
    records.load(records.record_path(layout.records, "gpu"))  # checked when there is one


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
    (snip,) = find_snippets(tree)
    entry = records.entry_from_result(snip, fake_result(), environment="cpu", scale="small")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"snippets": {"area/gone": entry, "area/other": entry}}))
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


# ---------------------------------------------------------------- what a record may hold


PINS = "torch==2.13.0\ntransformers==5.23.0\naccelerate==1.15.0\npeft==0.21.2\n"
PINS += "bitsandbytes==0.50.2\ntrl==1.16.0\n"
PINNED = {
    "torch": "2.13.0+cu126",  # a local build tag names the wheel, not the release
    "transformers": "5.23.0",
    "accelerate": "1.15.0",
    "peft": "0.21.2",
    "bitsandbytes": "0.50.2",
    "trl": "1.16.0",
}


def gpu_result(device: str = "NVIDIA H100 80GB HBM3", **versions: str) -> RunResult:
    res = fake_result()
    res.environment = dict(res.environment, device=device, versions=dict(PINNED, **versions))
    return res


def gpu_tree(tree: Layout) -> Layout:
    (tree.root / "requirements.txt").write_text(PINS)
    claims = tree.claims / "area/demo.py"
    claims.write_text(
        claims.read_text() + "\n\n@claim('placed on cuda:0', needs='gpu')\ndef on_gpu(x):\n"
        "    return 'cuda:0'\n\n\n@claim('placed on the cpu', needs='cpu')\ndef on_cpu(x):\n"
        "    pass\n"
    )
    return tree


def gpu_claims() -> list[ClaimResult]:
    return [
        ClaimResult("one", "x is 1", [], "passed"),
        ClaimResult("on_gpu", "placed on cuda:0", ["gpu"], "passed", evidence="cuda:0"),
        ClaimResult("on_cpu", "placed on the cpu", ["cpu"], "not-run"),
    ]


def write_gpu(layout: Layout, result: RunResult, scale: str = "full") -> dict:
    (snip,) = find_snippets(layout)
    entry = records.entry_from_result(snip, result, environment="gpu", scale=scale)
    path = records.record_path(layout.records, "gpu")
    records.write(path, {snip.key: entry}, {snip.key}, "gpu")
    return records.load(path)


def cpu_record_with(tree: Layout, change) -> Path:
    """The CPU record of a fresh run, with ``change(entry)`` applied by hand."""
    write(tree, fake_result())
    path = records.record_path(tree.records, "cpu")
    data = json.loads(path.read_text())
    change(data["snippets"]["area/demo"])
    path.write_text(json.dumps(data))
    return path


def test_a_gpu_run_writes_a_gpu_record_the_site_accepts(tree):
    res = gpu_result()
    res.claims = gpu_claims()
    record = write_gpu(gpu_tree(tree), res)
    entry = record["snippets"]["area/demo"]
    assert entry["device"] == "NVIDIA H100 80GB HBM3"
    (snip,) = find_snippets(tree)
    assert records.status(snip, record).state == "current"


@pytest.mark.parametrize(
    ("device", "versions", "message"),
    [
        ("CPU", {}, "field device: 'CPU' is not a CUDA device"),
        ("unknown", {}, "field device: 'unknown' is not a CUDA device"),
        ("NVIDIA A100", {"torch": "2.12.0+cu126"}, "field versions.torch: 2.12.0+cu126, but"),
        ("NVIDIA A100", {"trl": "1.15.0"}, "field versions.trl: 1.15.0, but requirements.txt pins"),
    ],
)
def test_a_gpu_run_the_checks_refuse_writes_nothing(tree, device, versions, message):
    res = gpu_result(device, **versions)
    res.claims = gpu_claims()
    with pytest.raises(records.RecordError) as err:
        write_gpu(gpu_tree(tree), res)
    assert f"verification/gpu.json: snippet area/demo: {message}" in str(err.value)
    assert "Nothing was written to verification/gpu.json." in str(err.value)
    assert not records.record_path(tree.records, "gpu").exists()


def test_a_gpu_record_without_pinned_versions_is_refused(tree):
    res = gpu_result()
    res.claims = gpu_claims()
    del res.environment["versions"]["peft"]
    with pytest.raises(records.RecordError, match=r"field versions\.peft: missing \(pinned 0\.21"):
        write_gpu(gpu_tree(tree), res)


def test_gpu_record_entries_of_changed_files_show_as_stale(tree):
    res = gpu_result()
    res.claims = gpu_claims()
    record = write_gpu(gpu_tree(tree), res)
    (tree.snippets / "area/demo.py").write_text("x = 1\nprint(x)\n#> 1\nz = 3\n")
    (snip,) = find_snippets(tree)
    st = records.status(snip, record)
    assert (st.state, st.reason) == ("stale", "the snippet changed since it was verified")
    html = panel.render(snip, {"cpu": {}, "gpu": record})
    assert "*Changed since last verified: the snippet changed since it was verified." in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda e: e.update(verified=True),
            "verification/cpu.json: snippet area/demo: field verified: not a field of a record",
        ),
        (
            lambda e: e.update(ok="yes"),
            "verification/cpu.json: snippet area/demo: field ok: Input should be a valid boolean",
        ),
        (
            lambda e: e["claims"][0].update(outcome="verified"),
            "snippet area/demo: field claims[0].outcome: Input should be 'passed'",
        ),
        (
            lambda e: e.pop("seconds"),
            "snippet area/demo: field seconds: missing (the record writer always writes it)",
        ),
        (
            lambda e: e["claims"][0].update(sentence="x is one, always, everywhere"),
            "field claims[0] (one): the sentence is not the one in tests/claims/area/demo.py",
        ),
        (
            lambda e: e["claims"][0].update(needs=["gpu"]),
            "field claims[0] (one): marked passed, but it needs gpu, which a cpu/small run",
        ),
        (
            lambda e: e["claims"][0].update(outcome="not-run"),
            "field claims[0] (one): marked not-run, but a cpu/small run has all it needs",
        ),
        (lambda e: e.update(scale="full"), "field scale: 'full'; the CPU record is made at small"),
        (lambda e: e.update(problems=["boom"]), "field ok: true, but the run reported problems"),
        (lambda e: e.update(claims=[]), "field ok: true, but no claim was checked"),
    ],
)
def test_a_hand_edited_cpu_record_is_refused(tree, change, message):
    path = cpu_record_with(tree, change)
    with pytest.raises(records.RecordError) as err:
        records.load(path)
    text = str(err.value)
    assert message in text
    assert text.startswith("verification/cpu.json cannot be shown as verification:")
    assert text.endswith("regenerate it with `make record`.")


def test_claims_of_a_stale_entry_are_not_compared_with_the_claims_file(tree):
    # the claims changed since the run: the record shows them as they were, marked stale
    path = cpu_record_with(tree, lambda e: None)
    claims = tree.claims / "area/demo.py"
    claims.write_text(claims.read_text().replace("x is 1", "x equals 1"))
    (snip,) = find_snippets(tree)
    assert records.status(snip, records.load(path)).state == "stale"


def test_the_site_build_gets_its_own_error_type(tree):
    class BuildFailure(Exception):
        pass

    path = cpu_record_with(tree, lambda e: e.update(verified=True))
    with pytest.raises(BuildFailure, match="field verified: not a field of a record"):
        records.load(path, error=BuildFailure)


def test_a_record_that_fails_its_checks_is_replaced_by_the_next_run(tree):
    cpu_record_with(tree, lambda e: e.update(verified=True))
    record = write(tree, fake_result())
    assert "verified" not in record["snippets"]["area/demo"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"snippets": {}, "snippets": {}}', "the key 'snippets' appears twice in one object"),
        ('{"snippets": {"area/demo": {"seconds": NaN}}}', "NaN is not a JSON number"),
        ('{"snippets": {}, "verified": true}', "field verified: not a field of a record"),
        ('{"environment": "gpu", "snippets": {}}', "field environment: 'gpu' in the cpu record"),
        ('{"snippets": {"../../etc/passwd": {}}}', "snippet key '../../etc/passwd': not of"),
        ("[]", "expected an object with a 'snippets' object"),
    ],
)
def test_malformed_records_name_the_file(tmp_path, text, message):
    path = tmp_path / "verification" / "cpu.json"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(records.RecordError) as err:
        records.load(path)
    assert message in str(err.value)
    assert "verification/cpu.json" in str(err.value)


def test_pins_ignore_comments_and_local_build_tags(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("# pins\nTorch==2.13.0  # the CPU build\nfoo>=1\npeft_x==1.0\n")
    assert record_checks.read_pins(req) == {"torch": "2.13.0", "peft-x": "1.0"}
    assert record_checks.base_version("2.13.0+cu126") == "2.13.0"


# ------------------------------------------------------------ the record against a live run


def entry(*outcomes: tuple[str, str], environment: str = "cpu", scale: str = "small") -> dict:
    return {
        "environment": environment,
        "scale": scale,
        "claims": [
            {"name": n, "sentence": f"{n} holds", "needs": [], "outcome": o, "evidence": ""}
            for n, o in outcomes
        ],
    }


def test_same_outcomes_differ_in_nothing():
    rec = entry(("a", "passed"), ("b", "not-run"))
    assert records.outcome_differences(rec, entry(("a", "passed"), ("b", "not-run"))) == []


def test_outcome_differences_name_the_snippet_and_the_claim():
    rec = entry(("a", "passed"), ("b", "not-run"), ("c", "passed"))
    live = entry(("a", "failed"), ("b", "passed"), ("d", "passed"))
    assert records.outcome_differences(rec, live, key="area/demo") == [
        "snippets/area/demo.py: claim 'a' (a holds) is passed in the record but failed in this run",
        "snippets/area/demo.py: claim 'b' (b holds) is not-run in the record but passed in "
        "this run",
        "snippets/area/demo.py: claim 'c' (c holds) is passed in the record but was not in "
        "this run",
        "snippets/area/demo.py: claim 'd' (d holds) is passed in this run but not in the record",
    ]


def test_outcomes_of_another_environment_are_not_compared():
    rec = entry(("a", "not-run"))
    live = entry(("a", "passed"), environment="gpu", scale="full")
    assert records.outcome_differences(rec, live, key="area/demo") == [
        "snippets/area/demo.py: the record is of a cpu/small run, this run is gpu/full; "
        "compare a run with the record of its own environment"
    ]


def test_outcome_differences_of_real_entries(tree):
    (snip,) = find_snippets(tree)
    recorded = records.entry_from_result(snip, fake_result(), environment="cpu", scale="small")
    live = records.entry_from_result(snip, fake_result(ok=False), environment="cpu", scale="small")
    assert records.outcome_differences(recorded, recorded) == []
    assert records.outcome_differences(recorded, live) == [
        "the snippet: claim 'one' (x is 1) is passed in the record but failed in this run"
    ]
