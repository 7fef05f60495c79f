"""The project's rules (kb.rules), checked on the real tree rule by rule, and each rule shown to
fail on a broken one."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb import rules
from kb.project import ROOT, Layout, find_snippets
from kb.rules import includes, page_text, sections


@pytest.mark.parametrize("rule", rules.RULES, ids=lambda r: r.id)
def test_the_project_keeps_the_rule(rule, layout):
    problems = rule.check(layout)
    assert not problems, "\n".join(map(str, problems))


def test_rules_are_named_and_described():
    ids = [r.id for r in rules.RULES]
    assert len(ids) == len(set(ids))
    for rule in rules.RULES:
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", rule.id), rule.id
        assert rule.description.endswith(".") and "\n" not in rule.description
        assert rule.scope in ("pages", "snippets", "claims", "project")


def test_there_are_snippets_and_pages(layout):
    assert len(find_snippets(layout)) >= 5
    assert len([p for p in includes.pages(layout) if p.parent != layout.docs]) >= 5


def test_a_problem_names_file_and_line():
    assert str(rules.Problem("docs/a.md", 3, "boom")) == "docs/a.md:3: boom"
    assert str(rules.Problem("docs/a.md", None, "boom")) == "docs/a.md: boom"


def test_the_build_report_lists_fifty_and_counts_the_rest():
    problems = [rules.Problem(f"snippets/a/s{i}.py", i, "bad") for i in range(1, 53)]
    text = rules.report(problems)
    assert "snippets/a/s50.py:50: bad" in text and "s51.py" not in text
    assert text.splitlines()[-1] == "and 2 more"
    assert text.startswith("52 problem(s)")


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--no-cache", "."],
        ["format", "--check", "--no-cache", "src", "tests", "benchmarks"],
    ],
    ids=["lint", "format"],
)
def test_code_passes_ruff(command):
    ruff = Path(sys.executable).with_name("ruff")
    res = subprocess.run([str(ruff), *command], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr + "\nFix with `make format`."


# ---------------------------------------------------------------- the checks fail when they should


@pytest.fixture
def tree(tmp_path) -> Layout:
    """A small project: one snippet with a claim, shown on one page."""
    layout = Layout(tmp_path)
    (tmp_path / "snippets/area").mkdir(parents=True)
    (tmp_path / "tests/claims/area").mkdir(parents=True)
    (tmp_path / "docs/workflow").mkdir(parents=True)
    (tmp_path / "snippets/area/demo.py").write_text(
        "from transformers import AutoModelForCausalLM\n\n"
        "model = AutoModelForCausalLM.from_pretrained('gpt2', dtype='auto')\n"
    )
    (tmp_path / "tests/claims/area/demo.py").write_text(
        "from kb.claims import claim\n\n\n@claim('It loads.')\ndef loads(model):\n"
        "    assert model is not None\n"
    )
    (tmp_path / "docs/workflow/demo.md").write_text("# Demo\n\n{{ snippet('area/demo') }}\n")
    return layout


def all_problems(layout: Layout) -> list[str]:
    return [str(p) for p in rules.check(layout)]


def test_the_small_tree_is_clean(tree):
    assert all_problems(tree) == []


def test_inline_python_block_is_refused(tree):
    page = tree.docs / "workflow/demo.md"
    page.write_text(page.read_text() + "\n```python\nimport torch\n```\n")
    (problem,) = all_problems(tree)
    assert problem.startswith("docs/workflow/demo.md:5: an inline Python code block")
    assert "snippets/<area>/<name>.py" in problem and "{{ snippet(" in problem


@pytest.mark.parametrize("fence", ["```py", "~~~python", "``` { .python }", "```pycon"])
def test_every_python_fence_spelling_is_caught(fence):
    assert page_text.inline_python_blocks(f"{fence}\nx = 1\n```\n", "p.md")


def test_text_fences_are_allowed():
    assert page_text.inline_python_blocks("```text\nTypeError: x\n```\n", "p.md") == []


def test_missing_snippet_is_refused_with_a_suggestion(tree):
    page = tree.docs / "workflow/demo.md"
    page.write_text(page.read_text() + "\n{{ snippet('area/dmeo') }}\n")
    (problem,) = all_problems(tree)
    assert "docs/workflow/demo.md:5" in problem
    assert "snippets/area/dmeo.py, which does not exist" in problem
    assert "Did you mean 'area/demo'?" in problem


def test_missing_section_is_refused(tree):
    page = tree.docs / "workflow/demo.md"
    page.write_text(page.read_text() + "\n{{ snippet('area/demo', section='load') }}\n")
    (problem,) = all_problems(tree)
    assert "has no section 'load'" in problem and "[start:load]" in problem


def test_snippet_without_claims_file_is_refused(tree):
    (tree.claims / "area/demo.py").unlink()
    (problem,) = all_problems(tree)
    assert problem.startswith("snippets/area/demo.py: no claims file: create")
    assert "tests/claims/area/demo.py" in problem


def test_claims_file_without_a_claim_is_refused(tree):
    (tree.claims / "area/demo.py").write_text("from kb.claims import claim\n")
    (problem,) = all_problems(tree)
    assert problem.startswith("tests/claims/area/demo.py: defines no claim")


def test_snippet_not_shown_is_refused(tree):
    (tree.docs / "workflow/demo.md").write_text("# Demo\n")
    (problem,) = all_problems(tree)
    assert "snippets/area/demo.py: not shown on any page" in problem


def test_orphan_claims_file_is_refused(tree):
    shutil.copy(tree.claims / "area/demo.py", tree.claims / "area/gone.py")
    (problem,) = all_problems(tree)
    assert "tests/claims/area/gone.py: has no snippet" in problem


def test_torch_dtype_is_refused(tree):
    (tree.snippets / "area/demo.py").write_text(
        "import torch\nfrom transformers import AutoModelForCausalLM\n\n"
        "model = AutoModelForCausalLM.from_pretrained('gpt2', torch_dtype=torch.bfloat16)\n"
    )
    (problem,) = all_problems(tree)
    assert problem == (
        "snippets/area/demo.py:4: torch_dtype= — pass dtype= instead "
        "(torch_dtype is deprecated in transformers 5)"
    )


def test_load_in_4bit_keyword_is_refused_outside_error_snippets(tree):
    (tree.snippets / "area/demo.py").write_text(
        "from transformers import AutoModelForCausalLM\n\n"
        "model = AutoModelForCausalLM.from_pretrained('gpt2', load_in_4bit=True)\n"
    )
    (problem,) = all_problems(tree)
    assert "load_in_4bit=" in problem and "BitsAndBytesConfig" in problem


def test_raw_blocks_are_not_snippet_uses(tree):
    page = tree.docs / "workflow/demo.md"
    page.write_text(page.read_text() + "\n{% raw %}`{{ snippet('area/nope') }}`{% endraw %}\n")
    assert all_problems(tree) == []


def test_hl_lines_are_refused_for_named_highlights(tree):
    page = tree.docs / "workflow/demo.md"
    page.write_text("# Demo\n\n{{ snippet('area/demo', hl_lines='1') }}\n")
    (problem,) = all_problems(tree)
    assert problem.startswith("docs/workflow/demo.md:3: snippets/area/demo.py: hl_lines=")
    assert "highlight='<name>'" in problem


DEMO_MARKED = (
    "import torch\n# --8<-- [start:load]\nx = 1\n# --8<-- [start:key]\ny = 2\n"
    "# --8<-- [end:key]\n# --8<-- [end:load]\n# --8<-- [start:after]\nz = 3\n# --8<-- [end:after]\n"
)


def test_highlight_counts_the_shown_lines_only(tree):
    assert sections.highlighted_lines(DEMO_MARKED, "load", "key") == [2]
    assert sections.highlighted_lines(DEMO_MARKED, None, "key") == [3]
    assert sections.highlighted_lines(DEMO_MARKED, None, "key, after") == [3, 4]
    (tree.snippets / "area/demo.py").write_text(DEMO_MARKED)
    page = tree.docs / "workflow/demo.md"
    page.write_text("# Demo\n\n{{ snippet('area/demo', section='load', highlight='key') }}\n")
    assert all_problems(tree) == []


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ("nope", "highlight 'nope': the snippet has no such marked lines"),
        ("after", "highlight 'after': its marked lines lie outside section 'load'"),
    ],
)
def test_highlight_of_missing_or_unshown_lines_is_refused(tree, names, message):
    (tree.snippets / "area/demo.py").write_text(DEMO_MARKED)
    page = tree.docs / "workflow/demo.md"
    page.write_text(
        f"# Demo\n\n{{{{ snippet('area/demo', section='load', highlight='{names}') }}}}\n"
    )
    (problem,) = all_problems(tree)
    assert message in problem


def test_one_sided_bound_without_margin_is_refused(tree):
    claims = tree.claims / "area/demo.py"
    claims.write_text(
        claims.read_text() + "\n\n@claim('Under half.')\ndef half(x):\n    assert x < 0.5\n"
    )
    (problem,) = all_problems(tree)
    assert problem.startswith("tests/claims/area/demo.py:11: a one-sided bound")
    assert "below(value, bound)" in problem


def test_below_and_above_demand_the_margin():
    from kb.verify.claims import above, below

    assert below(0.44, 0.5) == 0.44
    with pytest.raises(AssertionError, match="not below 0.5 with a 10% margin"):
        below(0.48, 0.5)
    assert above(11, 10) == 11
    with pytest.raises(AssertionError, match="not above 10 with a 10% margin"):
        above(10.5, 10)


def test_error_page_with_a_typed_message_is_refused(tree):
    (tree.docs / "error").mkdir()
    page = tree.docs / "error/demo-error.md"
    outline = "\n## How to reproduce it\n\n## Cause\n\n## Fix\n"
    page.write_text(
        "# Boom\n\n## What you see\n\n```text\nValueError: boom\n```\n\n"
        "{{ snippet('area/demo') }}\n" + outline
    )
    (problem,) = all_problems(tree)
    assert problem.startswith("docs/error/demo-error.md: an error page shows the message")
    page.write_text(
        "# Boom\n\n## What you see\n\n{{ error_text('area/demo') }}\n\n"
        "{{ snippet('area/demo') }}\n" + outline
    )
    assert all_problems(tree) == []


def test_unverified_code_block_in_a_typed_page_is_refused(tree):
    page = tree.docs / "workflow/demo.md"
    page.write_text(page.read_text() + "\n```bash\nhf download gpt2\n```\n\n```text\nok\n```\n")
    (problem,) = all_problems(tree)
    assert problem.startswith("docs/workflow/demo.md:5: a ```bash block that nothing runs")


def test_a_typed_page_keeps_the_outline_of_its_type(tree):
    (tree.docs / "error").mkdir()
    page = tree.docs / "error/demo-error.md"
    body = "{{ error_text('area/demo') }}\n\n{{ snippet('area/demo') }}\n"
    page.write_text(f"# Boom\n\n## What you see\n\n{body}\n## Cause\n\n## Fix\n")
    (problem,) = all_problems(tree)
    assert problem == (
        "docs/error/demo-error.md: errors have the sections What you see, How to reproduce it, "
        "Cause, Fix, in that order (see docs/contributing.md); this page lacks "
        "'How to reproduce it'"
    )
    page.write_text(
        f"# Boom\n\n## What you see\n\n{body}\n## How to reproduce it\n\n## Fix\n\n## Cause\n"
    )
    (problem,) = all_problems(tree)
    assert problem.endswith(
        "this page has them in another order (What you see, How to reproduce it, Fix, Cause)"
    )
    page.write_text(
        f"# Boom\n\n## What you see\n\n{body}\n## How to reproduce it\n\n## Cause\n\n## More\n\n## Fix\n"
    )
    assert all_problems(tree) == []


# ---------------------------------------------------------- snippets stay out of the interpreter


@pytest.mark.parametrize(
    "code",
    [
        "import gc\n\ngc.collect()\n",  # the memory pages free a model and collect
        "import os\n\nos.environ['HF_TOKEN'] = 'hf_x'\nprint(os.path.exists('x'))\n",
        "import importlib.metadata\n\nprint(importlib.metadata.version('torch'))\n",
        "import sys\n\nprint(sys.version_info >= (3, 11), sys.platform)\n",
        "print(type(object()).__name__)\n",
    ],
)
def test_what_loading_examples_need_is_allowed(tree, code):
    (tree.snippets / "area/demo.py").write_text(code)
    assert all_problems(tree) == []


@pytest.mark.parametrize(
    ("code", "found"),
    [
        ("import sys\n\nprint(sys.stdout)\n", "3: uses sys.stdout"),
        ("import importlib.metadata as m\n\nm.entry_points()\n", "3: uses importlib.metadata"),
        ("value = getattr(object, 'x' + 'y')\n", "1: calls getattr() with a name computed"),
        ("import torch\n\ntorch.cuda.is_available = bool\n", "3: changes torch.cuda"),
        ("with open(1, 'w') as out:\n    pass\n", "1: opens file descriptor 1"),
    ],
)
def test_routes_into_the_interpreter_are_refused(tree, code, found):
    (tree.snippets / "area/demo.py").write_text(code)
    (problem,) = all_problems(tree)
    assert problem.startswith(f"snippets/area/demo.py:{found}"), problem
    assert "snippets are loading examples and may not" in problem


def test_claims_may_read_sys_modules_and_answer_a_prompt(tree):
    claims = tree.claims / "area/demo.py"
    claims.write_text(
        claims.read_text()
        + "\n\n@claim('Nothing imported.')\ndef clean(model):\n    import builtins\n    import sys\n\n"
        "    builtins.input = lambda prompt='': 'y'\n"
        "    assert not any(n.startswith('x') for n in sys.modules)\n"
        "    exec('from trl import ModelConfig')\n"
    )
    assert all_problems(tree) == []


def test_claims_may_not_change_the_claim_machinery(tree):
    claims = tree.claims / "area/demo.py"
    claims.write_text(
        claims.read_text().replace("import claim", "import claim, below")
        + ("\n\nbelow.__defaults__ = (-1.0,)\n")
    )
    problems = all_problems(tree)
    assert problems == [
        "tests/claims/area/demo.py:9: changes kb.claims.below.__defaults__ — claims assert on "
        "what their snippet left behind and may not reach the project's own code (it runs their "
        "verification)"
    ]


# ------------------------------------------------------------------------ claims assert something


@pytest.mark.parametrize(
    "body",
    [
        "    assert model",
        "    with pytest.raises(ValueError):\n        model()",
        "    below(model, 1.0)",
        "    def check():\n        assert model\n\n    check()",
        "    helper(model)",
    ],
)
def test_a_claim_that_asserts_passes(tree, body):
    (tree.claims / "area/demo.py").write_text(
        "import pytest\n\nfrom kb.claims import below, claim\n\n\n"
        "def helper(x):\n    assert x\n\n\n"
        f"@claim('It loads.')\ndef loads(model):\n{body}\n"
    )
    assert all_problems(tree) == []


@pytest.mark.parametrize(
    "body", ["    model.eval()", "    assert True", "    def never():\n        assert model"]
)
def test_a_claim_that_asserts_nothing_is_refused(tree, body):
    (tree.claims / "area/demo.py").write_text(
        f"from kb.claims import claim\n\n\n@claim('It loads.')\ndef loads(model):\n{body}\n"
    )
    (problem,) = all_problems(tree)
    assert problem.startswith("tests/claims/area/demo.py:5: claim loads asserts nothing")


def test_a_snippet_that_is_not_python_is_reported_once(tree):
    (tree.snippets / "area/demo.py").write_text("def broken(:\n")
    (problem,) = all_problems(tree)
    assert problem.startswith("snippets/area/demo.py:1: not valid Python")
