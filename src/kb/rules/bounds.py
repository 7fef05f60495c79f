"""The rule that a claim bounds a measured figure with a margin, not by a hair."""

from __future__ import annotations

import ast

from kb.project import Layout, shown
from kb.rules.problem import Problem
from kb.rules.sources import claims_files, parse
from kb.verify.claims import MARGIN


def claim_bounds(layout: Layout) -> list[Problem]:
    """One-sided bounds in claims (``assert ratio < 0.5``) hold by a hair as easily as by a
    mile; they must go through ``below``/``above``, which demand a margin. Two-sided ranges
    (``0.33 < ratio < 0.38``) state an expected value and are left alone."""
    problems = []
    for path in claims_files(layout):
        tree = parse(path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare)):
                continue
            test = node.test
            if len(test.ops) != 1 or not isinstance(
                test.ops[0], ast.Lt | ast.LtE | ast.Gt | ast.GtE
            ):
                continue
            sides = (test.left, test.comparators[0])
            if any(isinstance(x, ast.Constant) and isinstance(x.value, float) for x in sides):
                problems.append(
                    Problem(
                        shown(path, layout),
                        node.lineno,
                        "a one-sided bound against a fixed figure can hold by a hair; write it "
                        "as below(value, bound) or above(value, bound) from kb.claims, which fail "
                        f"unless the value is {MARGIN:.0%} inside the bound",
                    )
                )
    return problems
