"""The built site in a real headless browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kb.project import ROOT

CHROMIUM = os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    site = tmp_path_factory.mktemp("browser-site")
    mkdocs = str(Path(sys.executable).with_name("mkdocs"))
    subprocess.run([mkdocs, "build", "--strict", "-q", "-d", str(site)], cwd=ROOT, check=True)
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
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


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context()
    pg = context.new_page()
    pg.kb_errors = []
    pg.kb_foreign = []
    pg.on("console", lambda m: m.type == "error" and pg.kb_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.kb_errors.append(str(e)))

    def guard(route):
        if urlparse(route.request.url).hostname != "127.0.0.1":
            pg.kb_foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    pg.route("**/*", guard)
    yield pg
    context.close()


def test_panel_opens_and_shows_claims_and_output(page, base_url):
    page.goto(f"{base_url}/implementation/loading-a-generation-model/")
    block = page.locator('.kb-snippet[data-snippet="loading/gpt2_generation"]')
    assert "AutoModelForCausalLM.from_pretrained" in block.locator("code").first.inner_text()
    details = block.locator("details")
    assert details.get_attribute("open") is None
    summary = details.locator("summary")
    assert summary.inner_text().startswith("Verified on CPU")
    summary.click()
    details.locator("ul").first.wait_for(state="visible")
    text = details.inner_text()
    assert "GPT2LMHeadModel" in text
    assert "✓" in text
    assert "Output on CPU" in text
    assert page.kb_errors == []
    assert page.kb_foreign == []


def test_every_page_loads_without_errors_or_outside_requests(page, base_url):
    for path in (
        "/",
        "/heuristic/production-loading-rule/",
        "/error/load-in-4bit-keyword/",
        "/implementation/bitsandbytes-4bit-nf4/",
        "/principle/alignment-model-loading/",
    ):
        page.goto(base_url + path)
        assert page.locator(".md-content h1").count() == 1, path
    assert page.kb_errors == []
    assert page.kb_foreign == []
