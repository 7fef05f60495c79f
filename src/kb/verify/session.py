"""One verification session: the stand-in hub built, a runner started, snippets run.

Shared by the test suite (which only asserts on the results) and the commands that write
(``python -m kb.verify record`` / ``update-examples``).
"""

from __future__ import annotations

import os
from pathlib import Path

from kb.project import Layout, Snippet
from kb.verify.client import Runner
from kb.verify.results import RunResult


def default_parallel(scale: str) -> int:
    """Full-size checkpoints take the GPU's memory: one snippet at a time there."""
    default = 1 if scale == "full" else min(os.cpu_count() or 1, 4)
    return int(os.environ.get("KB_PARALLEL", default))


class Session:
    """Runs snippets on one runner server, started on first use."""

    def __init__(self, layout: Layout, environment: str = "cpu", scale: str = "small"):
        self.layout = layout
        self.environment = environment
        self.scale = scale
        self.parallel = default_parallel(scale)
        self._runner: Runner | None = None
        self._hub: tuple[Path, dict] | None = None

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            from kb.standin import ensure_built
            from kb.standin.manifest import read_stamp

            hf_home = ensure_built(self.scale, self.layout.cache / "standin-hub")
            # the manifest as built, read before any snippet runs: a run that rewrote the
            # hub and its stamp alike is still caught
            self._hub = (hf_home, dict((read_stamp(hf_home) or {}).get("manifest", {})))
            self._runner = Runner(hf_home, environment=self.environment, scale=self.scale)
        return self._runner

    def run(self, snippets: list[Snippet], *, update_examples: bool = False) -> list[RunResult]:
        jobs = [self.runner.snippet_job(s, update_examples=update_examples) for s in snippets]
        results = self.runner.run_many(jobs, self.parallel)
        changed = self._hub_changes()
        if changed:
            # the snippets' confinement refuses writes to the hub; this catches what got past
            # it (a process a claim started): every result of the batch fails with the change
            problem = "the stand-in hub changed during this run:\n" + "\n".join(changed[:10])
            for result in results:
                if not result.skipped:
                    result.problems.append(problem)
                    result.ok = False
        return results

    def _hub_changes(self) -> list[str]:
        from kb.standin import verify_hub

        hf_home, manifest = self._hub
        return verify_hub(hf_home, manifest=manifest)

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()
            self._runner = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
