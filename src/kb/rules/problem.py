"""What a rule reports, and the rule itself: an id, one line on what it keeps true, what it
reads, and the function that finds the problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from kb.project import Layout

Scope = Literal["pages", "snippets", "claims", "project"]


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule: the file (relative to the project root), the line when there is one,
    and what is wrong and what to do."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Rule:
    """A project rule. ``in_build`` is false only for a rule whose breach leaves the built site
    correct (the tests still run it)."""

    id: str
    description: str
    scope: Scope
    check: Callable[[Layout], list[Problem]]
    in_build: bool = True
