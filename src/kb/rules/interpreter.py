"""The rules that snippets and claims files stay out of the interpreter, the process and the
project's own code.

A snippet runs in the same process as the claims that check it: one that imports the claim
machinery, rewrites functions through ``gc``, frames or ``__code__``, exits the process, or
writes to the descriptors the results travel on could make false claims pass. Snippets are
loading examples and need none of it. Claims files are tests and need more (``sys.modules`` to
read what was imported, ``subprocess`` for the command-line tools, ``builtins.input`` to answer
a prompt), so their policy is narrower: no tricks on the interpreter, the process or the
project's modules beyond ``kb.claims`` and ``kb.standin``.

This is a static check of what a file writes down, run by the build and the tests: it refuses
the known routes with a message, it is not a sandbox."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from kb.project import Layout, shown
from kb.rules.problem import Problem
from kb.rules.reach import Reach, reaches
from kb.rules.sources import claims_files, parse, snippet_files

ALLOW = "allow"
WHY = {
    "project": "may not reach the project's own code (it runs their verification)",
    "interpreter": "may not reach into the interpreter (it could fake its own verification)",
    "process": (
        "may not end, fork or signal the process or start others (their verification runs in it)"
    ),
    "descriptors": (
        "may not touch raw file descriptors or the process's memory (the verification's "
        "results travel through them)"
    ),
    "dynamic": "may not run code or reach names made at run time (nothing could check them)",
    "patch": "may not change modules (that could change what their verification runs)",
    "network": "run offline: they may not open network connections",
    "lying": (
        "may not define how their objects compare or answer (an object equal to anything "
        "makes any claim pass)"
    ),
}

_OS_PROCESS = (
    "_exit abort fork forkpty register_at_fork kill killpg system popen setsid setpgid setpgrp "
    "execl execle execlp execlpe execv execve execvp execvpe spawnl spawnle spawnlp spawnlpe "
    "spawnv spawnve spawnvp spawnvpe posix_spawn posix_spawnp"
).split()
_OS_DESCRIPTORS = (
    "write writev pwrite pwritev sendfile read readv pread dup dup2 open openpty fdopen close "
    "closerange pipe pipe2"
).split()
#: What both kinds of file may not reach, by dotted prefix (the longest entry that is a prefix
#: of a name decides; ``allow`` entries open a part of a refused module).
COMMON = {
    "tests": "project",
    "conftest": "project",
    "ctypes": "interpreter",
    "_ctypes": "interpreter",
    "cffi": "interpreter",
    "atexit": "interpreter",
    "marshal": "interpreter",
    "code": "interpreter",
    "codeop": "interpreter",
    "runpy": "interpreter",
    "pdb": "interpreter",
    "bdb": "interpreter",
    "trace": "interpreter",
    "pkgutil": "interpreter",
    "zipimport": "interpreter",
    "_thread": "interpreter",
    "threading": "interpreter",
    "__main__": "interpreter",
    "gc": "interpreter",
    "gc.collect": ALLOW,  # the memory pages free a model and collect: that is their point
    "posix": "process",
    "nt": "process",
    "_posixsubprocess": "process",
    "signal": "process",
    "multiprocessing": "process",
    "concurrent.futures.process": "process",
    "concurrent.futures.ProcessPoolExecutor": "process",
    "pty": "process",
    "resource": "process",
    "sys._getframe": "interpreter",
    "sys._current_frames": "interpreter",
    "sys.settrace": "interpreter",
    "sys.setprofile": "interpreter",
    "sys.addaudithook": "interpreter",
    "sys.meta_path": "interpreter",
    "sys.path_hooks": "interpreter",
    "sys.path_importer_cache": "interpreter",
    # reading sys.modules is allowed to claims (what did loading import?); changing it is not
    "sys.modules.pop": "interpreter",
    "sys.modules.update": "interpreter",
    "sys.modules.setdefault": "interpreter",
    "sys.modules.clear": "interpreter",
    "sys.modules.popitem": "interpreter",
    "sys.exit": "process",
    "inspect.currentframe": "interpreter",
    "inspect.stack": "interpreter",
    "inspect.trace": "interpreter",
    "inspect.getouterframes": "interpreter",
    "inspect.getinnerframes": "interpreter",
    "io.open": "descriptors",
    "io.FileIO": "descriptors",
    "io.open_code": "descriptors",
    "_io": "descriptors",
    "fcntl": "descriptors",
    "mmap": "descriptors",
    "select": "descriptors",
    "selectors": "descriptors",
    "socket": "network",
    "ssl": "network",
    "http.client": "network",
    "urllib.request": "network",
    **{f"os.{name}": "process" for name in _OS_PROCESS},
    **{f"os.{name}": "descriptors" for name in _OS_DESCRIPTORS},
}

SNIPPET_NAMES = {
    **COMMON,
    "kb": "project",
    "sys": "interpreter",
    # what a loading example may print about the interpreter; nothing in snippets/ uses more
    "sys.version": ALLOW,
    "sys.version_info": ALLOW,
    "sys.platform": ALLOW,
    "inspect": "interpreter",
    "importlib": "interpreter",
    # the installed version of a library is a loading example's business; the rest of
    # importlib.metadata (entry_points().load(), files) imports or reads code
    "importlib.metadata.version": ALLOW,
    "importlib.metadata.PackageNotFoundError": ALLOW,
    "builtins": "interpreter",
    "__builtin__": "interpreter",
    "types": "interpreter",
    "copyreg": "interpreter",
    "unittest": "interpreter",
    "pytest": "interpreter",
    "_pytest": "interpreter",
    "site": "interpreter",
    "subprocess": "process",
    "asyncio": "process",
    "pickle.load": "dynamic",  # unpickling bytes the snippet wrote can call any function
    "pickle.loads": "dynamic",
    "pickle.Unpickler": "dynamic",
}

CLAIMS_NAMES = {
    **COMMON,
    "kb": "project",
    "kb.claims": ALLOW,  # what a claims file is written with
    "kb.standin": ALLOW,  # the stand-in registry, to name the checkpoints a claim expects
    "importlib": "interpreter",
    "importlib.util.find_spec": ALLOW,  # to assert that an optional package is absent
    "importlib.metadata": ALLOW,  # installed versions and console scripts
}

#: Module attributes a claims file may not assign or delete (a snippet may assign none).
CLAIMS_STORES = {
    "kb": "project",
    "sys": "interpreter",
    "builtins": "interpreter",
    "builtins.input": ALLOW,  # answering trust_remote_code's prompt, put back afterwards
    "gc": "interpreter",
    "importlib": "interpreter",
    "inspect": "interpreter",
    "pytest": "interpreter",
    "_pytest": "interpreter",
    "os": "process",
    "os.environ.[]": ALLOW,
}

#: Attribute names that lead into the interpreter whatever they are read from.
INTERPRETER_ATTRIBUTES = frozenset(
    "__code__ __globals__ __builtins__ __subclasses__ __closure__ __defaults__ __kwdefaults__ "
    "__dict__ __setattr__ __delattr__ __getattribute__ __bases__ __mro__ __loader__ __spec__ "
    "f_back f_locals f_globals f_builtins f_code f_trace tb_frame gi_frame cr_frame ag_frame "
    "gi_code cr_code ag_code co_code co_consts _getframe _current_frames settrace setprofile "
    "currentframe getouterframes getinnerframes get_objects get_referrers get_referents".split()
)
PROCESS_ATTRIBUTES = frozenset(
    "_exit forkpty register_at_fork dup2 fdopen closerange killpg _posixsubprocess".split()
)
#: The dunder attributes a snippet may read (the rest lead into the interpreter).
SNIPPET_DUNDERS = frozenset(
    "__name__ __qualname__ __module__ __doc__ __version__ __class__ __file__ __cause__ "
    "__context__ __traceback__".split()
)
INTERPRETER_BUILTINS = frozenset(
    "exec eval compile __import__ globals locals breakpoint __builtins__ __loader__ __spec__".split()
)
#: vars() of an object is how a claim sees its instance attributes; a snippet has no need of it
#: (writing through vars() of a module is caught as a change of the module).
STRICT_BUILTINS = frozenset({"vars"})
#: Methods that decide what a claim's comparison, truth test or attribute read answers.
LYING_METHODS = frozenset(
    "__eq__ __ne__ __lt__ __le__ __gt__ __ge__ __bool__ __len__ __contains__ __hash__ "
    "__instancecheck__ __subclasscheck__ __getattr__ __getattribute__ __class_getitem__".split()
)
PROCESS_BUILTINS = frozenset({"exit", "quit", "SystemExit"})
PROJECT_STRING = re.compile(r"^(kb|conftest)([.:]|$)|^tests\.")
#: Files that are the process's memory or descriptors (/proc/self/status, the memory figures,
#: is a claim's business; /proc/self/mem is not anyone's).
MEMORY_PATHS = re.compile(r"/proc/[^/]+/(mem|fd|task)|/dev/(fd|mem|kmem|stdout|stderr|tty)")


@dataclass(frozen=True)
class Policy:
    subject: str  # how a message names the file's kind
    names: dict[str, str]
    stores: dict[str, str] | None  # None: no module attribute may be assigned
    strict: (
        bool  # snippets: dunders allow-listed, computed attribute names and code strings refused
    )


SNIPPETS = Policy("snippets are loading examples and", SNIPPET_NAMES, None, strict=True)
CLAIMS = Policy(
    "claims assert on what their snippet left behind and", CLAIMS_NAMES, CLAIMS_STORES, False
)


def verdict(name: str, table: dict[str, str]) -> str | None:
    """The entry of the longest dotted prefix of ``name`` in ``table``."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        found = table.get(".".join(parts[:n]))
        if found:
            return found
    return None


def _shown(name: str) -> str:
    return name.replace(".[]", "[...]")


def judge(reach: Reach, policy: Policy) -> list[tuple[str, str]]:
    """(what was found, why it is refused) for one thing a file reaches; empty when allowed."""
    kind, name = reach.kind, reach.name
    if kind == "import":
        why = verdict(name, policy.names)
        opened = any(k.startswith(name + ".") for k, v in policy.names.items() if v == ALLOW)
        return [(f"imports {name}", why)] if why not in (None, ALLOW) and not opened else []
    if kind == "use":
        why = verdict(name, policy.names)
        return [(f"uses {_shown(name)}", why)] if why not in (None, ALLOW) else []
    if kind == "store":
        why = "patch" if policy.stores is None else verdict(name, policy.stores)
        if name.startswith("os.environ.") and policy.stores is None:
            why = None  # setting an environment variable is part of loading (HF_TOKEN)
        return [(f"changes {_shown(name)}", why)] if why not in (None, ALLOW) else []
    if kind == "attribute":
        if name in INTERPRETER_ATTRIBUTES:
            return [(f"uses the attribute {name}", "interpreter")]
        if name in PROCESS_ATTRIBUTES:
            return [(f"uses the attribute {name}", "process")]
        if policy.strict and name.startswith("__") and name not in SNIPPET_DUNDERS:
            return [(f"uses the attribute {name}", "interpreter")]
        return []
    if kind == "builtin":
        if name in INTERPRETER_BUILTINS:
            return [
                (
                    f"uses {name}",
                    "dynamic" if name in ("exec", "eval", "compile") else "interpreter",
                )
            ]
        if name in PROCESS_BUILTINS and policy.strict:
            return [(f"uses {name}", "process")]
        if name in STRICT_BUILTINS and policy.strict:
            return [(f"uses {name}", "interpreter")]
        return []
    if kind == "string":
        if name in INTERPRETER_ATTRIBUTES:
            return [(f"names {name!r} in a string", "interpreter")]
        if PROJECT_STRING.match(name):
            return [(f"names {name!r} in a string", "project")]
        if MEMORY_PATHS.search(name):
            return [(f"names {name!r} in a string", "descriptors")]
        return []
    if kind == "computed-attribute":
        if policy.strict or name in ("setattr", "delattr"):
            return [(f"calls {name}() with a name computed at run time", "dynamic")]
        return []
    if kind == "fd-open":
        return [(f"opens file descriptor {name}", "descriptors")]
    if kind == "method":
        if policy.strict and name in LYING_METHODS:
            return [(f"defines {name}", "lying")]
        return []
    if kind == "relative-import":
        return [(f"a relative import (from {name} import ...)", "project")]
    if kind == "code-string":
        if policy.strict:
            return [("runs code from a string", "dynamic")]
        try:
            inner = ast.parse(name)
        except SyntaxError:
            return [("runs a string that is not valid Python", "dynamic")]
        return [found for r in reaches(inner) for found in judge(r, policy)]
    return []


def problems_of(path: Path, layout: Layout, policy: Policy) -> list[Problem]:
    tree = parse(path)
    if tree is None:
        return []  # valid-python reports it
    rel = shown(path, layout)
    found: dict[int, dict[str, str]] = {}  # line -> what -> why
    for reach in reaches(tree):
        for what, why in judge(reach, policy):
            found.setdefault(reach.line, {}).setdefault(what, why)
    problems = []
    for line, whats in sorted(found.items()):
        for what, why in whats.items():
            attribute = what.removeprefix("uses the attribute ")
            if attribute != what and any(f".{attribute}" in w for w in whats if w != what):
                continue  # "uses os._exit" says it already
            problems.append(Problem(rel, line, f"{what} — {policy.subject} {WHY[why]}"))
    return problems


def snippets_stay_out(layout: Layout) -> list[Problem]:
    return [p for path in snippet_files(layout) for p in problems_of(path, layout, SNIPPETS)]


def claims_stay_out(layout: Layout) -> list[Problem]:
    return [p for path in claims_files(layout) for p in problems_of(path, layout, CLAIMS)]
