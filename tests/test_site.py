"""The site, built with the real MkDocs: panels on every snippet, and the build failing on
broken pages."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from site_support import build

from kb.project import ROOT, Layout, find_snippets
from kb.rules.includes import snippet_uses
from kb.site import page_calls, snippet_code


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    # built from another working directory: no path in the config may depend on it
    res = build(ROOT / "mkdocs.yml", out, cwd=tmp_path_factory.mktemp("elsewhere"))
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def html_of(site: Path, page: Path, layout: Layout) -> str:
    rel = page.relative_to(layout.docs).with_suffix("")
    target = site / "index.html" if rel.name == "index" else site / rel / "index.html"
    return target.read_text(encoding="utf-8")


def test_every_snippet_use_renders_code_and_panel(site, layout):
    records = json.loads((layout.records / "cpu.json").read_text())["snippets"]
    uses = snippet_uses(layout)
    assert uses
    for page, _, key, *_ in uses:
        html = html_of(site, page, layout)
        block = re.search(
            rf'<div class="kb-snippet" data-snippet="{re.escape(key)}" data-state="(\w+)">(.*?)'
            r"</details>\s*</div>",  # the panel: the last <details> of the block
            html,
            re.DOTALL,
        )
        assert block, f"{page.name}: no panel for {key}"
        state, body = block.groups()
        assert state == "current", f"{page.name}: {key} is {state}"
        assert f"snippets/{key}.py" in body
        if records.get(key, {}).get("skipped"):  # a GPU-only reproduction
            assert "Not run on CPU: every claim needs gpu" in body
            continue
        source_line = next(
            line
            for line in (layout.snippets / f"{key}.py").read_text().splitlines()
            if line.strip() and not line.startswith("#")
        )
        first_name = re.findall(r"\w+", source_line)[-1]
        assert first_name in body, f"{page.name}: the code of {key} is not included"
        assert "Verified on CPU" in body
        assert "transformers 5.23" in body


def test_panel_lists_each_claim_sentence(site, layout):
    record = json.loads((layout.records / "cpu.json").read_text())
    page = layout.docs / "implementation/bitsandbytes-4bit-nf4.md"
    html = html_of(site, page, layout)
    for claim in record["snippets"]["quantization/qwen_4bit_nf4"]["claims"]:
        words = re.sub(r"`", "", claim["sentence"]).split()[:4]
        assert " ".join(words) in re.sub(r"<[^>]+>", "", html), claim["sentence"]


def test_gpu_claims_are_marked_not_run(site, layout):
    html = html_of(site, layout.docs / "implementation/bitsandbytes-4bit-nf4.md", layout)
    assert "needs full: not run here" in html
    assert "not yet verified on a GPU" in html


# ------------------------------------------------------------------ broken pages fail the build


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the project's site machinery with one page."""
    config = (ROOT / "mkdocs.yml").read_text()
    (tmp_path / "mkdocs.yml").write_text(config)
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "snippets", tmp_path / "snippets")
    shutil.copytree(ROOT / "verification", tmp_path / "verification")
    shutil.copytree(ROOT / "tests/claims", tmp_path / "tests/claims")
    (tmp_path / "docs/assets").mkdir(parents=True)
    for asset in ("kb.css", "kb-graph.js"):
        shutil.copy(ROOT / "docs/assets" / asset, tmp_path / "docs/assets" / asset)
    (tmp_path / "docs/tags.md").write_text((ROOT / "docs/tags.md").read_text())
    # the graph library, as `npm ci` installs it
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "docs/index.md").write_text("# Home\n\n{{ snippet('loading/gpt2_generation') }}\n")
    return tmp_path


def build_page(project: Path, text: str) -> subprocess.CompletedProcess:
    (project / "docs/page.md").write_text(text)
    return build(project / "mkdocs.yml", project / "site", cwd=project)


def test_the_copy_builds(project):
    res = build_page(project, "# Page\n")
    assert res.returncode == 0, res.stderr


def test_graph_library_not_installed_fails_the_build_saying_npm_ci(project):
    (project / "node_modules").unlink()
    res = build_page(project, "# Page\n")
    assert res.returncode != 0
    assert "node_modules/cytoscape/dist/cytoscape.min.js not found" in res.stderr
    assert "run `npm ci`" in res.stderr


def test_missing_snippet_fails_the_build(project):
    res = build_page(project, "# Page\n\n{{ snippet('loading/gpt2_generaton') }}\n")
    assert res.returncode != 0
    assert (
        "docs/page.md:3: the page includes snippets/loading/gpt2_generaton.py, which does not "
        "exist. Did you mean 'loading/gpt2_generation'?"
    ) in res.stderr + res.stdout


def test_missing_section_fails_the_build(project):
    res = build_page(project, "# Page\n\n{{ snippet('loading/gpt2_generation', section='x') }}\n")
    assert res.returncode != 0
    assert "snippets/loading/gpt2_generation.py has no section 'x'" in res.stderr + res.stdout


def test_an_include_line_fails_the_build_naming_page_and_line(project):
    res = build_page(project, '# Page\n\n```text\n--8<-- "loading/gpt2_generation.py"\n```\n')
    assert res.returncode != 0
    assert (
        "docs/page.md:4: an include line (--8<--): include snippets with {{ snippet('area/name') }}"
    ) in res.stderr + res.stdout


def test_include_outside_the_snippets_folder_fails_the_build(project):
    # a trailing space once slipped such a line past the includes into the Markdown export
    res = build_page(project, '# Page\n\n--8<-- "../mkdocs.yml" \n')
    assert res.returncode != 0
    assert "docs/page.md:3: an include line (--8<--)" in res.stderr + res.stdout
    assert "module_name" not in res.stderr + res.stdout


def test_inline_python_fails_the_build(project):
    res = build_page(project, "# Page\n\n```python\nimport torch\n```\n")
    assert res.returncode != 0
    assert "docs/page.md:3: an inline Python code block" in res.stderr + res.stdout


def test_undefined_macro_variable_fails_the_build(project):
    res = build_page(project, "# Page\n\n{{ no_such_variable }}\n")
    assert res.returncode != 0
    assert (
        "docs/page.md:3: only the project's macros may be used in {{ }} (snippet, error_text, "
        "evidence, vocabulary_tables) with plain string arguments"
    ) in res.stderr + res.stdout
    assert 'found "no_such_variable"' in res.stderr + res.stdout


def test_changed_snippet_shows_as_stale(project):
    snippet = project / "snippets/loading/gpt2_generation.py"
    snippet.write_text(snippet.read_text() + "\nprint('changed')\n")
    res = build_page(project, "# Page\n")
    assert res.returncode == 0, res.stderr
    html = (project / "site/index.html").read_text()
    assert 'data-state="stale"' in html
    assert "Changed since last verified on CPU" in html
    assert "the snippet changed since it was verified" in html


def test_unverified_snippet_says_so(project):
    (project / "verification/cpu.json").write_text('{"snippets": {}}')
    res = build_page(project, "# Page\n")
    assert res.returncode == 0, res.stderr
    assert "Not yet verified on CPU" in (project / "site/index.html").read_text()


def test_site_layout_is_what_the_readme_says():
    for name in ("mkdocs.yml", "docs", "snippets", "tests", "src", "README.md"):
        assert (ROOT / name).exists(), name
    assert len(find_snippets()) >= 5


def test_gpu_record_shows_in_the_panel(project):
    from kb.project import get_snippet
    from kb.verify import records

    snip = get_snippet("loading/gpt2_generation", Layout(project))
    cpu = json.loads((project / "verification/cpu.json").read_text())
    entry = dict(cpu["snippets"][snip.key])
    entry.update(
        environment="gpu",
        scale="full",
        device="NVIDIA H100 80GB HBM3",
        output="GPT2LMHeadModel\ncuda:0",
    )
    entry["claims"] = [
        dict(c, outcome="not-run" if "cpu" in c["needs"] else "passed") for c in entry["claims"]
    ]
    records.write(
        records.record_path(project / "verification", "gpu"), {snip.key: entry}, {snip.key}, "gpu"
    )
    res = build_page(project, "# Page\n")
    assert res.returncode == 0, res.stderr
    html = (project / "site/index.html").read_text()
    assert "GPU (NVIDIA H100 80GB HBM3), full-size stand-in checkpoints" in html
    assert "Output on GPU" in html and "cuda:0" in html
    assert "not yet verified on a GPU" not in html


# ------------------------------------------------------------- texts taken from the records


def test_error_text_is_the_recorded_exception(project):
    res = build_page(project, "# Page\n\n{{ error_text('errors/device_map_typo') }}\n")
    assert res.returncode == 0, res.stderr
    html = (project / "site/page/index.html").read_text()
    assert "ValueError: When passing device_map as a string, the value needs to be" in html
    assert "As raised by the snippet below on CPU, transformers 5.23" in html


def test_error_text_without_a_record_fails_the_build(project):
    (project / "verification/cpu.json").write_text('{"snippets": {}}')
    res = build_page(project, "# Page\n\n{{ error_text('errors/device_map_typo') }}\n")
    assert res.returncode != 0
    assert (
        "docs/page.md:3: no record of snippets/errors/device_map_typo.py holds a raised "
        "exception; run `make record`"
    ) in res.stderr + res.stdout


def test_pending_error_text_is_marked_as_not_reproduced(project):
    (project / "verification/cpu.json").write_text('{"snippets": {}}')
    res = build_page(
        project,
        "# Page\n\n{{ error_text('errors/device_map_typo', pending='Boom ``` fence') }}\n",
    )
    assert res.returncode == 0, res.stderr
    html = (project / "site/page/index.html").read_text()
    assert "Not yet reproduced" in html
    assert "Boom ``` fence" in html  # a fence inside the text does not close the block


def test_figure_of_a_full_size_claim_is_pending_without_a_gpu_record(project):
    res = build_page(
        project,
        "# Page\n\nIt takes {{ evidence('quantization/footprint_4bit_vs_bf16', "
        "'full_size_figures') }}; on meta {{ evidence('quantization/footprint_4bit_vs_bf16', "
        "'full_size_bf16_on_meta') }}.\n",
    )
    assert res.returncode == 0, res.stderr
    text = re.sub(r"<[^>]+>", "", (project / "site/page/index.html").read_text())
    assert "It takes pending the GPU job;" in text
    assert "on meta 7.62 billion parameters, 15.23 GB in bfloat16." in text


def test_a_section_offers_the_whole_file(project):
    res = build_page(
        project,
        "# Page\n\n{{ snippet('quantization/qwen_4bit_nf4', section='config', "
        "highlight='quantization-arg') }}\n",
    )
    assert res.returncode == 0, res.stderr
    html = (project / "site/page/index.html").read_text()
    assert "The whole file: snippets/quantization/qwen_4bit_nf4.py" in html
    assert '<span class="hll">' in html


def test_error_text_of_a_changed_snippet_says_it_is_from_before(project):
    snippet = project / "snippets/errors/device_map_typo.py"
    snippet.write_text(snippet.read_text() + "\n# changed\n")
    res = build_page(project, "# Page\n\n{{ error_text('errors/device_map_typo') }}\n")
    assert res.returncode == 0, res.stderr
    html = (project / "site/page/index.html").read_text()
    assert "As raised by the snippet below (before the snippet last changed) on CPU" in html


# ------------------------------------------------- macro calls and the code a page shows


def test_a_page_may_call_the_macros_with_string_arguments_and_show_raw_text():
    text = (
        "# P\n\nA {{ snippet('loading/x', section='load') }} and "
        "{{ evidence(\"loading/x\", 'c') }}.\n{% raw %}`{{ config }}`{% endraw %}\n"
    )
    pieces, problems = page_calls.parse(text, "docs/p.md")
    assert problems == []
    calls = [p for p in pieces if isinstance(p, page_calls.Call)]
    assert [(c.line, c.name, c.args, c.kwargs) for c in calls] == [
        (3, "snippet", ("loading/x",), {"section": "load"}),
        (3, "evidence", ("loading/x", "c"), {}),
    ]
    assert page_calls.Literal("`{{ config }}`") in pieces
    # plain text comes back as it was written
    assert "".join(p for p in pieces if isinstance(p, str)) == "# P\n\nA  and .\n\n"


@pytest.mark.parametrize(
    "text",
    [
        "{{ config }}",
        "{{ snippet }}",
        "{{ snippet('a/b') | safe }}",
        "{{ snippet('a/b').upper() }}",
        "{{ snippet(page.title) }}",
        "{{ snippet(['a/b'][0]) }}",
        "{{ snippet(f'a/b') }}",
        "{{ snippet(**{'key': 'a/b'}) }}",
        "{{ now() }}",
        "{{ self.__init__.__globals__ }}",
    ],
)
def test_anything_else_in_braces_is_refused_naming_page_and_line(text):
    pieces, problems = page_calls.parse(f"# P\n\n{text}\n", "docs/p.md")
    assert len(problems) == 1, problems
    assert problems[0].startswith("docs/p.md:3: only the project's macros may be used in {{ }}")
    assert not any(isinstance(p, page_calls.Call) for p in pieces)


def test_statements_comments_and_unclosed_braces_are_refused():
    text = "# P\n{% set x = 1 %}\n{# note #}\n{% raw %}open\n\n{{ snippet('a/b') }}\n{{ open"
    _, problems = page_calls.parse(text, "docs/p.md")
    assert [p.split(": ", 1)[0] for p in problems] == ["docs/p.md:2", "docs/p.md:3", "docs/p.md:4"]
    assert "the only Jinja statement a page may hold is {% raw %}" in problems[0]
    assert "a Jinja comment" in problems[1]
    assert "{% raw %} without {% endraw %}" in problems[2]
    _, problems = page_calls.parse("# P\n\n{{ open\n", "docs/p.md")
    assert problems == ["docs/p.md:3: a {{ that is never closed with }}"]


def test_a_string_argument_may_hold_closing_braces():
    pieces, problems = page_calls.parse("{{ error_text('a/b', pending='x }} y') }}", "d.md")
    assert problems == []
    assert len(pieces) == 1 and pieces[0].kwargs == {"pending": "x }} y"}


def test_include_lines_and_jinja_in_front_matter_are_refused():
    text = 'a\n--8<-- "x.py" \n  -8<-\nmentions `--8<--` inline\n'
    assert [p.split(": ", 1)[0] for p in page_calls.include_lines(text, "docs/p.md")] == [
        "docs/p.md:2",
        "docs/p.md:3",
    ]
    meta = {"title": "{{ config }}", "sources": [{"title": "ok", "link": "{% x %}"}]}
    problems = page_calls.front_matter_problems(meta, "docs/p.md")
    assert [p.split(" holds")[0] for p in problems] == [
        "docs/p.md: front matter 'title'",
        "docs/p.md: front matter 'sources.link'",
    ]


SECTIONED = (
    "import torch\n"
    "# --8<-- [start:load]\n"
    "model = load()\n"
    "# --8<-- [start:inner]\n"
    "model.eval()\n"
    "# --8<-- [end:inner]\n"
    "# --8<-- [end:load]\n"
    'print("```` fence")\n'
)


def test_code_block_shows_the_file_or_a_section_without_markers(tmp_path):
    (tmp_path / "snippets/loading").mkdir(parents=True)
    (tmp_path / "snippets/loading/x.py").write_text(SECTIONED)
    snip = snippet_code.checked_snippet("loading/x", Layout(tmp_path))

    whole = snippet_code.code_block(snip)
    # the fence is longer than the longest run of backticks in the code: the code cannot close it
    assert whole == (
        '`````python title="snippets/loading/x.py"\n'
        'import torch\nmodel = load()\nmodel.eval()\nprint("```` fence")\n`````'
    )
    section = snippet_code.code_block(snip, "load", "2")
    assert section == (
        '```python title="snippets/loading/x.py" hl_lines="2"\nmodel = load()\nmodel.eval()\n```'
    )


@pytest.mark.parametrize(
    "key",
    [
        "../README",
        "/etc/passwd",
        "loading/../../x",
        " loading/x",
        "loading/x ",
        "loading\\x",
        "loading/x.py",
        "Loading/X",
        "x",
        "loading//x",
        "",
        "loading/x\n",
    ],
)
def test_a_key_must_be_a_path_of_lowercase_words_under_snippets(tmp_path, key):
    with pytest.raises(snippet_code.SnippetKeyError, match="is not a snippet key"):
        snippet_code.checked_snippet(key, Layout(tmp_path))


def test_a_link_out_of_the_snippets_folder_is_refused(tmp_path):
    (tmp_path / "snippets/loading").mkdir(parents=True)
    (tmp_path / "secret.py").write_text("TOKEN = 1\n")
    (tmp_path / "snippets/loading/leak.py").symlink_to(tmp_path / "secret.py")
    (tmp_path / "snippets/area").symlink_to(tmp_path)
    for key in ("loading/leak", "area/secret"):
        with pytest.raises(snippet_code.SnippetKeyError, match="leads outside snippets/"):
            snippet_code.checked_snippet(key, Layout(tmp_path))


def test_a_page_of_many_bad_calls_fails_with_a_short_message(project):
    res = build_page(project, "# Page\n\n" + "{{ config }}\n" * 2000)
    out = res.stderr + res.stdout
    assert res.returncode != 0
    assert "docs/page.md:3: only the project's macros" in out
    assert "and 1950 more in docs/page.md" in out
    assert out.count("only the project's macros") == 50


def test_every_macro_call_is_replaced_and_raw_text_shown_as_written(site):
    for path in site.rglob("*.htm*"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"kbmacro[0-9a-f]+n\d+x", text), path
        assert "--8&lt;-- &quot;" not in text and '--8<-- "' not in text, path
    contributing = (site / "contributing/index.html").read_text(encoding="utf-8")
    assert '<code>{{ snippet("&lt;area&gt;/&lt;name&gt;") }}</code>' in contributing
