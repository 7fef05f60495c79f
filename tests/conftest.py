"""Test-session setup: the stand-in hub, the snippet runner, the verification records.

Options:
  --kb-env cpu|gpu      what the claims may assume (gpu: a CUDA device is present)
  --kb-scale small|full which stand-in checkpoints to build and load
  --record              write verification/<env>.json from this run's snippet results
  --update-examples     (pytest-examples) rewrite the #> output lines of snippets
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# huggingface_hub reads these when first imported: set them before anything imports it.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

from kb.project import Layout, Snippet, find_snippets  # noqa: E402
from kb.verify import records  # noqa: E402
from kb.verify.runner import Runner, RunResult  # noqa: E402

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
    group.addoption(
        "--record", action="store_true", help="write verification/<env>.json from this run"
    )


class SnippetResults:
    """Runs each snippet once per session, on first request, and keeps its result."""

    def __init__(self, config: pytest.Config, layout: Layout):
        self.config = config
        self.layout = layout
        self.environment = config.getoption("kb_env")
        self.scale = config.getoption("kb_scale")
        self.update = bool(config.getoption("update_examples"))
        self._runner: Runner | None = None
        self.results: dict[str, tuple[Snippet, RunResult]] = {}
        #: the snippets whose tests this session runs (set after collection)
        self.selected: list[Snippet] = []
        # full-size checkpoints take the GPU's memory: one snippet at a time there
        default = 1 if self.scale == "full" else min(os.cpu_count() or 1, 4)
        self.parallel = int(os.environ.get("KB_PARALLEL", default))

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            from kb.standin.hub import ensure_built

            hf_home = ensure_built(self.scale, self.layout.cache / "standin-hub")
            self._runner = Runner(hf_home, environment=self.environment, scale=self.scale)
        return self._runner

    def get(self, snippet: Snippet) -> RunResult:
        """The snippet's result; the first call runs every snippet this session selected,
        in parallel where the scale allows."""
        if snippet.key not in self.results:
            batch = {s.key: s for s in self.selected if s.key not in self.results}
            batch[snippet.key] = snippet
            self._run(list(batch.values()))
        return self.results[snippet.key][1]

    def _run(self, snippets: list[Snippet]) -> None:
        jobs = [self.runner.snippet_job(snip, update_examples=self.update) for snip in snippets]
        for snip, result in zip(snippets, self.runner.run_many(jobs, self.parallel), strict=True):
            if result.updated_source is not None and self.update:
                snip.path.write_text(result.updated_source, encoding="utf-8")
            self.results[snip.key] = (snip, result)

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()

    def write_record(self) -> Path | None:
        if not self.results:
            return None
        path = records.record_path(self.layout.records, self.environment)
        entries = {
            key: records.entry_from_result(
                snip, res, environment=self.environment, scale=self.scale
            )
            for key, (snip, res) in self.results.items()
        }
        known = {s.key for s in find_snippets(self.layout)}
        records.write(path, entries, known, self.environment)
        return path


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
    results = SnippetResults(request.config, layout)
    results.selected = getattr(request.config, "_kb_selected", [])
    request.config._kb_results = results
    yield results
    results.close()


def pytest_sessionfinish(session, exitstatus):
    results: SnippetResults | None = getattr(session.config, "_kb_results", None)
    if results is not None and session.config.getoption("record"):
        path = results.write_record()
        if path:
            session.config._kb_record_written = path


def pytest_terminal_summary(terminalreporter, config):
    path = getattr(config, "_kb_record_written", None)
    if path:
        terminalreporter.write_line(f"verification record written: {path}")
