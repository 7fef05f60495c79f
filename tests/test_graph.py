"""The knowledge graph without MkDocs: the broken-page corpus, graph semantics, the exports,
the rendered Markdown, the layout and the vocabulary.

The corpus: tests/broken_pages/<case>/ holds page files laid out as under docs/, added on top
of a copy of the real docs/, and expected.txt with the exact problem lines they cause.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml

from kb import graph as kbgraph
from kb.graph import exports, layout, reading, relations
from kb.graph.frontmatter import Problem, SchemaErrors
from kb.graph.model import LOCAL_GRAPH_MAX_NODES
from kb.graph.urls import site_root
from kb.graph.vocabulary import vocabulary
from kb.markdown_text import fenced, inline, inline_code
from kb.project import ROOT
from kb.site import render

CORPUS = Path(__file__).parent / "broken_pages"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
VIEWER_SHAPES = {"ellipse", "rectangle", "round-rectangle", "diamond", "hexagon", "triangle"}


def expected(case: str) -> list[str]:
    return [ln for ln in (CORPUS / case / "expected.txt").read_text().splitlines() if ln]


def case_files(case: str) -> list[Path]:
    """The case's page files, relative to docs/."""
    root = CORPUS / case
    return sorted(p.relative_to(root) for p in root.rglob("*.md"))


def overlay(docs: Path, case: str) -> None:
    for rel in case_files(case):
        target = docs / rel
        assert not target.exists(), f"{case}: {rel} would replace a real page"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS / case / rel, target)


@pytest.fixture
def docs_copy(tmp_path) -> Path:
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    return docs


def problem_lines(docs: Path) -> list[str]:
    _, problems = kbgraph.load(docs)
    return sorted(str(p) for p in problems)


# ------------------------------------------------------------------------------- the corpus


def test_the_real_docs_have_no_problems():
    graph, problems = kbgraph.load(ROOT / "docs")
    assert [str(p) for p in problems] == []
    assert graph.nodes


@pytest.mark.parametrize("case", CASES)
def test_broken_page(case, docs_copy):
    overlay(docs_copy, case)
    assert problem_lines(docs_copy) == sorted(expected(case))


def test_all_broken_pages_at_once_report_every_problem(docs_copy):
    for case in CASES:
        overlay(docs_copy, case)
    want = sorted(line for case in CASES for line in expected(case))
    assert problem_lines(docs_copy) == want
    text = str(SchemaErrors([Problem("docs/x.md", "f", "m")] * len(want)))
    assert text.startswith(f"{len(want)} problems in the knowledge graph:\n  - docs/x.md: f: m")


def _kind(line: str) -> str:
    """The problem line without its file, field, names and numbers: the kind of problem."""
    message = re.sub(r"^docs/\S+?\.md: (?:[\w.\[\]-]+: )?", "", line)
    return re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'…'", message))


def test_the_corpus_covers_distinct_problems():
    assert len(CASES) >= 10
    seen: dict[str, str] = {}
    for case in CASES:
        lines = expected(case)
        assert lines, f"{case}: expected.txt is empty"
        assert case_files(case), f"{case}: no page file"
        files = {f"docs/{rel.as_posix()}" for rel in case_files(case)}
        for line in lines:
            # each problem names one of the files the case adds
            assert line.split(": ", 1)[0] in files, f"{case}: {line}"
            kind = _kind(line)
            assert kind not in seen or seen[kind] == case, (
                f"{case} and {seen[kind]} report the same kind of problem: {kind}"
            )
            seen[kind] = case


def test_problem_lines_name_file_and_field():
    assert str(Problem("docs/a/b.md", "title", "x")) == "docs/a/b.md: title: x"
    assert str(Problem("docs/a/b.md", "", "x")) == "docs/a/b.md: x"
    assert str(SchemaErrors([Problem("docs/a.md", "", "x")])).startswith(
        "1 problem in the knowledge graph:"
    )


# ------------------------------------------------------------------- small graphs, built here


def write_page(
    docs: Path,
    type_: str,
    page_id: str,
    title: str | None = None,
    relations: dict | None = None,
    summary: str | None = None,
    domains: tuple[str, ...] = ("loading",),
    body: str = "",
    **extra,
) -> Path:
    title = title or page_id.replace("-", " ").capitalize()
    meta = {
        "type": type_,
        "title": title,
        "summary": summary or f"What {title} is about.",
        "domains": list(domains),
        "sources": [{"title": "Transformers docs", "link": "https://huggingface.co/docs"}],
        "last_updated": dt.date(2026, 11, 20),
        **extra,
    }
    if relations:
        meta["relations"] = relations
    path = docs / type_ / f"{page_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{text}---\n\n# {title}\n\n{body}", encoding="utf-8")
    return path


def load_ok(docs: Path) -> kbgraph.Graph:
    graph, problems = kbgraph.load(docs)
    assert [str(p) for p in problems] == []
    return graph


@pytest.fixture
def small(tmp_path) -> kbgraph.Graph:
    """One page of each kind of link: every derived label shows up somewhere."""
    docs = tmp_path / "docs"
    write_page(docs, "principle", "p", "Principle P", {"implemented_by": ["i"]})
    write_page(docs, "implementation", "i", "Impl I", {"uses_heuristic": ["h"], "related": ["e"]})
    write_page(docs, "implementation", "i2", "Impl I2")
    write_page(docs, "implementation", "i3", "Another impl")
    write_page(docs, "heuristic", "h", "Heuristic H", {"prerequisite": ["p"]})
    write_page(docs, "environment", "e", "Env E")
    write_page(
        docs,
        "workflow",
        "w",
        "Workflow W",
        {
            # titles sort the other way round: the steps keep their numbers' order
            "step": [{"n": 1, "page": "p"}, {"n": 2, "page": "i3"}, {"n": 3, "page": "i2"}],
            "requires_env": ["e"],
        },
    )
    write_page(docs, "error", "x", "Error X", {"caused_by": ["i"], "fixed_by": ["i", "h"]})
    return load_ok(docs)


def labels(graph: kbgraph.Graph, page_id: str) -> dict[str, list[str]]:
    return {label: [c.node.id for c in items] for label, items in graph.connections(page_id)}


def test_connections_outgoing_and_derived(small):
    assert labels(small, "p") == {
        "Implemented by": ["i"],
        "Read before": ["h"],
        "Step 1 of": ["w"],
    }
    assert labels(small, "i") == {
        "Uses heuristic": ["h"],
        "Related": ["e"],
        "Implements": ["p"],
        "Explains error": ["x"],
        "Fixes": ["x"],
    }
    assert labels(small, "h") == {
        "Read first": ["p"],
        "Used by": ["i"],
        "Fixes": ["x"],
    }
    assert labels(small, "e") == {"Related": ["i"], "Required by": ["w"]}
    assert labels(small, "i2") == {"Step 3 of": ["w"]}
    assert labels(small, "x") == {"Caused by": ["i"], "Fixed by": ["h", "i"]}


def test_connections_order_outgoing_first_then_vocabulary_order(small):
    groups = small.connections("i")
    directions = [items[0].direction for _, items in groups]
    assert directions == sorted(directions, key=["out", "in"].index)
    relations = list(small.vocab.relations)
    for direction in ("out", "in"):
        names = [items[0].relation for _, items in groups if items[0].direction == direction]
        assert names == sorted(names, key=relations.index)


def test_related_shows_once_on_both_sides(small):
    for here, there in (("i", "e"), ("e", "i")):
        related = [items for label, items in small.connections(here) if label == "Related"]
        assert len(related) == 1
        assert [c.node.id for c in related[0]] == [there]
    assert len([e for e in small.edges if e.relation == "related"]) == 1


def test_steps_keep_their_order(small):
    steps = [e for e in small.outgoing("w") if e.relation == "step"]
    assert [(e.order, e.target) for e in steps] == [(1, "p"), (2, "i3"), (3, "i2")]
    assert labels(small, "w")["Steps"] == ["p", "i3", "i2"]
    orders = [c.order for label, items in small.connections("w") if label == "Steps" for c in items]
    assert orders == [1, 2, 3]
    assert all(e.order is None for e in small.edges if e.relation != "step")


def test_edges_are_sorted_by_source_relation_and_order(small):
    relations = list(small.vocab.relations)
    keys = [(e.source, relations.index(e.relation), e.order or 0, e.target) for e in small.edges]
    assert keys == sorted(keys)


def test_neighbourhood_depth_one_and_two(tmp_path):
    docs = tmp_path / "docs"
    # a chain a - b - c - d, and e on its own
    write_page(docs, "implementation", "a", relations={"uses_heuristic": ["b"]})
    write_page(docs, "heuristic", "b")
    write_page(docs, "implementation", "c", relations={"uses_heuristic": ["b"]})
    write_page(docs, "error", "d", relations={"caused_by": ["c"]})
    write_page(docs, "environment", "e")
    graph = load_ok(docs)

    dist, edges = graph.neighbourhood("a", depth=1)
    assert dist == {"a": 0, "b": 1}
    assert [(e.source, e.target) for e in edges] == [("a", "b")]

    dist, edges = graph.neighbourhood("a", depth=2)
    assert dist == {"a": 0, "b": 1, "c": 2}
    assert {(e.source, e.target) for e in edges} == {("a", "b"), ("c", "b")}

    # incoming edges count too
    assert graph.neighbourhood("d", depth=2)[0] == {"d": 0, "c": 1, "b": 2}
    assert graph.neighbourhood("e", depth=2) == ({"e": 0}, [])


def test_by_type_in_vocabulary_order_titles_sorted(tmp_path):
    docs = tmp_path / "docs"
    write_page(docs, "error", "z", "zeta error")
    write_page(docs, "heuristic", "h1", "beta rule")
    write_page(docs, "heuristic", "h2", "Alpha rule")
    write_page(docs, "heuristic", "h3", "gamma rule")
    graph = load_ok(docs)
    groups = graph.by_type()
    assert list(groups) == list(graph.vocab.types)
    assert [n.title for n in groups["heuristic"]] == ["Alpha rule", "beta rule", "gamma rule"]
    assert [n.id for n in groups["error"]] == ["z"]
    assert groups["principle"] == []


def test_node_fields(small):
    node = small.nodes["i"]
    assert node.url == "implementation/i/"
    assert node.src_uri == "implementation/i.md"
    assert node.last_updated == dt.date(2026, 11, 20)
    assert node.sources == [("Transformers docs", "https://huggingface.co/docs")]


# ------------------------------------------------------------------------------------ exports


def test_graph_json_shape():
    graph, _ = kbgraph.load(ROOT / "docs")
    data = exports.graph_json(graph)
    ids = {n["id"] for n in data["nodes"]}
    assert ids == set(graph.nodes)
    for n in data["nodes"]:
        assert {"id", "type", "title", "url", "summary"} <= set(n)
        assert n["type"] in graph.vocab.types
        assert n["url"] == graph.nodes[n["id"]].url
    assert len(data["edges"]) == len(graph.edges)
    for e in data["edges"]:
        assert set(e) == {"source", "target", "relation", "order"}
        assert e["source"] in ids and e["target"] in ids
        assert e["relation"] in graph.vocab.relations
        assert (e["order"] is not None) == graph.vocab.relations[e["relation"]].ordered
    assert set(data["relations"]) == set(graph.vocab.relations)
    assert exports.graph_json_text(graph).endswith("}\n")


def test_llms_txt(tmp_path):
    docs = tmp_path / "docs"
    write_page(docs, "error", "x", "Error X", {"fixed_by": ["i"]})
    write_page(docs, "implementation", "i", "Impl I", summary="Load it right.")
    write_page(docs, "principle", "p", "Principle P", {"implemented_by": ["i"]})
    graph = load_ok(docs)
    text = exports.llms_txt(graph, "Site", "What the\n site is.", "https://example.org/kb/")
    lines = text.splitlines()
    assert lines[0] == "# Site"
    assert lines[2] == "> What the site is."
    h2 = [ln for ln in lines if ln.startswith("## ")]
    # one H2 per type that has pages, in the vocabulary's order
    assert h2 == ["## Principles", "## Implementations", "## Errors"]
    links = re.findall(r"^- \[(.+?)\]\((\S+?)\): (.*)$", text, re.MULTILINE)
    assert sorted(links) == sorted(
        (n.title, f"https://example.org/kb/{n.url}index.html.md", n.summary)
        for n in graph.nodes.values()
    )
    assert "(https://example.org/kb/graph.json)" in text
    # without a base URL the links are relative to the site root
    assert "](implementation/i/index.html.md): Load it right." in exports.llms_txt(
        graph, "Site", "d"
    )


def test_page_markdown(small):
    node = small.nodes["i"]
    text = exports.page_markdown(node, small, "# Impl I\n\nBody text.\n\n## More\n")
    lines = text.splitlines()
    assert lines[0] == "# Impl I"
    assert text.count("# Impl I\n") == 1
    assert f"> {node.summary}" in text
    assert "- Type: Implementation" in text
    assert "- Last updated: 2026-11-20" in text
    assert "Body text." in text and "## More" in text
    after = text.split("## Connections", 1)[1]
    for label, items in small.connections("i"):
        assert f"- {label}:" in after
        for c in items:
            assert f"[{c.node.title}](../../{c.node.url}index.html.md)" in after

    lonely = kbgraph.Node(
        "n", "heuristic", "N", "S", "heuristic/n.md", ["loading"], [], dt.date(2026, 1, 1)
    )
    graph = kbgraph.Graph(small.vocab, nodes={"n": lonely})
    text = exports.page_markdown(lonely, graph, "No heading here.")
    assert text.startswith("# N\n") and "## Connections\n\nNone yet." in text


# ------------------------------------------------------------------------------------- render


@pytest.mark.parametrize(
    "src, root",
    [
        ("index.md", "./"),
        ("contributing.md", "../"),
        ("principle/index.md", "../"),
        ("principle/alignment-model-loading.md", "../../"),
        ("a/b/c.md", "../../../"),
    ],
)
def test_site_root(src, root):
    assert site_root(src) == root


def test_insert_header_after_the_first_h1_outside_code():
    md = "Intro\n\n```python\n# not a heading\n```\n\n# Title\n\nBody\n\n# Second\n"
    out = render.insert_header(md, "HEADER")
    assert out.index("HEADER") > out.index("# Title")
    assert out.index("HEADER") < out.index("Body")
    assert out.count("HEADER") == 1
    assert "# Title\n\nHEADER\n" in out

    fenced = "~~~\n# inside\n~~~\n# Title\n"
    assert render.insert_header(fenced, "H").endswith("# Title\n\nH\n")
    assert render.insert_header("No title\n", "H") == "H\nNo title\n"


def test_header_block(small):
    node = small.nodes["i"]
    text = render.header(node, small)
    assert '<a class="kb-type kb-type--implementation" href="../">Implementation</a>' in text
    assert '<time datetime="2026-11-20">2026-11-20</time>' in text
    assert 'href="../../tags/#tag:loading"' in text
    assert '<a href="https://huggingface.co/docs">Transformers docs</a>' in text
    # one raw HTML block: a blank line would hand the rest of it to Markdown
    assert "\n\n" not in text.strip()


def test_connections_text(small):
    text = render.connections(small.nodes["i"], small)
    assert text.startswith("## Connections")
    for label, items in small.connections("i"):
        assert f'<p class="kb-rel-label">{label}</p>' in text
        for c in items:
            link = render.href("implementation/i.md", c.node)
            assert f'<li><a href="{link}">{c.node.title}</a>: {c.node.summary}</li>' in text
    assert '<a href="../../principle/p/">' in text
    assert "No other page links here yet" not in text

    docs_graph = kbgraph.Graph(small.vocab, nodes={"e": small.nodes["e"]})
    lonely = render.connections(small.nodes["e"], docs_graph)
    assert "No other page links here yet" in lonely
    assert "kb-rel-label" not in lonely


def test_type_index_lists_every_page_of_the_type(small):
    for type_name, nodes in small.by_type().items():
        text = render.type_index(type_name, small)
        plural = small.vocab.types[type_name].plural
        assert f"# {plural}\n" in text
        listed = re.findall(r'<li><strong><a href="(.+?)">(.+?)</a></strong>', text)
        assert listed == [(f"{n.id}/", n.title) for n in nodes]
        if not nodes:
            assert "No pages of this type yet." in text
    assert "3 pages." in render.type_index("implementation", small)
    assert "1 page." in render.type_index("principle", small)


def test_page_additions_put_header_connections_and_local_graph(small):
    node = small.nodes["p"]
    out = render.page_additions("# Principle P\n\nText.\n", node, small)
    assert out.index("kb-header") < out.index("Text.") < out.index("## Connections")
    assert out.index("## Connections") < out.index("## Page Connections")
    data = re.search(r'class="kb-graph-data">(.*?)</script>', out).group(1)
    assert '"center":"p"' in data


# ------------------------------------------------------------------------------------- layout


def synthetic(n: int) -> kbgraph.Graph:
    vocab = vocabulary()
    types = list(vocab.types)
    graph = kbgraph.Graph(vocab)
    for i in range(n):
        t = types[i % len(types)]
        graph.nodes[f"p{i}"] = kbgraph.Node(
            f"p{i}", t, f"Page {i}", "s", f"{t}/p{i}.md", ["loading"], [], dt.date(2026, 1, 1)
        )
    for i in range(1, n):
        graph.edges.append(kbgraph.Edge(f"p{i}", f"p{(i * 7) % i}", "related"))
        if i % 3 == 0:
            graph.edges.append(kbgraph.Edge(f"p{i}", f"p{i - 1}", "related"))
    return graph


def in_bounds(pos: dict, size: float) -> bool:
    return all(abs(x) <= size / 2 + 0.1 and abs(y) <= size / 2 + 0.1 for x, y in pos.values())


def test_layout_is_deterministic_and_in_bounds(small):
    first = layout.positions(small)
    assert first == layout.positions(small)
    assert set(first) == set(small.nodes)
    assert in_bounds(first, 1000.0)
    assert len(set(first.values())) == len(first), "two pages on the same spot"
    other = layout.positions(small, size=200.0)
    assert in_bounds(other, 200.0)


def test_layout_of_zero_and_one_page():
    assert layout.positions(synthetic(0)) == {}
    assert layout.positions(synthetic(1)) == {"p0": (0.0, 0.0)}


def test_layout_of_a_thousand_pages_is_fast():
    graph = synthetic(1000)
    start = time.perf_counter()
    pos = layout.positions(graph)
    took = time.perf_counter() - start
    assert set(pos) == set(graph.nodes)
    assert in_bounds(pos, 1000.0)
    assert took < 10, f"{took:.1f} s for 1000 pages"


# --------------------------------------------------------------------------------- vocabulary


def test_vocabulary_is_consistent():
    v = vocabulary()
    assert v.types and v.relations and v.domains
    for rel in v.relations.values():
        assert set(rel.sources) <= set(v.types), rel.name
        assert set(rel.targets) <= set(v.types), rel.name
        assert rel.line in render.SVG_DASH, rel.name
        assert rel.label and rel.inverse
        if rel.symmetric:
            assert set(rel.sources) == set(rel.targets), rel.name
    for t in v.types.values():
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", t.colour), t.name
        assert t.shape in VIEWER_SHAPES, t.name
        assert t.shape in render.SVG_SHAPES, t.name
        assert t.label and t.plural and t.question
    assert len({t.colour for t in v.types.values()}) == len(v.types)
    for name in v.domains:
        assert re.fullmatch(r"[a-z][a-z-]*", name), name
    # every type is the source of some relation, so any page can link out
    assert all(any(t in r.sources for r in v.relations.values()) for t in v.types)


def test_navigation_groups_by_type_and_lists_large_types_by_their_index(tmp_path):
    from kb.site import hooks as graph_hooks

    docs = tmp_path / "docs"
    limit = graph_hooks.NAV_PAGES_PER_TYPE
    for i in range(limit + 1):
        write_page(docs, "heuristic", f"rule-{i:03d}")
    write_page(docs, "implementation", "the-call", relations={"uses_heuristic": ["rule-000"]})
    write_page(docs, "principle", "why", relations={"implemented_by": ["the-call"]})
    (docs / "index.md").write_text("# Home\n")
    (docs / "faq.md").write_text("# FAQ\n")
    nav = graph_hooks.navigation(load_ok(docs), docs)
    sections = {k: v for entry in nav if isinstance(entry, dict) for k, v in entry.items()}
    assert nav[:3] == [{"Home": "index.md"}, {"Knowledge graph": "graph.md"}, "faq.md"]
    plurals = [t.plural for t in vocabulary().types.values()]
    assert [k for k in sections if k in plurals] == plurals
    assert sections["Principles"] == ["principle/index.md", "principle/why.md"]
    assert sections["Implementations"] == ["implementation/index.md", "implementation/the-call.md"]
    # past the limit, the type's index page (which lists every page) stands for them
    assert sections["Heuristics"] == ["heuristic/index.md"]
    assert sections["Errors"] == ["error/index.md"]


# ------------------------------------------------------------------- untrusted text and caps

EVIL = "<script>alert(1)</script> **bold** [x](javascript:alert(1)) {{ 7*7 }} { onclick=x }"


def test_markdown_text_shows_plain_text_as_written():
    assert inline(EVIL) == (
        "&lt;script&gt;alert(1)&lt;/script&gt; \\*\\*bold\\*\\* \\[x\\](javascript:alert(1)) "
        "\\{\\{ 7\\*7 \\}\\} \\{ onclick=x \\}"
    )
    assert inline("torch_dtype and device_map") == "torch_dtype and device_map"
    assert inline("# not a heading") == "\\# not a heading"
    assert inline("1. not a list") == "1\\. not a list"
    assert inline("&lt; stays text") == "&amp;lt; stays text"
    # code spans stay code (Markdown escapes what they hold); the rest is plain
    assert inline_code("a `<b>` and <b>") == "a `<b>` and &lt;b&gt;"
    assert fenced("x ``` y ````").startswith("`````text\n")


def test_untrusted_titles_and_summaries_are_escaped_everywhere(tmp_path):
    docs = tmp_path / "docs"
    write_page(docs, "heuristic", "h", title=EVIL, summary="</script><script>alert(2)</script>")
    write_page(docs, "implementation", "i", relations={"uses_heuristic": ["h"]})
    graph = load_ok(docs)
    h, i = graph.nodes["h"], graph.nodes["i"]
    outputs = {
        "header": render.header(h, graph),
        "connections": render.connections(i, graph),
        "local graph": render.local_graph(i, graph),
        "type index": render.type_index("heuristic", graph),
        "graph page": render.graph_page(graph, layout.positions(graph)),
        "graph.json": exports.graph_json_text(graph),
        "llms.txt": exports.llms_txt(graph, "Site", "d"),
        "markdown": exports.page_markdown(i, graph, "# I\n"),
        "own markdown": exports.page_markdown(h, graph, "No title line."),
    }
    markdown = ("llms.txt", "markdown", "own markdown")
    for where, text in outputs.items():
        # HTML is escaped; Markdown also shows links, emphasis and Jinja as written
        raws = ["<script>", "</script><script>"]
        raws += ["[x](javascript", "**bold**", "{{ 7*7 }}"] if where in markdown else []
        for raw in raws:
            assert raw not in text.replace('<script type="application/json"', ""), (where, raw)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold**" in outputs["connections"]
    data = re.search(r'class="kb-graph-data">(.*?)</script>', outputs["local graph"]).group(1)
    assert "\\u003c/script\\u003e" in data
    assert render.html_title(EVIL).startswith("&lt;script&gt;")


def test_source_links_must_be_http(tmp_path):
    docs = tmp_path / "docs"
    write_page(docs, "heuristic", "h")
    path = docs / "heuristic/h.md"
    path.write_text(path.read_text().replace("https://huggingface.co/docs", "javascript:alert(1)"))
    assert problem_lines(docs) == [
        "docs/heuristic/h.md: sources[0].link: URL scheme should be 'http' or 'https' "
        "(got 'javascript:alert(1)'); expected the URL where a reader can check what the page says"
    ]


def test_a_page_with_too_many_relations_is_refused(tmp_path):
    docs = tmp_path / "docs"
    n = relations.MAX_RELATIONS_PER_PAGE + 1
    for k in range(n):
        write_page(docs, "heuristic", f"h{k}")
    write_page(docs, "heuristic", "hub", relations={"related": [f"h{k}" for k in range(n)]})
    assert problem_lines(docs) == [
        f"docs/heuristic/hub.md: relations: {n} relations; a page may name at most "
        f"{relations.MAX_RELATIONS_PER_PAGE}: link the most relevant pages, or split the page"
    ]


def test_unreadable_pages_are_named_and_links_to_them_are_not_errors(tmp_path):
    docs = tmp_path / "docs"
    write_page(docs, "heuristic", "latin", title="Caf\xe9")
    latin = docs / "heuristic/latin.md"
    latin.write_bytes(latin.read_text(encoding="utf-8").encode("latin-1"))
    write_page(docs, "heuristic", "big", body="x" * reading.MAX_PAGE_BYTES)
    write_page(docs, "heuristic", "broken")
    (docs / "heuristic/broken.md").write_text("---\ntitle: [unclosed\n---\n")
    write_page(docs, "heuristic", "h", relations={"related": ["latin", "big", "broken"]})
    lines = problem_lines(docs)
    assert [ln.split(":")[0] for ln in lines] == [
        "docs/heuristic/big.md",
        "docs/heuristic/broken.md",
        "docs/heuristic/latin.md",
    ], lines
    assert "a page may hold at most 1,000,000" in lines[0]
    assert "front matter is not valid YAML" in lines[1]
    assert lines[2].endswith("not UTF-8 (byte 31, line 3): save it as UTF-8")


def test_the_problem_list_is_capped():
    problems = [Problem(f"docs/heuristic/p{i}.md", "", "m") for i in range(60)]
    text = str(SchemaErrors(problems))
    assert text.startswith("60 problems in the knowledge graph:")
    assert text.count("\n  - docs/") == 50
    assert text.endswith("  - and 10 more problems: fix these, then build again")


def test_local_graph_is_bounded_and_counts_the_rest(tmp_path):
    docs = tmp_path / "docs"
    n = LOCAL_GRAPH_MAX_NODES + 20
    for k in range(n):
        write_page(docs, "heuristic", f"h{k:03d}")
    write_page(docs, "heuristic", "hub", relations={"related": [f"h{k:03d}" for k in range(n)]})
    graph = load_ok(docs)
    text = render.local_graph(graph.nodes["h000"], graph)
    data = json.loads(re.search(r'class="kb-graph-data">(.*?)</script>', text).group(1))
    assert len(data["nodes"]) == LOCAL_GRAPH_MAX_NODES
    assert {"h000": 0, "hub": 1} == {
        k: v for k, v in ((d["id"], d["depth"]) for d in data["nodes"]) if v < 2
    }
    assert f"{n + 1 - LOCAL_GRAPH_MAX_NODES} more within depth 2 are left out" in text
    small_one = render.local_graph(
        graph.nodes["hub"], kbgraph.Graph(graph.vocab, {"hub": graph.nodes["hub"]})
    )
    assert "left out" not in small_one
