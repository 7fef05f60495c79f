"""The runner's client: starts the server with a clean environment and sends it jobs."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from kb.verify import sandbox
from kb.verify.claims import ClaimsFileError, missing_needs, read_claims, read_timeout
from kb.verify.results import DEFAULT_TIMEOUT, ClaimResult, Job, RunResult

#: How long the server may take to import and warm up before the client gives up on it.
START_TIMEOUT = 600.0
#: Beyond a job's own limit, the slack the server has to report it (kill, reap, send).
REPORT_SLACK = 60.0


class RunnerError(RuntimeError):
    """The runner server failed; the message says what it was doing."""


class Runner:
    """Client of a runner server; one per test session or command."""

    def __init__(
        self,
        hf_home: Path | None,
        *,
        environment: str = "cpu",
        scale: str = "small",
        extra_env: dict[str, str] | None = None,
        memory_limit_mib: int | None = None,
    ):
        # remote code that snippets trust is copied here, not into the stand-in hub
        self._modules = tempfile.TemporaryDirectory(prefix="kb-hf-modules-")
        env = sandbox.child_environment(dict(os.environ), str(hf_home) if hf_home else None)
        env["HF_MODULES_CACHE"] = self._modules.name
        env.update(extra_env or {})
        self.environment = environment
        self.scale = scale
        if memory_limit_mib is None and environment == "cpu":
            # on a GPU, CUDA maps far more address space than memory: no limit there
            memory_limit_mib = int(os.environ.get("KB_MEMORY_LIMIT_MIB", 0)) or (
                sandbox.DEFAULT_MEMORY_LIMIT_MIB
            )
        self.limits = {"writable": [self._modules.name], "memory_limit_mib": memory_limit_mib}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kb.verify.server", environment],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=self._modules.name,
            bufsize=0,
        )
        self._pending = b""
        hello = self._read_line(START_TIMEOUT, "starting")
        self.import_seconds = json.loads(hello)["import_seconds"]

    def _read_line(self, timeout: float, doing: str) -> str:
        """One line from the server, or a RunnerError if it dies or stays silent for
        ``timeout`` seconds: the client never waits forever."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, left)) if left > 0 else ([], 0, 0)
            data = os.read(fd, 1 << 16) if ready else b""
            if not data:
                self.proc.kill()
                state = "stopped answering" if not ready else "died"
                raise RunnerError(f"the snippet runner {state} while {doing}; see the output above")
            self._pending += data
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode("utf-8")

    def job(
        self, key: str, snippet: Path, claims: Path | None, *, timeout: float, update_examples=False
    ) -> Job:
        return Job(
            key=key,
            snippet=str(snippet),
            claims=str(claims) if claims else None,
            timeout=timeout,
            update_examples=update_examples,
            environment=self.environment,
            scale=self.scale,
        )

    def snippet_job(self, snippet, *, update_examples: bool = False) -> Job:
        """The job for a project snippet: its claims file, and the time limit that file sets."""
        claims = snippet.claims_path if snippet.claims_path.exists() else None
        try:
            timeout = read_timeout(claims, DEFAULT_TIMEOUT) if claims else DEFAULT_TIMEOUT
        except ClaimsFileError:
            timeout = DEFAULT_TIMEOUT  # run_many reports the claims file's problem
        return self.job(
            snippet.key, snippet.path, claims, timeout=timeout, update_examples=update_examples
        )

    def run(
        self,
        key: str,
        snippet: Path,
        claims: Path | None,
        *,
        timeout: float,
        update_examples: bool = False,
        env: dict | None = None,
    ) -> RunResult:
        """Run one snippet and its claims."""
        job = self.job(key, snippet, claims, timeout=timeout, update_examples=update_examples)
        job.env = env or {}
        return self.run_many([job])[0]

    def run_many(self, jobs: list[Job], parallel: int = 1) -> list[RunResult]:
        """Run several snippets, up to ``parallel`` at once, each in its own fresh process;
        results come back in the order of ``jobs``. A snippet none of whose claims can run
        here (a CUDA out-of-memory reproduction on a CPU run) is not run at all."""
        results: list[RunResult | None] = [_not_runnable(job) for job in jobs]
        runnable = [i for i, r in enumerate(results) if r is None]
        if runnable:
            ran = self._run_on_server([jobs[i] for i in runnable], parallel)
            for i, result in zip(runnable, ran, strict=True):
                results[i] = result
        return results

    def _run_on_server(self, jobs: list[Job], parallel: int) -> list[RunResult]:
        request = {"jobs": [asdict(j) for j in jobs], "parallel": parallel, "limits": self.limits}
        self.proc.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
        self.proc.stdin.flush()
        results: list[RunResult | None] = [None] * len(jobs)
        # the longest any one answer can take: the slowest job plus the server's slack
        patience = max(j.timeout for j in jobs) + REPORT_SLACK
        while True:
            running = ", ".join(j.key for j, r in zip(jobs, results, strict=True) if r is None)
            message = json.loads(self._read_line(patience, f"running {running}"))
            if message.get("done"):
                return results
            results[message["index"]] = RunResult.from_json(message["result"])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._modules.cleanup()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _not_runnable(job: Job) -> RunResult | None:
    """The result of a job that is not run: its claims file cannot be read (the problem says
    why), or every claim needs what this run lacks. None for a job to run."""
    try:
        infos = read_claims(Path(job.claims)) if job.claims else []
        if job.claims:
            read_timeout(Path(job.claims), DEFAULT_TIMEOUT)
    except ClaimsFileError as exc:
        return RunResult(key=job.key, problems=[str(exc)])
    missing = [missing_needs(i.needs, job.environment, job.scale) for i in infos]
    if not infos or not all(missing):
        return None
    lacking = sorted({n for m in missing for n in m})
    reason = f"every claim needs {' or '.join(lacking)}; this run is {job.environment}/{job.scale}"
    claims = [
        ClaimResult(i.name, i.sentence, list(i.needs), "not-run", message=reason) for i in infos
    ]
    return RunResult(key=job.key, ok=True, claims=claims, skipped=reason)
