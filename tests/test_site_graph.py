"""The knowledge graph on the built site, with the real MkDocs: every page's header, its
connections and local graph, the type indexes, the navigation, the exports; and the build
failing on each page of the broken-page corpus (tests/broken_pages/).

Expectations come from the graph (src/kb/graph/model.py) of the real docs/, not from a list of
pages, so the tests keep working as pages are added.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from site_support import build

from kb import graph as kbgraph
from kb.markdown_text import inline
from kb.project import ROOT
from kb.site.page_calls import MACROS

CORPUS = Path(__file__).parent / "broken_pages"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
BASE = "http://site.invalid/"


@pytest.fixture(scope="module")
def graph() -> kbgraph.Graph:
    g, problems = kbgraph.load(ROOT / "docs")
    assert [str(p) for p in problems] == []
    return g


@pytest.fixture(scope="module")
def site(tmp_path_factory, graph) -> Path:
    out = tmp_path_factory.mktemp("site")
    # built from another working directory: no path in the config may depend on it
    res = build(ROOT / "mkdocs.yml", out, cwd=tmp_path_factory.mktemp("elsewhere"))
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def page_html(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def resolve(page_url: str, href: str) -> str:
    """A link on the page at `page_url` as a path from the site root (with its #fragment)."""
    full = urljoin(BASE + page_url, html.unescape(href))
    assert full.startswith(BASE), f"{href} leaves the site"
    return full.removeprefix(BASE)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def links(fragment: str) -> list[tuple[str, str]]:
    """(href, text) of each <a> in an HTML fragment."""
    return [
        (html.unescape(href), text_of(inner))
        for href, inner in re.findall(r'<a [^>]*?href="([^"]*)"[^>]*>(.*?)</a>', fragment, re.S)
    ]


# ------------------------------------------------------------------------- on every page


def header_of(page: str) -> tuple[re.Match, str]:
    m = re.search(r'<div class="kb-header"[^>]*? data-kb-type="(\w+)"[^>]*>(.*?)</div>', page, re.S)
    assert m, "no header"
    return m, m.group(2)


def test_every_page_has_its_header(site, graph):
    tags = (site / "tags/index.html").read_text(encoding="utf-8")
    for node in graph.nodes.values():
        page = page_html(site, node.url)
        m, header = header_of(page)
        where = node.src_uri
        assert m.group(1) == node.type, where
        assert page.index("<h1") < m.start(), f"{where}: the header is not after the title"
        assert page.count('class="kb-header"') == 1, where

        badge = re.search(r'<a class="kb-type kb-type--(\w+)" href="([^"]*)">(.*?)</a>', header)
        assert badge, f"{where}: no type badge"
        assert badge.group(1) == node.type, where
        assert resolve(node.url, badge.group(2)) == f"{node.type}/", where
        assert text_of(badge.group(3)) == graph.vocab.types[node.type].label, where

        day = node.last_updated.isoformat()
        assert f'<time datetime="{day}">{day}</time>' in header, where

        domains = re.findall(r'<a class="md-tag kb-domain" href="([^"]*)">(.*?)</a>', header)
        assert [text_of(d) for _, d in domains] == node.domains, where
        for href, d in domains:
            assert resolve(node.url, href) == f"tags/#tag:{d}", where
            assert f'id="tag:{d}"' in tags, f"{where}: tags/ has no anchor for {d}"

        shown = set(links(header))
        for title, link in node.sources:
            assert (link, title) in shown, f"{where}: source {title} ({link}) not in the header"


def connection_groups(page_url: str, page: str) -> list[tuple[str, str, str, list[str]]]:
    """(relation, direction, label, [target urls]) of each group under Connections."""
    start = page.index('<div class="kb-connections">')
    end = page.index('id="page-connections"', start)
    block = page[start:end]
    groups = []
    for attrs, label, items in re.findall(
        r'<div class="kb-rel"([^>]*)>\s*<p class="kb-rel-label">(.*?)</p>\s*<ul>(.*?)</ul>',
        block,
        re.S,
    ):
        a = dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        groups.append(
            (
                a["data-relation"],
                a["data-direction"],
                text_of(label),
                [resolve(page_url, href) for href, _ in links(items)],
            )
        )
    return groups


def test_every_page_lists_its_connections(site, graph):
    for node in graph.nodes.values():
        page = page_html(site, node.url)
        assert '<h2 data-search-exclude id="connections">' in page, node.src_uri
        want = [
            (items[0].relation, items[0].direction, label, [c.node.url for c in items])
            for label, items in graph.connections(node.id)
        ]
        assert connection_groups(node.url, page) == want, node.src_uri
        if not want:
            assert "No other page links here yet" in page, node.src_uri


def test_connections_of_loading_a_generation_model(site, graph):
    url = "implementation/loading-a-generation-model/"
    groups = {label: urls for _, _, label, urls in connection_groups(url, page_html(site, url))}
    # inverses written on other pages, derived here (more pages may add to each group)
    assert {"principle/alignment-model-loading/", "principle/precision-selection/"} <= set(
        groups["Implements"]
    )
    assert {"error/load-in-4bit-keyword/", "error/wrong-auto-class/"} <= set(
        groups["Explains error"]
    )
    assert "error/wrong-auto-class/" in groups["Fixes"]
    assert "implementation/task-heads/" in groups["Read before"]
    assert "Alignment-style model loading" in page_html(site, url)


def test_every_page_has_its_local_graph(site, graph):
    for node in graph.nodes.values():
        page = page_html(site, node.url)
        where = node.src_uri
        assert '<h2 data-search-exclude id="page-connections">' in page, where
        box = re.search(
            r'<div class="kb-graph kb-graph--local" data-kb-graph="local" data-depth="(\d)">'
            r'.*?<script type="application/json" class="kb-graph-data">(.*?)</script>',
            page,
            re.S,
        )
        assert box, f"{where}: no Page Connections graph"
        assert int(box.group(1)) == node.graph_depth, where
        data = json.loads(box.group(2))
        dist, edges = graph.neighbourhood(node.id, depth=2)
        assert data["center"] == node.id, where
        assert {n["id"]: n["depth"] for n in data["nodes"]} == dist, where
        for n in data["nodes"]:
            assert n["url"] == graph.nodes[n["id"]].url and n["type"], where
        assert sorted((e["source"], e["target"], e["relation"]) for e in data["edges"]) == sorted(
            (e.source, e.target, e.relation) for e in edges
        ), where
        assert resolve(node.url, data["root"]) == "", where


# ------------------------------------------------------------ indexes and the navigation


def test_each_type_has_an_index_listing_exactly_its_pages(site, graph):
    for type_name, nodes in graph.by_type().items():
        url = f"{type_name}/"
        page = page_html(site, url)
        t = graph.vocab.types[type_name]
        assert re.search(rf"<h1[^>]*>{re.escape(t.plural)}<", page), type_name
        m = re.search(r'<div class="kb-index">(.*?)</div>', page, re.S)
        listed = [resolve(url, href) for href, _ in links(m.group(1))] if m else []
        assert listed == [n.url for n in nodes], type_name
        if not nodes:
            assert "No pages of this type yet." in page


class PrimaryNav(HTMLParser):
    """The sidebar's top-level items: (href, label, [(href, label) of the pages under it])."""

    def __init__(self):
        super().__init__()
        self.nav_depth = 0
        self.li_depth = 0
        self.items: list[dict] = []
        self._a: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav" and (self.nav_depth or "md-nav--primary" in (a.get("class") or "")):
            self.nav_depth += 1
        if not self.nav_depth:
            return
        if tag == "li":
            self.li_depth += 1
            if self.li_depth == 1:
                self.items.append({"href": None, "label": None, "links": []})
        elif tag == "a" and self.li_depth:
            self._a = [a.get("href") or "", ""]

    def handle_data(self, data):
        if self._a is not None:
            self._a[1] += data

    def handle_endtag(self, tag):
        if not self.nav_depth:
            return
        if tag == "a" and self._a is not None:
            href, label = self._a[0], " ".join(self._a[1].split())
            self._a = None
            item = self.items[-1]
            if item["href"] is None:
                item["href"], item["label"] = href, label
            elif not href.startswith("#"):  # the current page's table of contents
                item["links"].append((href, label))
        elif tag == "li":
            self.li_depth -= 1
        elif tag == "nav":
            self.nav_depth -= 1


def test_navigation_groups_pages_by_type(site, graph):
    nav = PrimaryNav()
    nav.feed((site / "index.html").read_text(encoding="utf-8"))
    by_label = {item["label"]: item for item in nav.items}
    plurals = [graph.vocab.types[t].plural for t in graph.vocab.types]
    assert plurals == ["Principles", "Workflows", "Implementations", "Heuristics"] + [
        "Environments",
        "Errors",
    ]
    labels = [item["label"] for item in nav.items]
    assert [label for label in labels if label in plurals] == plurals, labels
    assert labels.index("Knowledge graph") < labels.index("Principles")
    for type_name, nodes in graph.by_type().items():
        item = by_label[graph.vocab.types[type_name].plural]
        assert item["href"] == f"{type_name}/"
        assert item["links"] == [(n.url, n.title) for n in nodes], type_name


# ------------------------------------------------------------------------------- exports


def test_graph_json_agrees_with_the_graph(site, graph):
    data = json.loads((site / "graph.json").read_text(encoding="utf-8"))
    assert {n["id"] for n in data["nodes"]} == set(graph.nodes)
    assert sorted((e["source"], e["target"], e["relation"], e["order"]) for e in data["edges"]) == (
        sorted((e.source, e.target, e.relation, e.order) for e in graph.edges)
    )
    for n in data["nodes"]:
        assert (site / n["url"] / "index.html").is_file(), n["url"]
        assert (site / n["markdown"]).is_file(), n["markdown"]


def canonical(page: str) -> str:
    return html.unescape(re.search(r'<link rel="canonical" href="([^"]*)"', page).group(1))


def test_llms_txt_links_resolve(site, graph):
    text = (site / "llms.txt").read_text(encoding="utf-8")
    prefix = urlparse(canonical((site / "index.html").read_text(encoding="utf-8"))).path
    assert text.startswith("# ")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    assert targets
    paths = []
    for link in targets:
        path = urlparse(link).path
        assert path.startswith(prefix), link
        path = path.removeprefix(prefix)
        assert (site / path).is_file(), f"llms.txt links to {link}, which the site lacks"
        paths.append(path)
    pages = {p for p in paths if p.endswith("index.html.md")}
    assert pages == {f"{n.url}index.html.md" for n in graph.nodes.values()}
    assert "graph.json" in paths


UNEXPANDED = re.compile(r"\{\{\s*(" + "|".join(MACROS) + r")\s*\(")


def test_every_page_has_its_markdown(site, graph):
    for node in graph.nodes.values():
        md = (site / node.url / "index.html.md").read_text(encoding="utf-8")
        assert md.startswith("# "), node.src_uri
        assert f"> {inline(node.summary)}" in md, node.src_uri
        # code may hold Jinja (a chat template); what must not survive is a macro call
        assert not UNEXPANDED.search(md) and "--8<--" not in md, node.src_uri
        connections = md.split("\n## Connections\n", 1)[1]
        for label, items in graph.connections(node.id):
            assert f"- {label}:" in connections, node.src_uri
            for c in items:
                assert f"[{inline(c.node.title)}]" in connections, node.src_uri
        for link in re.findall(r"\]\((\.[^)\s]*index\.html\.md)\)", md):
            assert (site / resolve(node.url, link)).is_file(), f"{node.src_uri}: {link}"


# ---------------------------------------------------------------- broken pages fail the build


def _overlay_case(case: str):
    def apply(docs: Path) -> None:
        root = CORPUS / case
        for src in root.rglob("*.md"):
            target = docs / src.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)

    return apply


def _overlay_all(docs: Path) -> None:
    for case in CASES:
        _overlay_case(case)(docs)


def _hand_written(rel: str, text: str):
    def apply(docs: Path) -> None:
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")

    return apply


VARIANTS = {
    # built with the mkdocs command, as a contributor would
    "unchanged": lambda docs: None,
    "all-cases": _overlay_all,
}
# One change at a time: the same MkDocs build (config, plugins, hooks), run in one Python
# process for all of them. A `mkdocs build` takes about 0.5 s of CPU, nearly all of it
# importing MkDocs and its plugins; in one process each failing build takes about 0.06 s.
BATCH = {
    "hand-written-principle-index": _hand_written(
        "principle/index.md", "# Principles\n\n- [Alignment](alignment-model-loading.md)\n"
    ),
    "hand-written-graph-page": _hand_written("graph.md", "# Knowledge graph\n\nAll pages.\n"),
    **{f"case-{case}": _overlay_case(case) for case in CASES},
}

BATCH_BUILDER = """
import io, json, logging, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

jobs, out = json.loads(sys.argv[1]), sys.argv[2]
results = {}
for name, config, site in jobs:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        build(load_config(config_file=config, site_dir=site, strict=True))
        code = 0
    except BaseException as exc:  # mkdocs' Abort is a SystemExit-like ClickException
        code = 1
        stream.write(f"{type(exc).__name__}: {exc}\\n")
    finally:
        logger.removeHandler(handler)
    results[name] = {"returncode": code, "output": stream.getvalue()}
with open(out, "w", encoding="utf-8") as f:
    json.dump(results, f)
"""


@dataclass
class Built:
    returncode: int
    output: str


def build_batch(jobs: dict[str, Path], project: Path, cwd: Path) -> dict[str, Built]:
    out = project / "batch-results.json"
    args = [[name, str(cfg), str(project / f"site-{name}")] for name, cfg in jobs.items()]
    res = subprocess.run(
        [sys.executable, "-c", BATCH_BUILDER, json.dumps(args), str(out)],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0 and out.exists(), res.stdout + res.stderr
    return {name: Built(**r) for name, r in json.loads(out.read_text()).items()}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Built]:
    """Every variant of the project built once, in parallel: one copy of the site machinery,
    one docs folder and one config per variant."""
    project = tmp_path_factory.mktemp("project")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^docs_dir:", config, re.M), "mkdocs.yml no longer sets docs_dir"
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("src", "snippets", "verification", "tests/claims"):
        shutil.copytree(ROOT / name, project / name, ignore=ignore)
    vendor = "node_modules/cytoscape/dist/cytoscape.min.js"
    (project / vendor).parent.mkdir(parents=True)
    shutil.copyfile(ROOT / vendor, project / vendor)

    configs = {}
    for name, apply in {**VARIANTS, **BATCH}.items():
        docs = project / f"docs-{name}"
        shutil.copytree(ROOT / "docs", docs)
        apply(docs)
        configs[name] = project / f"mkdocs-{name}.yml"
        configs[name].write_text(
            re.sub(r"^docs_dir:.*$", f"docs_dir: docs-{name}", config, flags=re.M),
            encoding="utf-8",
        )
    elsewhere = tmp_path_factory.mktemp("elsewhere")

    def cli(name: str) -> Built:
        res = build(configs[name], project / f"site-{name}", elsewhere)
        return Built(res.returncode, res.stdout + res.stderr)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        batch = pool.submit(build_batch, {n: configs[n] for n in BATCH}, project, elsewhere)
        singles = {name: pool.submit(cli, name) for name in VARIANTS}
        return {**batch.result(), **{name: f.result() for name, f in singles.items()}}


def expected(case: str) -> list[str]:
    return [ln for ln in (CORPUS / case / "expected.txt").read_text().splitlines() if ln]


def failure(res: Built) -> str:
    assert res.returncode != 0, "the build passed"
    return res.output


def count_line(n: int) -> str:
    return f"{n} problem{'s' * (n != 1)} in the knowledge graph:"


def test_the_copy_builds(builds):
    res = builds["unchanged"]
    assert res.returncode == 0, res.output


def test_one_build_reports_every_broken_page(builds):
    out = failure(builds["all-cases"])
    lines = [line for case in CASES for line in expected(case)]
    assert count_line(len(lines)) in out
    missing = [line for line in lines if f"  - {line}\n" not in out + "\n"]
    assert missing == [], out


@pytest.mark.parametrize("case", CASES)
def test_broken_page_fails_the_build(builds, case):
    out = failure(builds[f"case-{case}"])
    lines = expected(case)
    assert count_line(len(lines)) in out, out
    for line in lines:
        assert f"  - {line}" in out, out


def test_hand_written_type_index_fails_the_build(builds):
    out = failure(builds["hand-written-principle-index"])
    assert (
        "docs/principle/index.md: the index of principle pages is generated: remove this file"
        in out
    )


def test_hand_written_graph_page_fails_the_build(builds):
    out = failure(builds["hand-written-graph-page"])
    assert "docs/graph.md is generated from the pages' front matter: remove the file" in out


def test_derived_sections_stay_out_of_the_search_index(site, graph):
    """Connections and Page Connections repeat other pages' summaries: a search must find a
    page for what it says, not for what its neighbours say."""
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    locations = {d["location"] for d in docs}
    for node in graph.nodes.values():
        assert node.url in locations, node.src_uri
        assert f"{node.url}#connections" not in locations
        assert f"{node.url}#page-connections" not in locations
    # the graph page, the Domains page and the lists of the type indexes repeat those summaries
    assert not [loc for loc in locations if loc.startswith(("graph/", "tags/"))]
    for type_name in graph.vocab.types:
        assert f"{type_name}/" in locations
        assert f"{type_name}/#pages" not in locations
    typed = tuple(node.url for node in graph.nodes.values())
    assert not [
        d["location"]
        for d in docs
        if d["location"].startswith(typed) and "Explains error" in d["text"]
    ]


def test_site_url_comes_from_the_environment(tmp_path, graph):
    published = "https://example.org/kb/"
    res = build(ROOT / "mkdocs.yml", tmp_path, cwd=ROOT, env={"SITE_URL": published})
    assert res.returncode == 0, res.stdout + res.stderr
    node = next(iter(graph.nodes.values()))
    assert canonical(page_html(tmp_path, node.url)) == published + node.url
    links = re.findall(r"\]\(([^)\s]+)\)", (tmp_path / "llms.txt").read_text(encoding="utf-8"))
    assert links and all(link.startswith(published) for link in links)


def test_each_page_describes_itself_with_its_summary(site, graph):
    for node in graph.nodes.values():
        found = re.findall(r'<meta name="description" content="([^"]*)"', page_html(site, node.url))
        assert [html.unescape(d) for d in found] == [node.summary], node.src_uri


def test_the_404_page_leads_on(site, graph):
    page = (site / "404.html").read_text(encoding="utf-8")
    listed = re.search(r'<ul class="kb-not-found">(.*?)</ul>', page, re.S)
    assert listed, "404.html lists no start pages"
    hrefs = [href for href, _ in links(listed.group(1))]
    for href in hrefs:
        path = href.lstrip("/").removesuffix(".")
        assert (site / path / "index.html").is_file(), f"404.html links to {href}, a page it lacks"
    assert {f"/{t}/" for t in graph.vocab.types} <= set(hrefs)
    assert 'data-md-component="search"' in page


def test_pages_link_to_the_previous_and_next_page(site, graph):
    for node in graph.nodes.values():
        footer = page_html(site, node.url).split('<footer class="md-footer">', 1)[1]
        assert "md-footer__link--prev" in footer or "md-footer__link--next" in footer, node.url


def test_link_previews_show_title_summary_and_address(site, graph):
    for node in graph.nodes.values():
        page = page_html(site, node.url)
        og = {
            k: html.unescape(v)
            for k, v in re.findall(r'<meta property="og:(\w+)" content="([^"]*)"', page)
        }
        assert og.get("title") == node.title, node.src_uri
        assert og.get("description") == node.summary, node.src_uri
        assert og.get("url") == canonical(page), node.src_uri
        assert og.get("type") == "article", node.src_uri
