"""Test-session setup: the snippets run once per session; the tests only assert.

Options:
  --kb-env cpu|gpu      what the claims may assume (gpu: a CUDA device is present)
  --kb-scale small|full which stand-in checkpoints to build and load

Writing is a command of its own, never a side effect of a test run: `make record`
(`python -m kb.verify record`) and `make update-examples`.
"""

from __future__ import annotations

import os

import pytest

# huggingface_hub reads these when first imported: set them before anything imports it.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

from kb.project import Layout, Snippet  # noqa: E402
from kb.verify.results import RunResult  # noqa: E402
from kb.verify.session import Session  # noqa: E402

pytest_plugins = ["kb.pytest_ci", "pytester"]


def pytest_addoption(parser):
    group = parser.getgroup("kb", "verified knowledge base")
    group.addoption(
        "--kb-env",
        default="cpu",
        choices=["cpu", "gpu"],
        help="where the snippets run: cpu (default) or gpu",
    )
    group.addoption(
        "--kb-scale",
        default="small",
        choices=["small", "full"],
        help="stand-in checkpoints: small (CPU, default) or full size",
    )


class SnippetResults:
    """Runs each snippet once per session, on first request, and keeps its result."""

    def __init__(self, session: Session):
        self.session = session
        self.environment = session.environment
        self.scale = session.scale
        self.results: dict[str, RunResult] = {}
        #: the snippets whose tests this session runs (set after collection)
        self.selected: list[Snippet] = []

    def get(self, snippet: Snippet) -> RunResult:
        """The snippet's result; the first call runs every snippet this session selected,
        in parallel where the scale allows."""
        if snippet.key not in self.results:
            batch = {s.key: s for s in self.selected if s.key not in self.results}
            batch[snippet.key] = snippet
            snippets = list(batch.values())
            for snip, result in zip(snippets, self.session.run(snippets), strict=True):
                self.results[snip.key] = result
        return self.results[snippet.key]


@pytest.fixture(scope="session")
def layout() -> Layout:
    return Layout()


def pytest_collection_modifyitems(session, config, items):
    selected: dict[str, Snippet] = {}
    for item in items:
        snip = getattr(item, "callspec", None) and item.callspec.params.get("snippet")
        if isinstance(snip, Snippet):
            selected.setdefault(snip.key, snip)
    config._kb_selected = list(selected.values())


@pytest.fixture(scope="session")
def snippet_results(request, layout):
    config = request.config
    with Session(layout, config.getoption("kb_env"), config.getoption("kb_scale")) as session:
        results = SnippetResults(session)
        results.selected = getattr(config, "_kb_selected", [])
        yield results
