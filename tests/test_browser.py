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


# A code identifier typed into the search box, and the page that must come first for it.
SEARCHES = {
    "4bit": "error/load-in-4bit-keyword/",
    "load_in_4bit": "error/load-in-4bit-keyword/",
    "torch_dtype": "implementation/choosing-a-dtype/",
    "meta device": "implementation/meta-device-estimate/",
    "BitsAndBytesConfig": "implementation/bitsandbytes-4bit-nf4/",
    "Linear8bitLt": "implementation/bitsandbytes-8bit/",
    "prepare_model_for_kbit_training": "implementation/prepare-for-kbit-training/",
    "is_gradient_checkpointing": "implementation/gradient-checkpointing-and-cache/",
    "Asking to pad but the tokenizer does not have a padding token": "error/pad-token-missing/",
}


def test_search_finds_code_identifiers(page, base_url):
    missed = {}
    for query, expected in SEARCHES.items():
        page.goto(f"{base_url}/")
        page.locator(".md-search__input").press_sequentially(query)
        first = page.locator(".md-search-result__item > a").first
        want = f"{base_url}/{expected}"
        try:
            # the results follow the typing: wait until they are those of the whole query
            page.wait_for_function(
                "([q, want]) => document.querySelector('.md-search__input').value === q"
                " && (document.querySelector('.md-search-result__item > a') || {}).href"
                "?.split('?')[0] === want",
                arg=[query, want],
                timeout=5000,
            )
        except Exception:  # noqa: BLE001 - a timeout is the answer: say what came first
            missed[query] = first.get_attribute("href") if first.count() else None
    assert missed == {}, f"first result is not the expected page: {missed}"
    assert page.kb_errors == [] and page.kb_foreign == []


def test_palette_follows_the_system_setting(browser, base_url):
    for system, scheme in (("dark", "slate"), ("light", "default")):
        with browser_support.new_page(browser, color_scheme=system) as pg:
            pg.goto(f"{base_url}/")
            assert pg.locator("body").get_attribute("data-md-color-scheme") == scheme, system
            assert pg.kb_errors == []


# WCAG contrast of the copy button's colour, blended over the code block's background
CONTRAST = """(button) => {
  const rgba = (t) => t.match(/[\\d.]+/g).map(Number);
  const [r, g, b, a = 1] = rgba(getComputedStyle(button).color);
  const code = button.closest(".highlight").querySelector("code");
  const bg = rgba(getComputedStyle(code).backgroundColor);
  const fg = [r, g, b].map((c, i) => c * a + bg[i] * (1 - a));
  const lum = (c) => {
    const [x, y, z] = c.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * x + 0.7152 * y + 0.0722 * z;
  };
  const [hi, lo] = [lum(fg), lum(bg)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
}"""


def test_copy_button_is_visible_at_rest(browser, base_url):
    for system in ("light", "dark"):
        with browser_support.new_page(browser, color_scheme=system) as pg:
            pg.goto(f"{base_url}/implementation/loading-a-generation-model/")
            pg.mouse.move(0, 0)  # nothing hovered
            button = pg.locator('.kb-snippet .md-code__button[data-md-type="copy"]').first
            ratio = button.evaluate(CONTRAST)
            assert ratio >= 3, f"{system}: copy button contrast {ratio:.2f}:1"


# the pages whose code and messages were the widest before code was made to fit the column
WIDE_PAGES = (
    "principle/memory-budget/",
    "principle/model-companion-files/",
    "error/modules-dispatched-on-cpu/",
    "error/wrong-auto-class/",
    "environment/cpu-only/",
    "workflow/qlora-end-to-end/",
)
OVERFLOWING = """() => Array.from(document.querySelectorAll('.md-content .highlight pre > code'))
  .filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent.slice(0, 60))"""


def test_code_fits_the_column_on_a_laptop_screen(browser, base_url):
    with browser_support.new_page(browser, viewport={"width": 1366, "height": 768}) as pg:
        for path in WIDE_PAGES:
            pg.goto(f"{base_url}/{path}")
            pg.locator("details.kb-snippet, .kb-snippet details").first.wait_for(state="attached")
            assert pg.evaluate(OVERFLOWING) == [], path
