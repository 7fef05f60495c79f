"""The deprecation policy: a snippet shows the current API, so any deprecation fails it."""

from __future__ import annotations

import logging
import re
from pathlib import Path

#: Libraries whose deprecations fail a snippet.
WATCHED = ("transformers", "torch", "accelerate", "peft", "bitsandbytes", "trl")
LOGGED_DEPRECATION = re.compile(r"deprecat|will be removed", re.IGNORECASE)
FIX = "Update the snippet to the current API; deprecations fail here."


def origin_package(filename: str) -> str | None:
    """The watched library a warning was issued from, if any."""
    parts = Path(filename).parts
    for i, part in enumerate(parts[:-1]):
        if part in ("site-packages", "dist-packages") and parts[i + 1] in WATCHED:
            return parts[i + 1]
    return None


def deprecation_problems(warnings, records: list[logging.LogRecord], run_file: Path) -> list[str]:
    """Python warnings from the watched libraries (or attributed to the snippet's own call),
    and library log lines at WARNING or above that announce a deprecation."""
    problems = []
    for w in warnings:
        if not issubclass(w.category, (DeprecationWarning, FutureWarning)):
            continue
        origin = origin_package(w.filename)
        if origin or Path(w.filename) == run_file:
            where = origin or "the snippet's call"
            problems.append(
                f"{w.category.__name__} from {where} (line {w.lineno} of {Path(w.filename).name}):"
                f" {w.message}\n{FIX}"
            )
    for rec in records:
        msg = rec.getMessage()
        if rec.levelno >= logging.WARNING and LOGGED_DEPRECATION.search(msg):
            problems.append(f"{rec.name} logged a deprecation: {msg.strip()}\n{FIX}")
    return problems
