"""The rule that snippets use transformers 5's current loading API, checked without running."""

from __future__ import annotations

import ast

from kb.project import Layout, find_snippets
from kb.rules.problem import Problem
from kb.rules.sources import parse

#: Keyword arguments transformers 5 deprecated or removed, and what to write instead (None:
#: removed from from_pretrained only; the advice is written where it is found).
REPLACED = {
    "torch_dtype": "pass dtype= instead (torch_dtype is deprecated in transformers 5)",
    "load_in_4bit": None,
    "load_in_8bit": None,
    "low_cpu_mem_usage": "drop it: transformers 5 ignores it (loading always starts on meta)",
}


def current_api(layout: Layout) -> list[Problem]:
    problems = []
    for s in find_snippets(layout):
        tree = parse(s.path)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            for kw in node.keywords:
                if kw.arg not in REPLACED:
                    continue
                advice = REPLACED[kw.arg]
                if advice is None:
                    if fname != "from_pretrained" or s.key.startswith("errors/"):
                        continue  # only from_pretrained lost it; error snippets reproduce it
                    advice = (
                        "pass quantization_config=BitsAndBytesConfig("
                        f"{kw.arg}=True, ...) instead (a TypeError in transformers 5)"
                    )
                problems.append(Problem(f"snippets/{s.key}.py", kw.lineno, f"{kw.arg}= — {advice}"))
    return problems
