"""Test-session setup: the stand-in hub, the snippet runner, the verification records.

Options:
  --kb-env cpu|gpu      what the claims may assume (gpu: a CUDA device is present)
  --kb-scale small|full which stand-in checkpoints to build and load
  --record              write verification/<env>.json from this run's snippet results
  --update-examples     (pytest-examples) rewrite the #> output lines of snippets
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))
# huggingface_hub reads these when first imported: set them before anything imports it.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

from kb import records  # noqa: E402
from kb.claims import read_timeout  # noqa: E402
from kb.project import Layout, Snippet, find_snippets  # noqa: E402
from kb.runner import DEFAULT_TIMEOUT, Runner, RunResult  # noqa: E402


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

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            from kb.standin_hub import ensure_built

            hf_home = ensure_built(self.scale, self.layout.cache / "standin-hub")
            self._runner = Runner(hf_home, environment=self.environment, scale=self.scale)
        return self._runner

    def get(self, snippet: Snippet) -> RunResult:
        if snippet.key not in self.results:
            timeout = (
                read_timeout(snippet.claims_path, DEFAULT_TIMEOUT)
                if snippet.claims_path.exists()
                else DEFAULT_TIMEOUT
            )
            result = self.runner.run(
                snippet.key,
                snippet.path,
                snippet.claims_path if snippet.claims_path.exists() else None,
                timeout=timeout,
                update_examples=self.update,
            )
            if result.updated_source is not None and self.update:
                snippet.path.write_text(result.updated_source, encoding="utf-8")
            self.results[snippet.key] = (snippet, result)
        return self.results[snippet.key][1]

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


@pytest.fixture(scope="session")
def snippet_results(request, layout):
    results = SnippetResults(request.config, layout)
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
