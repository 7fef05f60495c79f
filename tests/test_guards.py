"""The project's rules, checked on the real tree, and each check shown to fail on a broken one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb.project import ROOT, Layout, find_snippets
from kb.rules import guards


def test_pages_have_no_inline_python_and_include_only_existing_snippets(layout):
    problems = guards.check_pages(layout)
    assert not problems, "\n".join(problems)


def test_every_snippet_is_shown_on_a_page(layout):
    problems = guards.check_every_snippet_shown(layout)
    assert not problems, "\n".join(problems)


def test_every_snippet_has_a_claim(layout):
    problems = guards.check_every_snippet_claimed(find_snippets(layout))
    assert not problems, "\n".join(problems)


def test_every_claims_file_has_its_snippet(layout):
    problems = guards.check_orphan_claims(layout)
    assert not problems, "\n".join(problems)


def test_claims_bound_figures_with_margin(layout):
    problems = guards.check_claim_bounds(find_snippets(layout))
    assert not problems, "\n".join(problems)


def test_snippets_use_current_api(layout):
    problems = guards.check_current_api(find_snippets(layout))
    assert not problems, "\n".join(problems)


def test_there_are_snippets_and_pages(layout):
    assert len(find_snippets(layout)) >= 5
    assert len([p for p in guards.pages(layout) if p.parent != layout.docs]) >= 5


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
        "from kb.verify.claims import claim\n\n\n@claim('It loads.')\ndef loads(model):\n    pass\n"
    )
    (tmp_path / "docs/workflow/demo.md").write_text("# Demo\n\n{{ snippet('area/demo') }}\n")
    return layout


def all_problems(layout: Layout) -> list[str]:
    snippets = find_snippets(layout)
    return (
        guards.check_pages(layout)
        + guards.check_every_snippet_shown(layout)
        + guards.check_every_snippet_claimed(snippets)
        + guards.check_orphan_claims(layout)
        + guards.check_current_api(snippets)
    )


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
    assert guards.inline_python_blocks(f"{fence}\nx = 1\n```\n", "p.md")


def test_text_fences_are_allowed():
    assert guards.inline_python_blocks("```text\nTypeError: x\n```\n", "p.md") == []


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
    assert problem.startswith("snippets/area/demo.py has no claims file: create")
    assert "tests/claims/area/demo.py" in problem


def test_claims_file_without_a_claim_is_refused(tree):
    (tree.claims / "area/demo.py").write_text("from kb.verify.claims import claim\n")
    (problem,) = all_problems(tree)
    assert problem.startswith("tests/claims/area/demo.py defines no claim")


def test_snippet_not_shown_is_refused(tree):
    (tree.docs / "workflow/demo.md").write_text("# Demo\n")
    (problem,) = all_problems(tree)
    assert "snippets/area/demo.py is not shown on any page" in problem


def test_orphan_claims_file_is_refused(tree):
    shutil.copy(tree.claims / "area/demo.py", tree.claims / "area/gone.py")
    (problem,) = all_problems(tree)
    assert "tests/claims/area/gone.py has no snippet" in problem


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
    assert guards.highlighted_lines(DEMO_MARKED, "load", "key") == [2]
    assert guards.highlighted_lines(DEMO_MARKED, None, "key") == [3]
    assert guards.highlighted_lines(DEMO_MARKED, None, "key, after") == [3, 4]
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
    (problem,) = guards.check_claim_bounds(find_snippets(tree))
    assert problem.startswith("tests/claims/area/demo.py:")
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
