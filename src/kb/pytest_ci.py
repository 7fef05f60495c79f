"""pytest plugin: in CI (CI=true), a browser test that skips is a failure.

The browser tests are what proves the pages and the graph work in a real browser; a missing
chromium must not let them pass silently.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and item.path.name.startswith("test_browser"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} was skipped in CI ({reason}); browser tests must run there: "
            "install Debian's chromium (`make chromium`)"
        )
