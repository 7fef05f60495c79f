"""Run snippets unchanged, each isolated, with the import cost paid once.

A long-lived *server* process imports torch, transformers and the other heavy libraries
once, then forks a fresh child for every snippet. The child runs the snippet exactly as
written (as ``__main__``, print statements checked against its ``#>`` lines by
pytest-examples), evaluates the snippet's claims on the objects it left behind, and sends
back one JSON result. Because every child starts from the same untouched parent, nothing
a snippet does (default dtype, environment, warning filters, module state, logging
caches) can reach the next one. The parent enforces the time limit and survives crashes.

Use :class:`Runner` from Python; ``python -m kb.verify.runner SNIPPET...`` runs snippets
from the command line and prints their results.
"""

from __future__ import annotations

import json
import logging
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kb.project import ROOT

#: Libraries whose deprecations fail a snippet.
WATCHED = ("transformers", "torch", "accelerate", "peft", "bitsandbytes", "trl")
#: Imported once by the server, so that children start warm.
WARM_IMPORTS = (
    "torch",
    "transformers",
    "transformers.modeling_utils",
    "transformers.models.auto.modeling_auto",
    "transformers.models.auto.tokenization_auto",
    "transformers.models.gpt2.modeling_gpt2",
    "transformers.models.qwen2.modeling_qwen2",
    "transformers.models.llama.modeling_llama",
    "transformers.models.mistral.modeling_mistral",
    "accelerate",
    "bitsandbytes",
    "peft",
    "trl",
    "trl.trainer.utils",  # trl's lazy exports pull in datasets and pandas: about 1 s a child
    "transformers.pipelines",
    "pytest_examples.run_code",
)
LOGGED_DEPRECATION = re.compile(r"deprecat|will be removed", re.IGNORECASE)
DEFAULT_TIMEOUT = 180.0


@dataclass
class ClaimResult:
    name: str
    sentence: str
    needs: list[str]
    outcome: str  # passed | failed | not-run
    message: str = ""
    evidence: str = ""


@dataclass
class RunResult:
    """What one snippet run produced; JSON-serialisable."""

    key: str
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    output: str = ""
    log: str = ""
    error: dict | None = None  # {"type", "message", "traceback"} when the snippet raised
    claims: list[ClaimResult] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mib: float | None = None
    rss_growth_mib: float | None = None
    updated_source: str | None = None
    environment: dict = field(default_factory=dict)
    #: why the snippet was not run at all (every claim needs what this run lacks); "" if run
    skipped: str = ""

    @classmethod
    def from_json(cls, data: dict) -> RunResult:
        data = dict(data)
        data["claims"] = [ClaimResult(**c) for c in data.get("claims", [])]
        return cls(**data)

    def claim(self, name: str) -> ClaimResult | None:
        return next((c for c in self.claims if c.name == name), None)


@dataclass
class Job:
    key: str
    snippet: str  # path of the snippet file
    claims: str | None  # path of its claims file
    timeout: float = DEFAULT_TIMEOUT
    update_examples: bool = False
    environment: str = "cpu"  # what the claims may assume: cpu or gpu
    scale: str = "small"  # the stand-in scale: small or full
    env: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- child side


def _rss_kib(field_name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _origin_package(filename: str) -> str | None:
    parts = Path(filename).parts
    for i, part in enumerate(parts[:-1]):
        if part in ("site-packages", "dist-packages") and parts[i + 1] in WATCHED:
            return parts[i + 1]
    return None


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _format_exception(exc: BaseException, snippet_file: str) -> dict:
    frames = traceback.extract_tb(exc.__traceback__)
    # keep the traceback from the snippet's own frame onwards
    start = next((i for i, f in enumerate(frames) if f.filename == snippet_file), 0)
    tb = "".join(traceback.format_list(frames[start:]))
    tb += "".join(traceback.format_exception_only(type(exc), exc))
    return {
        "type": f"{type(exc).__module__}.{type(exc).__qualname__}".removeprefix("builtins."),
        "message": str(exc),
        "traceback": tb,
    }


def _import_claims(path: str) -> dict:
    """Import a claims file with pytest's assertion rewriting, for readable failures."""
    import ast

    from _pytest.assertion.rewrite import rewrite_asserts

    source = Path(path).read_text(encoding="utf-8")
    tree = ast.parse(source, filename=path)
    rewrite_asserts(tree, source.encode(), Path(path), None)
    namespace: dict[str, Any] = {"__name__": "kb_claims", "__file__": path}
    exec(compile(tree, path, "exec"), namespace)
    return namespace


def _run_claims(job: Job, result: RunResult, namespace: dict, error: BaseException | None) -> None:
    from kb.verify.claims import SPECIAL_PARAMS, collect, missing_needs

    try:
        claims = collect(_import_claims(job.claims)) if job.claims else []
    except Exception as exc:  # noqa: BLE001 - reported as a problem with the claims file
        result.problems.append(f"{job.claims}: the claims file failed to import: {exc!r}")
        return
    error_claimed = False
    for c in claims:
        cr = ClaimResult(name=c.name, sentence=c.sentence, needs=list(c.needs), outcome="not-run")
        result.claims.append(cr)
        missing = missing_needs(c.needs, job.environment, job.scale)
        if missing:
            cr.message = f"needs {', '.join(missing)}; this run is {job.environment}/{job.scale}"
            continue
        params = c.func.__code__.co_varnames[: c.func.__code__.co_argcount]
        kwargs: dict[str, Any] = {}
        try:
            for p in params:
                if p == "error":
                    error_claimed = True
                    if error is None:
                        raise AssertionError(
                            "the claim expects the snippet to raise, but it ran to the end"
                        )
                    kwargs[p] = error
                elif p == "output":
                    kwargs[p] = result.output
                elif p == "log":
                    kwargs[p] = result.log
                elif p in namespace:
                    kwargs[p] = namespace[p]
                elif p not in SPECIAL_PARAMS:
                    raise AssertionError(
                        f"the snippet defines no name {p!r} (it defines: "
                        f"{', '.join(sorted(k for k in namespace if not k.startswith('_')))})"
                    )
            evidence = c.func(**kwargs)
            cr.outcome = "passed"
            if evidence is not None:
                cr.evidence = str(evidence)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - a failed claim is a result, not a crash
            # (pytest.raises and pytest.fail raise pytest's outcome exceptions, which are not
            # Exceptions; they are claim failures all the same)
            cr.outcome = "failed"
            frames = traceback.extract_tb(exc.__traceback__)[1:]
            cr.message = "".join(traceback.format_list(frames)) + "".join(
                traceback.format_exception_only(type(exc), exc)
            )
    if error is not None and not error_claimed:
        result.problems.append(
            "the snippet raised "
            f"{result.error['type']}: {result.error['message']}\n{result.error['traceback']}"
            "\nIf raising is what it demonstrates, add a claim that takes `error` and asserts the"
            " exception type and message."
        )


def _child(job: Job, workdir: Path) -> RunResult:
    """Runs in the forked child: the snippet, its output check, its claims."""
    import warnings

    from pytest_examples import CodeExample
    from pytest_examples.config import ExamplesConfig
    from pytest_examples.lint import code_diff
    from pytest_examples.run_code import InsertPrintStatements

    result = RunResult(key=job.key)
    os.environ.update(job.env)
    os.chdir(workdir)
    source = Path(job.snippet).read_text(encoding="utf-8")
    example = CodeExample.create(source, path=Path(job.snippet))
    run_file = workdir / f"{Path(job.snippet).stem}.py"
    run_file.write_text(source, encoding="utf-8")

    handler = _LogCapture()
    watched_loggers = [logging.getLogger(name) for name in ("", *WATCHED)]
    root = logging.getLogger()
    if not root.handlers:
        # Python prints a handler-less logger's warnings to stderr through its last-resort
        # handler, which stops once the capture handler sits on the root logger: keep that
        # stderr line (accelerate's warnings) in the snippet's log, where claims read it.
        last_resort = logging.StreamHandler(sys.stderr)
        last_resort.setLevel(logging.WARNING)
        root.addHandler(last_resort)
    for lg in watched_loggers:
        lg.addHandler(handler)

    import importlib.util

    base_rss = _rss_kib("VmRSS")
    peak_ok = _reset_peak_rss()
    namespace: dict[str, Any] = {}
    error: BaseException | None = None
    insert_print = InsertPrintStatements(run_file, ExamplesConfig(), True, None, None)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter("always")
        spec = importlib.util.spec_from_file_location("__main__", str(run_file))
        module = importlib.util.module_from_spec(spec)
        sys.modules["__main__"] = module
        try:
            with insert_print:
                spec.loader.exec_module(module)
        except BaseException as exc:  # noqa: BLE001 - error snippets raise on purpose
            error = exc
            result.error = _format_exception(exc, str(run_file))
        namespace = dict(module.__dict__)
    result.seconds = round(time.perf_counter() - t0, 3)
    if peak_ok:
        result.peak_rss_mib = round(_rss_kib("VmHWM") / 1024, 1)
        result.rss_growth_mib = round((_rss_kib("VmHWM") - base_rss) / 1024, 1)

    result.output = "\n".join(str(s) for s in insert_print.print_statements())
    for lg in watched_loggers:
        lg.removeHandler(handler)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    result.log = Path(workdir / "stderr.log").read_text(encoding="utf-8", errors="replace")

    # deprecations: Python warnings from the watched libraries, or attributed to the snippet
    for w in caught:
        if not issubclass(w.category, (DeprecationWarning, FutureWarning)):
            continue
        origin = _origin_package(w.filename)
        if origin or Path(w.filename) == run_file:
            where = origin or "the snippet's call"
            result.problems.append(
                f"{w.category.__name__} from {where} (line {w.lineno} of {Path(w.filename).name}):"
                f" {w.message}\nUpdate the snippet to the current API; deprecations fail here."
            )
    for rec in handler.records:
        msg = rec.getMessage()
        if rec.levelno >= logging.WARNING and LOGGED_DEPRECATION.search(msg):
            result.problems.append(
                f"{rec.name} logged a deprecation: {msg.strip()}\n"
                "Update the snippet to the current API; deprecations fail here."
            )

    # the #> output lines, checked (or rewritten with --update-examples) by pytest-examples
    if error is None or insert_print.print_statements():
        new_source = insert_print.updated_print_statements(example)
        if new_source is not None:
            if job.update_examples:
                result.updated_source = new_source
            elif job.environment == "cpu" and job.scale == "small":
                diff = code_diff(example, new_source, ExamplesConfig())
                result.problems.append(
                    "the printed output differs from the snippet's #> lines:\n"
                    f"{diff}\nIf the new output is right, run `make update-examples` "
                    "(pytest --update-examples) to rewrite them."
                )

    _run_claims(job, result, namespace, error)
    if not job.claims or not result.claims:
        result.problems.append(
            f"no claims for {job.key}: add at least one @claim to tests/claims/{job.key}.py"
        )
    failed = [c for c in result.claims if c.outcome == "failed"]
    result.ok = not result.problems and not failed
    return result


# -------------------------------------------------------------------------- server side


def _environment_facts() -> dict:
    import platform
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for dist in (
        "torch",
        "transformers",
        "accelerate",
        "peft",
        "bitsandbytes",
        "trl",
        "huggingface-hub",
        "tokenizers",
        "pytest-examples",
    ):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            pass
    facts = {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "versions": versions,
    }
    try:
        import torch

        if torch.cuda.is_available():
            facts["device"] = torch.cuda.get_device_name(0)
        else:
            facts["device"] = "CPU"
    except ImportError:
        facts["device"] = "CPU"
    return facts


@dataclass
class _Child:
    index: int
    job: Job
    pid: int
    fd: int
    workdir: Path
    deadline: float
    chunks: list[bytes] = field(default_factory=list)


def _start_child(index: int, job: Job, facts: dict, threads: int) -> _Child:
    """Fork a child that runs one job with ``threads`` torch threads and writes its JSON
    result to a pipe."""
    workdir = Path(tempfile.mkdtemp(prefix="kb-run-"))
    read_fd, write_fd = os.pipe()
    log_fd = os.open(workdir / "stderr.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        # stdin is the server's job stream: a snippet that prompts (trust_remote_code without
        # the flag) must meet end-of-file, as in any non-interactive job, not read jobs.
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        if "torch" in sys.modules:
            # children running side by side share the cores instead of each taking all
            # (oversubscribed, they run slower together than one after the other)
            sys.modules["torch"].set_num_threads(threads)
        try:
            result = _child(job, workdir)
        except BaseException as exc:  # noqa: BLE001 - the runner itself failed
            result = RunResult(
                key=job.key, problems=[f"runner failure: {exc!r}\n" + traceback.format_exc()]
            )
        result.environment = facts
        with os.fdopen(write_fd, "w", encoding="utf-8") as out:
            json.dump(asdict(result), out, default=str)
        os._exit(0)
    os.close(write_fd)
    os.close(log_fd)
    return _Child(index, job, pid, read_fd, workdir, time.monotonic() + job.timeout)


def _finish_child(child: _Child, facts: dict, timed_out: bool) -> RunResult:
    if timed_out:
        os.kill(child.pid, signal.SIGKILL)
    os.close(child.fd)
    _, status = os.waitpid(child.pid, 0)
    log = (child.workdir / "stderr.log").read_text(encoding="utf-8", errors="replace")
    _remove_tree(child.workdir)
    key = child.job.key
    if timed_out:
        return RunResult(
            key=key,
            problems=[
                f"{key} did not finish within its time limit of {child.job.timeout:.0f} s; "
                "make it lighter, or set TIMEOUT in its claims file if it really needs longer",
            ],
            log=log[-4000:],
            environment=facts,
        )
    if not child.chunks:
        return RunResult(
            key=key,
            problems=[
                f"{key} crashed the process running it ({_describe_status(status)}); "
                f"its last log lines:\n{log[-4000:]}"
            ],
            environment=facts,
        )
    return RunResult.from_json(json.loads(b"".join(child.chunks)))


def _run_many(jobs: list[Job], parallel: int, facts: dict):
    """Run jobs, at most ``parallel`` at a time, each in its own fresh fork of this process;
    yield ``(index, result)`` as each finishes."""
    pending = list(enumerate(jobs))
    running: dict[int, _Child] = {}
    threads = max(1, (os.cpu_count() or 1) // max(1, parallel))
    while pending or running:
        while pending and len(running) < max(1, parallel):
            index, job = pending.pop(0)
            child = _start_child(index, job, facts, threads)
            running[child.fd] = child
        now = time.monotonic()
        for child in [c for c in running.values() if c.deadline <= now]:
            del running[child.fd]
            yield child.index, _finish_child(child, facts, timed_out=True)
        if not running:
            continue
        wait = max(0.0, min(c.deadline for c in running.values()) - time.monotonic())
        ready, _, _ = select.select(list(running), [], [], wait)
        for fd in ready:
            child = running[fd]
            data = os.read(fd, 1 << 20)
            if data:
                child.chunks.append(data)
            else:
                del running[fd]
                yield child.index, _finish_child(child, facts, timed_out=False)


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.WEXITSTATUS(status)}"


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def serve() -> None:
    """Server loop: one JSON job per line on stdin, one JSON result per line on stdout."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # library chatter must not corrupt the protocol stream
    t0 = time.perf_counter()
    import importlib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in WARM_IMPORTS:
            try:
                importlib.import_module(name)
            except ImportError:
                pass
    facts = _environment_facts()
    proto.write(json.dumps({"ready": True, "import_seconds": time.perf_counter() - t0}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        jobs = [Job(**j) for j in request["jobs"]]
        for index, result in _run_many(jobs, request.get("parallel", 1), facts):
            proto.write(json.dumps({"index": index, "result": asdict(result)}, default=str) + "\n")
        proto.write(json.dumps({"done": True}) + "\n")


class Runner:
    """Client of a runner server; one per test session."""

    def __init__(
        self,
        hf_home: Path | None,
        *,
        environment: str = "cpu",
        scale: str = "small",
        extra_env: dict[str, str] | None = None,
    ):
        env = dict(os.environ)
        if hf_home is not None:
            env["HF_HOME"] = str(hf_home)
        env["HF_HUB_OFFLINE"] = "1"
        env["HF_HUB_DISABLE_TELEMETRY"] = "1"
        # remote code that snippets trust is copied here, not into the stand-in hub
        self._modules = tempfile.TemporaryDirectory(prefix="kb-hf-modules-")
        env["HF_MODULES_CACHE"] = self._modules.name
        env["TOKENIZERS_PARALLELISM"] = "false"
        # set iteration order is part of some library messages ("cpu and disk"): keep it fixed
        env["PYTHONHASHSEED"] = "0"
        env.update(extra_env or {})
        self.environment = environment
        self.scale = scale
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kb.verify.runner", "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            text=True,
        )
        hello = self.proc.stdout.readline()
        if not hello:
            raise RuntimeError("the snippet runner failed to start; see the output above")
        self.import_seconds = json.loads(hello)["import_seconds"]

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
        from kb.verify.claims import read_timeout

        claims = snippet.claims_path if snippet.claims_path.exists() else None
        timeout = read_timeout(claims, DEFAULT_TIMEOUT) if claims else DEFAULT_TIMEOUT
        return self.job(
            snippet.key, snippet.path, claims, timeout=timeout, update_examples=update_examples
        )

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
        request = {"jobs": [asdict(j) for j in jobs], "parallel": parallel}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        results: list[RunResult | None] = [None] * len(jobs)
        while True:
            line = self.proc.stdout.readline()
            if not line:
                running = ", ".join(j.key for j, r in zip(jobs, results, strict=True) if r is None)
                raise RuntimeError(f"the snippet runner died while running {running}")
            message = json.loads(line)
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
    """The result of a job whose every claim needs what this run lacks, or None."""
    from kb.verify.claims import missing_needs, read_claims

    infos = read_claims(Path(job.claims)) if job.claims else []
    missing = [missing_needs(i.needs, job.environment, job.scale) for i in infos]
    if not infos or not all(missing):
        return None
    lacking = sorted({n for m in missing for n in m})
    reason = f"every claim needs {' or '.join(lacking)}; this run is {job.environment}/{job.scale}"
    claims = [
        ClaimResult(i.name, i.sentence, list(i.needs), "not-run", message=reason) for i in infos
    ]
    return RunResult(key=job.key, ok=True, claims=claims, skipped=reason)


def main(argv: list[str]) -> int:
    if argv == ["--serve"]:
        serve()
        return 0
    import argparse

    from kb.project import Layout, get_snippet
    from kb.standin.hub import ensure_built

    parser = argparse.ArgumentParser(description="Run snippets and their claims, offline.")
    parser.add_argument("snippets", nargs="+", help="snippet keys, e.g. loading/gpt2_generation")
    parser.add_argument("--scale", default="small", choices=["small", "full"])
    args = parser.parse_args(argv)
    layout = Layout()
    hf_home = ensure_built(args.scale, layout.cache / "standin-hub")
    failed = 0
    with Runner(hf_home, scale=args.scale) as runner:
        snippets = [get_snippet(key, layout) for key in args.snippets]
        jobs = [runner.snippet_job(snip) for snip in snippets]
        for snip, res in zip(snippets, runner.run_many(jobs), strict=True):
            state = f"not run ({res.skipped})" if res.skipped else "ok" if res.ok else "FAILED"
            print(f"== {snip.key}: {state} in {res.seconds:.2f} s")
            for c in res.claims:
                print(f"   [{c.outcome}] {c.sentence} {c.evidence}")
            for p in res.problems:
                print("   problem:", p)
            failed += not res.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
