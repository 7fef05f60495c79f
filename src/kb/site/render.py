"""What the graph adds to the site, as Markdown/HTML text: a page's header, its connections and
local graph, the index page of each type, and the site-wide graph page. MkDocs-free."""

from __future__ import annotations

import html
import json
import posixpath

from kb.graph import Connection, Graph, Node

TAGS_PAGE = "tags.md"
GRAPH_PAGE = "graph.md"


def rel_link(from_src: str, to_src: str) -> str:
    """A Markdown link target from one docs file to another (MkDocs checks and rewrites it)."""
    return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


def site_root(from_src: str) -> str:
    """The site root relative to the page built from `from_src` (directory URLs)."""
    if from_src == "index.md":
        return "./"
    depth = from_src.removesuffix(".md").removesuffix("index").rstrip("/").count("/") + 1
    return "../" * depth


def tag_anchor(domain: str) -> str:
    """The anchor Material's tags plugin gives a tag in its listing (tags_slugify_format)."""
    return "tag:" + domain.lower().replace(" ", "-")


def _escape_md(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]")


def style(graph: Graph) -> dict:
    """Colours, shapes and line styles for the JavaScript, from the vocabulary."""
    v = graph.vocab
    return {
        "types": {
            t.name: {"label": t.label, "plural": t.plural, "colour": t.colour, "shape": t.shape}
            for t in v.types.values()
        },
        "relations": {
            r.name: {"label": r.label, "inverse": r.inverse, "line": r.line}
            for r in v.relations.values()
        },
    }


def json_script(data, css_class: str) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return f'<script type="application/json" class="{css_class}">{text}</script>'


# ---------------------------------------------------------------------------------------------
# on every page


def header(node: Node, graph: Graph) -> str:
    t = graph.vocab.types[node.type]
    src = node.src_uri
    # raw links: the tag anchors exist only once Material's tags plugin has filled the listing
    domains = " ".join(
        f'<a class="md-tag kb-domain" href="{site_root(src)}tags/#{tag_anchor(d)}">'
        f"{html.escape(d)}</a>"
        for d in node.domains
    )
    sources = " · ".join(f"[{_escape_md(title)}]({link})" for title, link in node.sources)
    return (
        f'<div class="kb-header" data-kb-type="{node.type}" '
        f'style="--kb-type-colour: {t.colour}" markdown>\n\n'
        f"[{t.label}]({rel_link(src, node.type + '/index.md')}){{ .kb-type .kb-type--{node.type} }}"
        f' <span class="kb-updated">Last updated '
        f'<time datetime="{node.last_updated.isoformat()}">'
        f"{node.last_updated.isoformat()}</time></span>"
        ' <a class="kb-markdown" href="index.html.md" type="text/markdown">'
        "This page as Markdown</a>\n\n"
        f'<span class="kb-header-label">Domains</span> {domains}\n\n'
        f'<span class="kb-header-label">Sources</span> {sources}\n\n'
        "</div>\n"
    )


def insert_header(markdown: str, block: str) -> str:
    """Put the header block right after the page's first H1, or at the top if it has none."""
    lines = markdown.splitlines(keepends=True)
    fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not fence and line.startswith("# "):
            return "".join(lines[: i + 1]) + "\n" + block + "\n" + "".join(lines[i + 1 :])
    return block + "\n" + markdown


def _item(src: str, c: Connection) -> str:
    return f"- [{_escape_md(c.node.title)}]({rel_link(src, c.node.src_uri)}): {c.node.summary}"


def connections(node: Node, graph: Graph) -> str:
    src = node.src_uri
    groups = graph.connections(node.id)
    # derived text: kept out of the search index, or every page would match its neighbours
    out = [
        "## Connections { data-search-exclude }",
        "",
        '<div class="kb-connections" markdown>',
        "",
    ]
    if not groups:
        out += ["No other page links here yet, and this page names no relations.", ""]
    for label, items in groups:
        c0 = items[0]
        out += [
            f'<div class="kb-rel" data-relation="{c0.relation}" data-direction="{c0.direction}"'
            " markdown>",
            "",
            f'<p class="kb-rel-label">{html.escape(label)}</p>',
            "",
        ]
        out += [_item(src, c) for c in items]
        out += ["", "</div>", ""]
    out += ["</div>", ""]
    return "\n".join(out)


def local_graph(node: Node, graph: Graph) -> str:
    """The 'Page Connections' graph: depth 2 around the page, shown at the page's depth."""
    dist, edges = graph.neighbourhood(node.id, depth=2)
    data = {
        "center": node.id,
        "root": site_root(node.src_uri),
        "nodes": [
            {**n.summary_fields(), "depth": dist[n.id]}
            for n in sorted((graph.nodes[i] for i in dist), key=lambda n: (dist[n.id], n.title))
        ],
        "edges": [e.fields() for e in edges],
        "style": style(graph),
    }
    depth = node.graph_depth
    return (
        "## Page Connections { data-search-exclude }\n\n"
        f'<div class="kb-graph kb-graph--local" data-kb-graph="local" data-depth="{depth}">\n'
        '<div class="kb-graph-toolbar" role="group" aria-label="Graph depth">'
        + "".join(
            f'<button type="button" class="kb-depth" data-depth="{d}" aria-pressed='
            f'"{"true" if d == depth else "false"}">Depth {d}</button>'
            for d in (1, 2)
        )
        + '<a class="kb-graph-all" href="'
        + site_root(node.src_uri)
        + 'graph/">Whole graph</a></div>\n'
        '<div class="kb-graph-canvas" role="img" aria-label="'
        + html.escape(
            f"Graph of the pages connected to {node.title}; the same links are "
            "listed under Connections above"
        )
        + '"></div>\n'
        + json_script(data, "kb-graph-data")
        + "\n</div>\n"
    )


def page_additions(markdown: str, node: Node, graph: Graph) -> str:
    return (
        insert_header(markdown, header(node, graph)).rstrip()
        + "\n\n"
        + connections(node, graph)
        + "\n"
        + local_graph(node, graph)
    )


# ---------------------------------------------------------------------------------------------
# generated pages


def type_index(type_name: str, graph: Graph) -> str:
    t = graph.vocab.types[type_name]
    nodes = graph.by_type()[type_name]
    src = f"{type_name}/index.md"
    out = [
        "---",
        f"title: {t.plural}",
        "---",
        "",
        f"# {t.plural}",
        "",
        f'<p class="kb-type-question">{html.escape(t.question)}</p>',
        "",
        f"{len(nodes)} page{'s' * (len(nodes) != 1)}. "
        f"See them among all the others on the [knowledge graph]({rel_link(src, GRAPH_PAGE)}).",
        "",
    ]
    if nodes:
        # the summaries are each page's own: searching finds the pages, not this list
        out += ["## Pages { data-search-exclude }", "", '<div class="kb-index" markdown>', ""]
        for n in nodes:
            domains = ", ".join(n.domains)
            out.append(
                f"- **[{_escape_md(n.title)}]({rel_link(src, n.src_uri)})**: {n.summary} "
                f'<span class="kb-index-domains">{html.escape(domains)}</span>'
            )
        out += ["", "</div>", ""]
    else:
        out += ["No pages of this type yet.", ""]
    return "\n".join(out)


def graph_page(graph: Graph, positions: dict[str, tuple[float, float]]) -> str:
    v = graph.vocab
    src = GRAPH_PAGE
    counts = {t: len(ns) for t, ns in graph.by_type().items()}
    rel_counts = {r: 0 for r in v.relations}
    for e in graph.edges:
        rel_counts[e.relation] += 1

    def type_filter(t) -> str:
        return (
            f'<label class="kb-filter"><input type="checkbox" checked data-filter-type="{t.name}">'
            f'{_legend_shape(t)} {html.escape(t.plural)} <span class="kb-count">'
            f"{counts[t.name]}</span></label>"
        )

    def rel_filter(r) -> str:
        return (
            f'<label class="kb-filter"><input type="checkbox" checked '
            f'data-filter-relation="{r.name}">{_legend_line(r)} {html.escape(r.label.lower())} '
            f'<span class="kb-count">{rel_counts[r.name]}</span></label>'
        )

    data = {"positions": {k: list(p) for k, p in positions.items()}, "style": style(graph)}
    titles = sorted(graph.nodes.values(), key=lambda n: n.title.lower())
    out = [
        "---",
        "title: Knowledge graph",
        "hide: [toc]",
        "search: {exclude: true}  # it repeats every page's summary",
        "---",
        "",
        "# Knowledge graph",
        "",
        f"Every page of the knowledge base ({len(graph.nodes)}) and every typed relation between "
        f"them ({len(graph.edges)}). Colour and shape give the page type, the line gives the "
        "relation. Hover a page to highlight its neighbours, click it to open it. The same "
        "graph is listed in plain text below, and exported as "
        "[graph.json](graph.json){ .kb-export } and [llms.txt](llms.txt){ .kb-export }.",
        "",
        '<div class="kb-graph kb-graph--global" data-kb-graph="global" '
        f'data-src="{site_root(src)}graph.json">',
        '<div class="kb-graph-controls">',
        '<label class="kb-search"><span>Find a page</span>'
        '<input type="search" list="kb-graph-titles" placeholder="Type a title…" '
        'autocomplete="off" data-graph-search></label>',
        '<datalist id="kb-graph-titles">'
        + "".join(f'<option value="{html.escape(n.title)}"></option>' for n in titles)
        + "</datalist>",
        '<fieldset class="kb-filters"><legend>Page types</legend>'
        + "".join(type_filter(t) for t in v.types.values())
        + "</fieldset>",
        '<fieldset class="kb-filters"><legend>Relations</legend>'
        + "".join(rel_filter(r) for r in v.relations.values())
        + "</fieldset>",
        "</div>",
        '<div class="kb-graph-canvas" role="img" aria-label="The knowledge graph; every page and '
        'relation is also listed below"></div>',
        '<p class="kb-graph-status" aria-live="polite"></p>',
        json_script(data, "kb-graph-data"),
        "</div>",
        "",
        "## All pages and their relations",
        "",
        '<div class="kb-graph-list" markdown>',
        "",
    ]
    for type_name, nodes in graph.by_type().items():
        if not nodes:
            continue
        t = v.types[type_name]
        out += [f"### {t.plural}", ""]
        for n in nodes:
            out.append(f"- [{_escape_md(n.title)}]({rel_link(src, n.src_uri)}): {n.summary}")
            for label, items in graph.connections(n.id):
                if items[0].direction != "out":
                    continue
                links = ", ".join(
                    (f"{c.order}. " if c.order else "")
                    + f"[{_escape_md(c.node.title)}]({rel_link(src, c.node.src_uri)})"
                    for c in items
                )
                out.append(f"    - {label}: {links}")
        out.append("")
    out += ["</div>", ""]
    return "\n".join(out)


SVG_SHAPES = {
    "ellipse": '<circle cx="8" cy="8" r="6"/>',
    "rectangle": '<rect x="2" y="3" width="12" height="10"/>',
    "round-rectangle": '<rect x="2" y="3" width="12" height="10" rx="3"/>',
    "diamond": '<polygon points="8,1 15,8 8,15 1,8"/>',
    "hexagon": '<polygon points="4,2 12,2 15,8 12,14 4,14 1,8"/>',
    "triangle": '<polygon points="8,2 15,14 1,14"/>',
}
SVG_DASH = {
    "solid": "",
    "dashed": ' stroke-dasharray="5 3"',
    "dotted": ' stroke-dasharray="1.5 2.5"',
}


def _legend_shape(t) -> str:
    return (
        f'<svg class="kb-legend-shape" width="16" height="16" viewBox="0 0 16 16" '
        f'aria-hidden="true" fill="{t.colour}">{SVG_SHAPES[t.shape]}</svg>'
    )


def _legend_line(r) -> str:
    return (
        '<svg class="kb-legend-line" width="28" height="10" viewBox="0 0 28 10" aria-hidden="true">'
        f'<line x1="1" y1="5" x2="27" y2="5" stroke="currentColor" stroke-width="2"'
        f"{SVG_DASH[r.line]}/></svg>"
    )


# ---------------------------------------------------------------------------------------------
# the vocabulary, as tables for the contributing page


def vocabulary_tables(graph_vocab) -> str:
    v = graph_vocab
    out = ["| page type | folder | what it answers | its sections, in order |", "|---|---|---|---|"]
    out += [
        f"| {t.label} | `docs/{t.name}/` | {t.question} | "
        f"{' · '.join(t.outline) or 'the steps, as the relations list them'} |"
        for t in v.types.values()
    ]
    out += [
        "",
        "| relation | from | to | the target page shows it as |",
        "|---|---|---|---|",
    ]
    for r in v.relations.values():
        notes = []
        if r.ordered:
            notes.append("ordered: `{n: 1, page: <id>}`")
        if r.acyclic:
            notes.append("must not cycle")
        if r.symmetric:
            notes.append("write it on one of the two pages")
        extra = f" ({'; '.join(notes)})" if notes else ""
        out.append(
            f"| `{r.name}`{extra} | {', '.join(r.sources)} | {', '.join(r.targets)} | "
            f"{r.inverse if not r.ordered else 'Step n of'} |"
        )
    out += ["", "| domain | covers |", "|---|---|"]
    out += [f"| `{name}` | {what} |" for name, what in v.domains.items()]
    return "\n".join(out) + "\n"
