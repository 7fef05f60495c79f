"""The child: runs one snippet exactly as written, checks its output, evaluates its claims.

Runs in a process forked from the runner server (``kb.verify.pool``), confined by
``kb.verify.sandbox``. The claims are imported and bound *before* the snippet runs, so the
snippet cannot replace what judges it; the static rules (``kb.rules``) refuse snippets that
reach into the interpreter to try.
"""

from __future__ import annotations

import ast
import logging
import os
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

from kb.project import shown
from kb.verify import sandbox
from kb.verify.claims import SPECIAL_PARAMS, Claim, collect, missing_needs
from kb.verify.examples import Prints
from kb.verify.policy import WATCHED, deprecation_problems
from kb.verify.results import ClaimResult, Job, RunResult


def run(job: Job, workdir: Path, writable: list[str], memory_limit_mib: int | None) -> RunResult:
    result = RunResult(key=job.key)
    os.environ.update(job.env)
    try:
        source = Path(job.snippet).read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        result.problems.append(f"{shown(job.snippet)}: not UTF-8; save it as UTF-8")
        return result
    run_file = workdir / f"{Path(job.snippet).stem}.py"
    run_file.write_text(source, encoding="utf-8")
    base_rss = _rss_kib("VmRSS")
    peak_ok = _reset_peak_rss()
    confinement = sandbox.enter(workdir, writable, memory_limit_mib)
    try:
        claims = collect(_import_claims(job.claims)) if job.claims else []
    except Exception as exc:  # noqa: BLE001 - reported as a problem with the claims file
        result.problems.append(f"{shown(job.claims)}: the claims file failed to import: {exc!r}")
        claims = []

    prints = Prints(source, Path(job.snippet), run_file)
    capture = _capture_logs()
    error: BaseException | None = None
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter("always")
        module, error = _exec_snippet(run_file, prints)
        namespace = dict(module.__dict__)
    result.seconds = round(time.perf_counter() - t0, 3)
    if peak_ok:
        result.peak_rss_mib = round(_rss_kib("VmHWM") / 1024, 1)
        result.rss_growth_mib = round((_rss_kib("VmHWM") - base_rss) / 1024, 1)
    result.output = prints.output()
    capture.close()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    result.log = Path(workdir / "stderr.log").read_text(encoding="utf-8", errors="replace")
    result.problems += deprecation_problems(caught, capture.records, run_file)

    if isinstance(error, SystemExit):
        result.problems.append(
            f"the snippet exits (SystemExit: {error.code!r}) before its end; a snippet runs "
            "to its last line (or raises the error it demonstrates): remove the exit"
        )
        error = None
    if error is not None and isinstance(error, MemoryError | RuntimeError) and memory_limit_mib:
        if "memory" in str(error).lower() or isinstance(error, MemoryError):
            result.problems.append(
                f"the snippet ran out of its memory limit of {memory_limit_mib} MiB: make it "
                "lighter (small stand-ins need little), or mark claims that need real sizes "
                'needs="full"'
            )
    if error is not None:
        result.error = _format_exception(error, str(run_file))
    result.problems += _output_problems(prints, error, job, result)
    confinement.claims_running = True
    _run_claims(claims, job, result, namespace, error)
    if not job.claims or not result.claims:
        result.problems.append(
            f"no claims for {job.key}: add at least one @claim to tests/claims/{job.key}.py"
        )
    result.problems += [f"{r}; it was refused, and the run fails" for r in confinement.refusals]
    failed = [c for c in result.claims if c.outcome == "failed"]
    result.ok = not result.problems and not failed
    return result


def _exec_snippet(run_file: Path, prints: Prints) -> tuple[Any, BaseException | None]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("__main__", str(run_file))
    module = importlib.util.module_from_spec(spec)
    sys.modules["__main__"] = module
    try:
        with prints:
            spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - error snippets raise on purpose
        return module, exc
    return module, None


def _output_problems(prints: Prints, error, job: Job, result: RunResult) -> list[str]:
    """The ``#>`` lines: each block must follow a print that ran, and say what it printed
    (checked, or rewritten into ``result.updated_source`` when updating)."""
    problems = [
        f"{shown(job.snippet)}:{number}: these #> lines follow no print that ran: output "
        "lines must be what a print above them printed; remove them or fix the print"
        for number in prints.orphan_blocks()
    ]
    if error is None or prints.ran:
        new_source = prints.updated_source()
        if new_source is not None:
            if job.update_examples:
                result.updated_source = new_source
            elif job.environment == "cpu" and job.scale == "small":
                problems.append(
                    "the printed output differs from the snippet's #> lines:\n"
                    f"{prints.diff(new_source)}\nIf the new output is right, run "
                    "`make update-examples` to rewrite them."
                )
    return problems


class _capture_logs(logging.Handler):
    """Every record of the watched libraries' loggers (and the root logger), kept for the
    deprecation policy; claims read the log text."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.loggers = [logging.getLogger(name) for name in ("", *WATCHED)]
        root = logging.getLogger()
        if not root.handlers:
            # Python prints a handler-less logger's warnings to stderr through its last-resort
            # handler, which stops once this handler sits on the root logger: keep that
            # stderr line (accelerate's warnings) in the snippet's log, where claims read it.
            last_resort = logging.StreamHandler(sys.stderr)
            last_resort.setLevel(logging.WARNING)
            root.addHandler(last_resort)
        for lg in self.loggers:
            lg.addHandler(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def close(self) -> None:
        for lg in self.loggers:
            lg.removeHandler(self)
        super().close()


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
    from _pytest.assertion.rewrite import rewrite_asserts

    source = Path(path).read_text(encoding="utf-8")
    tree = ast.parse(source, filename=path)
    rewrite_asserts(tree, source.encode(), Path(path), None)
    namespace: dict[str, Any] = {"__name__": "kb_claims", "__file__": path}
    exec(compile(tree, path, "exec"), namespace)
    return namespace


def _run_claims(
    claims: list[Claim], job: Job, result: RunResult, namespace: dict, error: BaseException | None
) -> None:
    error_claimed = False
    for c in claims:
        cr = ClaimResult(name=c.name, sentence=c.sentence, needs=list(c.needs), outcome="not-run")
        result.claims.append(cr)
        missing = missing_needs(c.needs, job.environment, job.scale)
        if missing:
            cr.message = f"needs {', '.join(missing)}; this run is {job.environment}/{job.scale}"
            continue
        try:
            kwargs = {}
            for p in c.params:
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
