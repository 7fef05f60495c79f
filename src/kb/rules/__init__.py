"""The project rules: what pages, snippets and claims must respect, run by the build and the tests.

``check(layout)`` runs every rule of ``RULES`` and returns the problems; ``report(problems)`` is
the text a failed build shows. Each rule lives in a module named for what it checks."""

from kb.rules.problem import Problem, Rule
from kb.rules.registry import BY_ID, RULES, check, report

__all__ = ["BY_ID", "RULES", "Problem", "Rule", "check", "report"]
