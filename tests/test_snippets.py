"""Every snippet runs unchanged, offline and isolated, and every claim holds."""

from __future__ import annotations

import pytest

from kb.project import find_snippets
from kb.verify import records
from kb.verify.claims import missing_needs, read_claims

SNIPPETS = find_snippets()
CLAIMS = [
    pytest.param(snip, info, id=f"{snip.key}::{info.name}")
    for snip in SNIPPETS
    if snip.claims_path.exists()
    for info in read_claims(snip.claims_path)
]


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda s: s.key)
def test_snippet_runs(snippet, snippet_results):
    """It runs to the end (or raises what its claims say), its #> lines match, no deprecations."""
    result = snippet_results.get(snippet)
    if result.problems:
        pytest.fail(f"snippets/{snippet.key}.py:\n\n" + "\n\n".join(result.problems), pytrace=False)


@pytest.mark.parametrize(("snippet", "info"), CLAIMS)
def test_claim(snippet, info, snippet_results):
    """One claim, asserted on the objects its snippet left behind."""
    missing = missing_needs(info.needs, snippet_results.environment, snippet_results.scale)
    if missing:
        where = "the CPU suite (make test)" if missing == ["cpu"] else "the GPU job (make gpu-test)"
        pytest.skip(f"needs {', '.join(missing)}: runs in {where}")
    result = snippet_results.get(snippet)
    found = result.claim(info.name)
    if found is None:
        pytest.fail(
            f"tests/claims/{snippet.key}.py::{info.name} was not evaluated; "
            f"the run reported: {result.problems}",
            pytrace=False,
        )
    if found.outcome != "passed":
        pytest.fail(
            f"claim not true: {info.sentence}\n(tests/claims/{snippet.key}.py::{info.name})\n\n"
            f"{found.message}",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def record(layout, snippet_results):
    return records.load(records.record_path(layout.records, snippet_results.environment))


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda s: s.key)
def test_record_agrees_with_this_run(snippet, snippet_results, record):
    """The verification record says what a run gives now: a claim recorded as passed that
    fails here (or the other way round) fails the suite, even when the files are unchanged."""
    if records.status(snippet, record).state != "current":
        pytest.skip("the record of this snippet is not current (test_records says so)")
    live = records.entry_from_result(
        snippet,
        snippet_results.get(snippet),
        environment=snippet_results.environment,
        scale=snippet_results.scale,
    )
    differences = records.outcome_differences(record["snippets"][snippet.key], live, snippet.key)
    if differences:
        pytest.fail("\n".join(differences) + "\nRun `make record` if this run is right.")
