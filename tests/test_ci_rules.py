"""In CI a skipped browser test fails the run; elsewhere it stays a skip."""

from __future__ import annotations

SKIPPING = """
import pytest

def test_draws_graph():
    pytest.skip("no chromium")
"""


def run(pytester, monkeypatch, ci: str | None, name: str):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    pytester.makepyfile(**{name: SKIPPING})
    return pytester.runpytest_inprocess("-p", "kb.pytest_ci")


def test_skipped_browser_test_fails_in_ci(pytester, monkeypatch):
    result = run(pytester, monkeypatch, "true", "test_browser_fake_graph")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*skipped in CI (*no chromium*); browser tests must run*"])


def test_skipped_browser_test_is_a_skip_outside_ci(pytester, monkeypatch):
    run(pytester, monkeypatch, None, "test_browser_fake_graph").assert_outcomes(skipped=1)


def test_other_skips_stay_skips_in_ci(pytester, monkeypatch):
    run(pytester, monkeypatch, "true", "test_fake_snippets").assert_outcomes(skipped=1)
