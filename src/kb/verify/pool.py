"""The fork pool: each snippet in a fresh fork of the warm server, a few at a time.

Every child leads its own process group; when it finishes, fails or runs out of time the whole
group is killed, so nothing a snippet started outlives its run. The child's result comes
back as JSON on a pipe; a child that dies without one is reported with its last log lines.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kb.trees import remove_tree
from kb.verify import child as child_side
from kb.verify.results import Job, RunResult


@dataclass
class Limits:
    """What every child of a pool is held to."""

    writable: list[str] = field(default_factory=list)  # folders a snippet may write besides its own
    memory_limit_mib: int | None = None


@dataclass
class _Child:
    index: int
    job: Job
    pid: int
    fd: int
    workdir: Path
    deadline: float
    chunks: list[bytes] = field(default_factory=list)


def _start(index: int, job: Job, facts: dict, threads: int, limits: Limits) -> _Child:
    """Fork a child that runs one job with ``threads`` torch threads and writes its JSON
    result to a pipe."""
    workdir = Path(tempfile.mkdtemp(prefix="kb-run-"))
    read_fd, write_fd = os.pipe()
    log_fd = os.open(workdir / "stderr.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.setpgid(0, 0)
            os.close(read_fd)
            # stdin is the server's job stream: a snippet that prompts (trust_remote_code
            # without the flag) must meet end-of-file, as any non-interactive job, not read jobs
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.close(devnull)
            os.dup2(log_fd, 1)
            os.dup2(log_fd, 2)
            if "torch" in sys.modules:
                # children running side by side share the cores instead of each taking all
                # (oversubscribed, they run slower together than one after the other)
                sys.modules["torch"].set_num_threads(threads)
            result = child_side.run(job, workdir, limits.writable, limits.memory_limit_mib)
        except BaseException as exc:  # noqa: BLE001 - the runner itself failed
            result = RunResult(
                key=job.key, problems=[f"runner failure: {exc!r}\n" + traceback.format_exc()]
            )
        result.environment = {**facts, "device": _device()}
        with os.fdopen(write_fd, "w", encoding="utf-8") as out:
            json.dump(asdict(result), out, default=str)
        os._exit(0)
    try:
        os.setpgid(pid, pid)  # also here: the group must exist before any kill
    except OSError:
        pass
    os.close(write_fd)
    os.close(log_fd)
    return _Child(index, job, pid, read_fd, workdir, time.monotonic() + job.timeout)


def _device() -> str:
    """The GPU's name, or CPU; asked in the child, where initialising CUDA harms no one."""
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return "CPU"


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _finish(child: _Child, facts: dict, timed_out: bool) -> RunResult:
    _kill_group(child.pid)
    os.close(child.fd)
    _, status = os.waitpid(child.pid, 0)
    log = (child.workdir / "stderr.log").read_text(encoding="utf-8", errors="replace")
    # a snippet may leave read-only entries behind (it owns its folder)
    remove_tree(child.workdir, ignore_errors=True)
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
                f"{key} crashed the process running it ({_describe(status)}); "
                f"its last log lines:\n{log[-4000:]}"
            ],
            environment=facts,
        )
    try:
        return RunResult.from_json(json.loads(b"".join(child.chunks)))
    except (ValueError, TypeError) as exc:
        return RunResult(
            key=key,
            problems=[f"{key}: the process running it sent back no readable result ({exc})"],
            environment=facts,
        )


def run_many(jobs: list[Job], parallel: int, facts: dict, limits: Limits):
    """Run jobs, at most ``parallel`` at a time, each in its own fresh fork of this process;
    yield ``(index, result)`` as each finishes."""
    import select

    pending = list(enumerate(jobs))
    running: dict[int, _Child] = {}
    threads = max(1, (os.cpu_count() or 1) // max(1, parallel))
    while pending or running:
        while pending and len(running) < max(1, parallel):
            index, job = pending.pop(0)
            started = _start(index, job, facts, threads, limits)
            running[started.fd] = started
        now = time.monotonic()
        for late in [c for c in running.values() if c.deadline <= now]:
            del running[late.fd]
            yield late.index, _finish(late, facts, timed_out=True)
        if not running:
            continue
        wait = max(0.0, min(c.deadline for c in running.values()) - time.monotonic())
        ready, _, _ = select.select(list(running), [], [], wait)
        for fd in ready:
            current = running[fd]
            data = os.read(fd, 1 << 20)
            if data:
                current.chunks.append(data)
            else:
                del running[fd]
                yield current.index, _finish(current, facts, timed_out=False)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exit status {os.WEXITSTATUS(status)}"
