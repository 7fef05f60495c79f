"""What the browser tests share: the built site served on 127.0.0.1, Debian's chromium driven by
Playwright (never a downloaded browser), and pages that record console errors, warnings and any
request that would leave 127.0.0.1 (aborted).

A test module names the fixtures it uses (an assignment, which linters accept as a fixture
that a test's argument then uses, where an import would be an unused name redefined):

    base_url = browser_support.base_url
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kb.browser import CHROMIUM, FLAGS, Served
from kb.project import ROOT


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """The site, built once per test module and served on 127.0.0.1."""
    site = tmp_path_factory.mktemp("browser-site")
    mkdocs = str(Path(sys.executable).with_name("mkdocs"))
    subprocess.run(
        [mkdocs, "build", "--strict", "-q", "-d", str(site)],
        cwd=ROOT,
        check=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    with Served(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    # a missing browser fails the test: a skipped browser test would pass for the wrong reason
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium) "
            "or set KB_CHROMIUM to its path; `make test` installs it where it can",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def watch(pg):
    """Record on the page its console errors (kb_errors), console warnings (kb_warnings) and
    the requests not to 127.0.0.1 (kb_foreign), which are aborted."""
    pg.kb_errors = []
    pg.kb_warnings = []
    pg.kb_foreign = []

    def console(message):
        if message.type == "error":
            pg.kb_errors.append(message.text)
        elif message.type == "warning":
            pg.kb_warnings.append(message.text)

    def guard(route):
        if urlparse(route.request.url).hostname != "127.0.0.1":
            pg.kb_foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    pg.on("console", console)
    pg.on("pageerror", lambda e: pg.kb_errors.append(str(e)))
    pg.route("**/*", guard)
    return pg


@contextlib.contextmanager
def new_page(browser, **context_options):
    """A watched page in a fresh browser context (viewport, touch… as given)."""
    context = browser.new_context(**context_options)
    try:
        yield watch(context.new_page())
    finally:
        context.close()


@pytest.fixture
def page(browser, base_url):
    with new_page(browser) as pg:
        yield pg
