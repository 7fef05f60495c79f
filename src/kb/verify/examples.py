"""The one place that speaks to pytest-examples: the prints of a snippet run, and its ``#>``
output lines checked against them (or rewritten from them).

pytest-examples documents its pytest fixture; the runner drives the same machinery without
pytest, so the few names it needs are imported here and nowhere else.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pytest_examples import CodeExample
from pytest_examples.config import ExamplesConfig
from pytest_examples.lint import code_diff
from pytest_examples.run_code import (
    Arg,
    InsertPrintStatements,
    MockPrintFunction,
    PrintStatement,
    find_print_location,
)

CONFIG = ExamplesConfig()


class _SnippetPrints(MockPrintFunction):
    """pytest-examples' print recorder, without its ``inspect.stack()``.

    That call reads the source lines of every frame on every ``print``; a library that prints
    into a buffer thousands of times (dill disassembling functions while datasets fingerprints
    them) made one run a hundred times slower. Like the original, it records only the prints
    the snippet itself makes, at the line it makes them."""

    __slots__ = ()

    def __call__(self, *args, sep: str = " ", **kwargs) -> None:
        # frames 1 to 3 are Mock's (_execute_mock_call, _mock_call, __call__): 4 called print
        caller = sys._getframe(4)
        filename = caller.f_code.co_filename
        if Path(filename).name == self.file.name and self.file.samefile(filename):
            self.statements.append(PrintStatement(caller.f_lineno, sep, [Arg(a) for a in args]))


class Prints:
    """Records what ``print`` is called with while the snippet runs (as a context manager),
    and where in the source each call is."""

    def __init__(self, source: str, snippet: Path, run_file: Path) -> None:
        self.example = CodeExample.create(source, path=snippet)
        self._insert = InsertPrintStatements(run_file, CONFIG, True, None, None)
        self._insert.print_func = _SnippetPrints(run_file, None)

    def __enter__(self) -> Prints:
        self._insert.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._insert.__exit__(*exc)

    @property
    def ran(self) -> bool:
        return bool(self._insert.print_statements())

    def output(self) -> str:
        return "\n".join(str(s) for s in self._insert.print_statements())

    def orphan_blocks(self) -> list[int]:
        """The first line of each block of ``#>`` lines that follows no print that ran: such
        lines would be shown as output that no run produced."""
        after = {
            find_print_location(self.example, s.line_no)[0] for s in self._insert.print_statements()
        }
        lines = self.example.source.splitlines()
        return [
            number
            for number, line in enumerate(lines, start=1)
            if line.lstrip().startswith("#>")
            and (number == 1 or not lines[number - 2].lstrip().startswith("#>"))
            and number - 1 not in after
        ]

    def updated_source(self) -> str | None:
        """The source with its ``#>`` lines rewritten from what was printed; None if they
        already say exactly that."""
        return self._insert.updated_print_statements(self.example)

    def diff(self, new_source: str) -> str:
        return code_diff(self.example, new_source, CONFIG)
