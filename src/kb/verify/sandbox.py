"""What a snippet may touch, enforced in the child before any of its code runs.

A snippet is a loading example from a stranger's pull request. It runs offline, in a
temporary folder that is its home and its working directory, with an allow-listed
environment (no tokens), under a memory limit. An audit hook (which no Python code can
remove once installed) refuses sockets, new processes, signals to other processes and writes
outside the snippet's own folders, and remembers every refusal: a snippet that catches the
error still fails, with the refusal named.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

#: Variables the runner passes on from its own environment; everything else (tokens,
#: credentials, CI secrets) stays out of the snippet's reach.
ALLOWED_ENV = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "VIRTUAL_ENV",
    "CUDA_VISIBLE_DEVICES",
    "CUDA_HOME",
    "LD_LIBRARY_PATH",
    "NVIDIA_VISIBLE_DEVICES",
    "NVIDIA_DRIVER_CAPABILITIES",
)
#: Set by the runner for every snippet.
FIXED_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
    # set iteration order is part of some library messages ("cpu and disk"): keep it fixed
    "PYTHONHASHSEED": "0",
}
#: Address space a CPU snippet may map. Small stand-ins need a few GiB (torch alone maps
#: about one); a snippet over this fails instead of taking the machine down.
DEFAULT_MEMORY_LIMIT_MIB = 16 * 1024

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
#: audit events that change the file system, and the positions of the paths they name
_PATH_EVENTS = {
    "os.remove": (0,),
    "os.rename": (0, 1),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.symlink": (1,),
    "os.link": (1,),
    "os.truncate": (0,),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
    "shutil.copyfile": (1,),
    "shutil.copytree": (1,),
    "shutil.move": (1,),
}
_PROCESS_EVENTS = {
    "subprocess.Popen": "start a process",
    "os.system": "start a process",
    "os.exec": "replace its process",
    "os.posix_spawn": "start a process",
    "os.spawn": "start a process",
    "os.fork": "fork its process",
    "os.forkpty": "fork its process",
    "os.kill": "send a signal",
    "os.killpg": "send a signal",
    "pty.spawn": "start a process",
}


def child_environment(base: dict[str, str], hf_home: str | None) -> dict[str, str]:
    """The runner's environment: the allow-listed variables of ``base`` and the fixed ones."""
    env = {k: v for k, v in base.items() if k in ALLOWED_ENV}
    env.update(FIXED_ENV)
    if hf_home:
        env["HF_HOME"] = hf_home
    return env


class Confinement:
    """The refusals recorded so far, and the switch to the claims' phase: claims are the
    project's reviewed tests and may start a process (a fresh interpreter, to show what
    happens at import); the snippet may not. Sockets and writes stay refused throughout."""

    def __init__(self) -> None:
        self.refusals: list[str] = []
        self.claims_running = False


def enter(workdir: Path, writable: list[str], memory_limit_mib: int | None) -> Confinement:
    """Confine this (child) process from now on."""
    home = workdir / "home"
    tmp = workdir / "tmp"
    home.mkdir()
    tmp.mkdir()
    os.environ.update(HOME=str(home), TMPDIR=str(tmp), XDG_CACHE_HOME=str(home / ".cache"))
    import tempfile

    tempfile.tempdir = None  # tempfile caches the folder it chose in the server: choose again
    os.chdir(workdir)
    if memory_limit_mib:
        limit = memory_limit_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    roots = [os.path.realpath(workdir), *(os.path.realpath(w) for w in writable), "/dev/null"]
    sys.dont_write_bytecode = True  # modules imported from here on are not cached as .pyc
    confinement = Confinement()
    sys.addaudithook(_hook(roots, confinement))
    return confinement


def _inside(path, roots: list[str]) -> bool:
    if isinstance(path, int):  # an already-open descriptor (stdout, a pipe)
        return True
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    real = os.path.realpath(os.fspath(path))
    return any(real == r or real.startswith(r.rstrip("/") + "/") for r in roots)


def _hook(roots: list[str], confinement: Confinement):
    def refuse(what: str) -> None:
        who = "its claims" if confinement.claims_running else "the snippet"
        message = f"{who} may not {what}"
        confinement.refusals.append(message)
        raise PermissionError(
            f"{message}: snippets run offline, in their own temporary folder, in one process"
        )

    def hook(event: str, args: tuple) -> None:
        if event.startswith("socket."):
            refuse(f"use the network ({event})")
        elif event in _PROCESS_EVENTS and not confinement.claims_running:
            refuse(f"{_PROCESS_EVENTS[event]} ({event})")
        elif event == "open":
            path, mode, flags = args
            writing = (flags or 0) & _WRITE_FLAGS or (mode and any(c in mode for c in "wax+"))
            if writing and not _inside(path, roots):
                refuse(f"write {path} (outside its temporary folder)")
        elif event in _PATH_EVENTS:
            for i in _PATH_EVENTS[event]:
                if i < len(args) and args[i] is not None and not _inside(args[i], roots):
                    refuse(f"change {args[i]} ({event}; outside its temporary folder)")

    return hook
