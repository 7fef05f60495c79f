"""Claims: one human sentence each, asserted on the objects a snippet leaves behind.

A claims file mirrors its snippet: ``snippets/<area>/<name>.py`` is checked by
``tests/claims/<area>/<name>.py``. Each claim is a function decorated with :func:`claim`;
its parameters are looked up by name in the snippet's module namespace, with three
special names:

``error``   the exception the snippet raised (the snippet must raise when a claim asks for it)
``output``  the text the snippet printed
``log``     what the libraries logged to stderr while the snippet ran

A claim may return a short string of evidence (a measured figure); it is kept in the
verification record and shown on the page.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb.project import shown

#: Where a claim can run: ``gpu`` needs a CUDA device, ``cpu`` a machine without one (what
#: holds only there, such as placement on the CPU), ``full`` the full-size stand-ins.
KNOWN_NEEDS = frozenset({"gpu", "cpu", "full"})
SPECIAL_PARAMS = frozenset({"error", "output", "log"})


class ClaimsFileError(ValueError):
    """A claims file that cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class ClaimInfo:
    """What the site and the test collector need to know of a claim, read without running it."""

    name: str
    sentence: str
    needs: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    line: int = 0

    @property
    def wants_error(self) -> bool:
        return "error" in self.params


@dataclass(frozen=True)
class Claim:
    """A claim as registered at run time by :func:`claim`: its name and parameters are read
    when the claims file is imported, before the snippet runs."""

    func: Callable
    sentence: str
    needs: tuple[str, ...] = field(default_factory=tuple)
    name: str = ""
    params: tuple[str, ...] = ()


def _check(sentence: object, needs: tuple[str, ...], where: str) -> None:
    if not isinstance(sentence, str) or not sentence.strip():
        raise ClaimsFileError(f"{where}: a claim needs one human sentence as its first argument")
    unknown = set(needs) - KNOWN_NEEDS
    if unknown:
        raise ClaimsFileError(
            f"{where}: unknown needs {sorted(unknown)}; use any of {sorted(KNOWN_NEEDS)}"
        )


def claim(sentence: str, *, needs: str | tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    """Mark a function as a claim about its snippet.

    ``needs`` names what the claim must run on: ``"gpu"``, ``"cpu"`` (no GPU), ``"full"``
    (full-size stand-ins), or several as a tuple. Claims without needs run everywhere.
    """
    needs_t = (needs,) if isinstance(needs, str) else tuple(needs)

    def mark(func: Callable) -> Callable:
        _check(sentence, needs_t, f"claim {func.__name__}")
        code = func.__code__
        func.__kb_claim__ = Claim(
            func=func,
            sentence=" ".join(sentence.split()),
            needs=needs_t,
            name=func.__name__,
            params=code.co_varnames[: code.co_argcount],
        )
        return func

    return mark


#: How far inside its bound a one-sided figure must be: a claim that holds by a hair (48 %
#: against "less than half") breaks on the next library release and says little.
MARGIN = 0.1


def below(value: float, bound: float, margin: float = MARGIN) -> float:
    """Assert that ``value`` is below ``bound`` by at least ``margin`` of it; return the value."""
    assert value <= bound * (1 - margin), (
        f"{value:g} is not below {bound:g} with a {margin:.0%} margin (at most {bound * (1 - margin):g})"
    )
    return value


def above(value: float, bound: float, margin: float = MARGIN) -> float:
    """Assert that ``value`` is above ``bound`` by at least ``margin`` of it; return the value."""
    assert value >= bound * (1 + margin), (
        f"{value:g} is not above {bound:g} with a {margin:.0%} margin (at least {bound * (1 + margin):g})"
    )
    return value


@contextlib.contextmanager
def log_records(logger_name: str = "") -> Iterator[list[logging.LogRecord]]:
    """The records a library logger (and those below it) receives inside the block: for a
    claim that does more than the snippet and asserts what that logs, and at which level."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LOAD_REPORT = re.compile(r"^\[transformers\] (\w+) LOAD REPORT from: (\S+)$")


def load_reports(log: str) -> list[tuple[str, str, dict[str, str]]]:
    """Each LOAD REPORT transformers logged (the table of weights it did not load as saved),
    in order: (model class, where it loaded from, {weight name: status})."""
    lines = _ANSI.sub("", log).splitlines()
    reports = []
    for i, line in enumerate(lines):
        match = _LOAD_REPORT.match(line)
        if not match:
            continue
        rows = {}
        for row in lines[i + 3 :]:  # below the header, the column names and the rule
            if not row.strip():
                break
            key, status = (cell.strip() for cell in row.split("|")[:2])
            rows[key] = status
        reports.append((match.group(1), match.group(2), rows))
    return reports


def missing_needs(needs, environment: str, scale: str) -> list[str]:
    """The needs of a claim that a run in ``environment`` (cpu|gpu) at ``scale`` lacks."""
    have = {environment, "full"} if scale == "full" else {environment}
    return [n for n in needs if n not in have]


def collect(namespace: dict) -> list[Claim]:
    """The claims defined in an imported claims module, in source order."""
    return [v.__kb_claim__ for v in namespace.values() if hasattr(v, "__kb_claim__")]


def read_claims(path: Path) -> list[ClaimInfo]:
    """List the claims of a claims file by reading its source (nothing is imported or run)."""
    tree = _parse(path)
    found: list[ClaimInfo] = []
    names: set[str] = set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if not (
                isinstance(deco, ast.Call)
                and isinstance(deco.func, ast.Name)
                and deco.func.id == "claim"
            ):
                continue
            where = f"{shown(path)}:{node.lineno}"
            if not deco.args or not isinstance(deco.args[0], ast.Constant):
                raise ClaimsFileError(f"{where}: write the claim's sentence as a plain string")
            sentence = deco.args[0].value
            needs: tuple[str, ...] = ()
            for kw in deco.keywords:
                if kw.arg != "needs":
                    raise ClaimsFileError(f"{where}: claim() takes only needs=, not {kw.arg}=")
                try:
                    value = ast.literal_eval(kw.value)
                except ValueError:
                    raise ClaimsFileError(
                        f"{where}: write needs= as a plain string or tuple of strings"
                    ) from None
                needs = (value,) if isinstance(value, str) else tuple(value)
            _check(sentence, needs, where)
            if node.name in names:
                raise ClaimsFileError(f"{where}: a second claim named {node.name}; rename one")
            names.add(node.name)
            params = tuple(a.arg for a in node.args.args)
            found.append(
                ClaimInfo(
                    name=node.name,
                    sentence=" ".join(sentence.split()),
                    needs=needs,
                    params=params,
                    line=node.lineno,
                )
            )
    return found


#: The longest a snippet may ask to run (``TIMEOUT`` in its claims file), in seconds.
MAX_TIMEOUT = 900


def read_timeout(path: Path, default: float) -> float:
    """A claims file may set ``TIMEOUT = <seconds>`` (a number from 1 to MAX_TIMEOUT)."""
    tree = _parse(path)
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "TIMEOUT"
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                value = None
            if (
                not isinstance(value, int | float)
                or isinstance(value, bool)
                or not 1 <= value <= MAX_TIMEOUT
            ):
                raise ClaimsFileError(
                    f"{shown(path)}:{node.lineno}: TIMEOUT must be a number of seconds from 1 to "
                    f"{MAX_TIMEOUT}; write e.g. TIMEOUT = 300"
                )
            return float(value)
    return default


def _parse(path: Path) -> ast.Module:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except UnicodeDecodeError:
        raise ClaimsFileError(f"{shown(path)}: not UTF-8; save it as UTF-8") from None
    except SyntaxError as exc:
        raise ClaimsFileError(f"{shown(path)}:{exc.lineno}: not valid Python: {exc.msg}") from None
