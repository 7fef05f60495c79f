"""The built site in a real headless browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import browser_support

# the shared fixtures (tests/browser_support.py): the served site, chromium, a watched page
base_url = browser_support.base_url
browser = browser_support.browser
page = browser_support.page


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
