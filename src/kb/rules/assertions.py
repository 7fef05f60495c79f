"""The rule that every claim asserts something: a claim whose body checks nothing passes
whatever the snippet did."""

from __future__ import annotations

import ast

from kb.project import Layout, shown
from kb.rules.problem import Problem
from kb.rules.sources import claims_files, parse

#: Context managers that fail unless their block raises or warns.
EXPECTING = {"raises", "warns", "deprecated_call"}
#: kb.claims helpers that assert a bound.
ASSERTING = {"below", "above"}
FUNCTIONS = ast.FunctionDef | ast.AsyncFunctionDef


def _imported_from(tree: ast.Module, modules: set[str]) -> dict[str, str]:
    """Local name -> imported name, for names imported from ``modules`` (and the modules)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in modules:
            for alias in node.names:
                names[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    names[alias.asname or alias.name] = alias.name
    return names


def is_claim(node: ast.AST) -> bool:
    """Decorated with ``@claim(...)``, as read_claims finds claims."""
    return isinstance(node, FUNCTIONS) and any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id == "claim"
        for d in node.decorator_list
    )


class _Body:
    """Whether a function's own body asserts, following calls of functions the file defines
    (nested or at the top) but not entering a nested function that is never called."""

    def __init__(self, tree: ast.Module):
        self.top = {n.name: n for n in tree.body if isinstance(n, FUNCTIONS)}
        imported = _imported_from(tree, {"pytest", "kb.claims", "kb.verify.claims"})
        self.pytest = {k for k, v in imported.items() if v == "pytest"}
        self.expecting = {k for k, v in imported.items() if v in EXPECTING}
        self.asserting = {k for k, v in imported.items() if v in ASSERTING}

    def _is_expecting(self, expr: ast.AST) -> bool:
        if not isinstance(expr, ast.Call):
            return False
        f = expr.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            return f.value.id in self.pytest and f.attr in EXPECTING
        return isinstance(f, ast.Name) and f.id in self.expecting

    def _own_nodes(self, func: ast.AST):
        """The nodes of a function's body, not those of functions or classes defined in it."""
        todo = list(ast.iter_child_nodes(func))
        while todo:
            node = todo.pop()
            if isinstance(node, FUNCTIONS | ast.ClassDef | ast.Lambda):
                continue
            yield node
            todo.extend(ast.iter_child_nodes(node))

    def asserts(self, func: ast.AST, seen: set[int] | None = None) -> bool:
        seen = set() if seen is None else seen
        if id(func) in seen:
            return False
        seen.add(id(func))
        local = {n.name: n for n in ast.iter_child_nodes(func) if isinstance(n, FUNCTIONS)}
        for node in self._own_nodes(func):
            if isinstance(node, ast.Assert) and not isinstance(node.test, ast.Constant):
                return True  # `assert True` asserts nothing
            if self._is_expecting(node):  # with pytest.raises(...): or pytest.raises(E, f)
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
                if name in self.asserting:
                    return True
                called = local.get(name) or self.top.get(name)
                if called is not None and not is_claim(called) and self.asserts(called, seen):
                    return True
        return False


def claims_assert(layout: Layout) -> list[Problem]:
    problems = []
    for path in claims_files(layout):
        tree = parse(path)
        if tree is None:
            continue
        body = _Body(tree)
        for node in tree.body:
            if is_claim(node) and not body.asserts(node):
                problems.append(
                    Problem(
                        shown(path, layout),
                        node.lineno,
                        f"claim {node.name} asserts nothing, so it passes whatever the snippet "
                        "did: assert on what the snippet left behind (an assert statement, "
                        "pytest.raises or pytest.warns, or below()/above() from kb.claims) in "
                        "the claim's own body or in a function it calls",
                    )
                )
    return problems
