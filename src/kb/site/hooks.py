"""MkDocs hooks: a thin adapter that puts the knowledge graph (src/kb/graph/model.py) on the site.

- on_config: read every page's front matter, check the whole graph and fail the build with all
  the problems at once; derive the navigation (grouped by page type) unless mkdocs.yml sets one.
- on_files: add the generated pages (one index per page type, the graph page), the exports
  (graph.json, llms.txt) and the graph library from node_modules (npm, package-lock.json).
- on_page_markdown: a page's header, its connections (outgoing and derived) and its local graph.
- on_post_build: each page's Markdown next to it (<page>/index.html.md).
"""

from __future__ import annotations

import html
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from kb import graph as kbgraph
from kb import rules
from kb.graph import exports, layout
from kb.graph.frontmatter import SchemaErrors
from kb.project import Layout
from kb.site import render

VENDOR = {
    # site path: path under the project root (installed by `npm ci` from package-lock.json)
    "assets/vendor/cytoscape.min.js": "node_modules/cytoscape/dist/cytoscape.min.js",
}
NAV_PAGES_PER_TYPE = 30
SPECIAL_PAGES = ("index.md", render.GRAPH_PAGE, render.TAGS_PAGE, "contributing.md")

_state: dict = {}


def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    docs = Path(config.docs_dir)
    graph, problems = kbgraph.load(docs)
    if problems:
        raise PluginError(str(SchemaErrors(problems)))
    # the project's rules (kb.rules), the same the tests run, all problems at once
    broken = rules.check(Layout(root), build=True)
    if broken:
        raise PluginError(rules.report(broken))
    missing = [rel for rel in VENDOR.values() if not (root / rel).is_file()]
    if missing:
        raise PluginError(
            f"{', '.join(missing)} not found: the site serves its JavaScript from node_modules; "
            "run `npm ci` in the project root (`make install` does)"
        )
    _state.clear()
    _state.update(root=root, graph=graph, markdown={})
    if not config.nav:
        config.nav = navigation(graph, docs)
    return config


def navigation(graph: kbgraph.Graph, docs: Path) -> list:
    others = sorted(p.name for p in docs.glob("*.md") if p.name not in SPECIAL_PAGES)
    nav: list = [{"Home": "index.md"}, {"Knowledge graph": render.GRAPH_PAGE}]
    nav += others
    for type_name, nodes in graph.by_type().items():
        plural = graph.vocab.types[type_name].plural
        # every page is in the sidebar of every page: past a few dozen pages of a type, the
        # section holds only its index page (which lists them all), or the sidebar would be
        # unreadable and the build and each page would grow with the square of the page count
        listed = [n.src_uri for n in nodes] if len(nodes) <= NAV_PAGES_PER_TYPE else []
        nav.append({plural: [f"{type_name}/index.md", *listed]})
    if (docs / render.TAGS_PAGE).exists():
        nav.append({"Domains": render.TAGS_PAGE})
    if (docs / "contributing.md").exists():
        nav.append({"Contributing": "contributing.md"})
    return nav


def on_files(files: Files, config):
    graph = _state["graph"]
    root = _state["root"]
    generated = {f"{t}/index.md": render.type_index(t, graph) for t in graph.vocab.types}
    generated[render.GRAPH_PAGE] = render.graph_page(graph, layout.positions(graph))
    generated["graph.json"] = exports.graph_json_text(graph)
    generated["llms.txt"] = exports.llms_txt(
        graph, config.site_name, config.site_description or "", config.site_url or ""
    )
    for src_uri, content in generated.items():
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(
                f"docs/{src_uri} is generated from the pages' front matter: remove the file"
            )
        files.append(File.generated(config, src_uri, content=content))
    for site_path, rel in VENDOR.items():
        files.append(File.generated(config, site_path, abs_src_path=str(root / rel)))
    return files


def on_page_markdown(markdown: str, page, config, files):
    graph: kbgraph.Graph = _state["graph"]
    node = graph.nodes.get(Path(page.file.src_uri).stem)
    if node is None or node.src_uri != page.file.src_uri:
        return markdown
    # the macros have run: the snippets' code is in the Markdown already, as the page shows it
    _state["markdown"][node.url] = exports.page_markdown(node, graph, markdown)
    # the domains are shown in the header, linked to their tag listing: not twice
    hide = page.meta.setdefault("hide", [])
    if "tags" not in hide:
        hide.append("tags")
    # the title is plain text; the theme writes page titles as HTML (navigation, <title>)
    page.meta["title"] = render.html_title(node.title)
    # what search engines and link previews show: the page's own one-line answer (the theme
    # writes it into an attribute as it is: quotes escaped here)
    page.meta["description"] = html.escape(node.summary, quote=True)
    return render.page_additions(markdown, node, graph)


def on_post_build(config):
    site = Path(config.site_dir)
    for url, text in _state.get("markdown", {}).items():
        target = site / url / exports.MARKDOWN_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
