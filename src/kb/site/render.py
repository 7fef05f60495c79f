"""What the graph adds to the site: a page's header, its connections and local graph, the index
page of each type, and the site-wide graph page. MkDocs-free.

The graph gives data; the HTML comes from the Jinja templates in templates/, with autoescaping
on: titles, summaries, domains and sources are contributors' text and show exactly as written.
The Material dialect (headings kept out of search, tag anchors) stays in this module.
"""

from __future__ import annotations

import html
import posixpath
from pathlib import Path

import jinja2
from markupsafe import Markup

from kb.graph import Graph, Node
from kb.graph.model import LOCAL_GRAPH_MAX_NODES
from kb.graph.urls import site_root

__all__ = ["site_root"]  # also the site's, for the hooks and the tests

TAGS_PAGE = "tags.md"
GRAPH_PAGE = "graph.md"

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# compact JSON in page order; tojson still escapes < > & ' inside it
TEMPLATES.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}


def html_block(template: str, **values) -> str:
    """A template rendered as one raw HTML block: no blank line inside, so Markdown passes it
    through untouched (the text in it is already escaped)."""
    text = TEMPLATES.get_template(template).render(**values)
    return "\n".join(line for line in text.splitlines() if line.strip()) + "\n"


def rel_link(from_src: str, to_src: str) -> str:
    """A Markdown link target from one docs file to another (MkDocs checks and rewrites it)."""
    return posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


def href(from_src: str, node: Node) -> str:
    """The URL of a page, relative to the page built from `from_src` (directory URLs)."""
    return url_from(from_src, node.url)


def url_from(from_src: str, url: str) -> str:
    """A directory URL from the site root, relative to the page built from `from_src`."""
    here = from_src.removesuffix(".md").removesuffix("index").rstrip("/") or "."
    return posixpath.relpath(url.rstrip("/") or ".", here) + "/"


def tag_anchor(domain: str) -> str:
    """The anchor Material's tags plugin gives a tag in its listing (tags_slugify_format)."""
    return "tag:" + domain.lower().replace(" ", "-")


def html_title(title: str) -> str:
    """A page title as the theme shows it (navigation, <title>, footer): MkDocs treats titles as
    HTML, the front matter's are plain text."""
    return html.escape(title, quote=False)


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


# ---------------------------------------------------------------------------------------------
# on every page


def header(node: Node, graph: Graph) -> str:
    src = node.src_uri
    return html_block(
        "header.html.jinja",
        type=graph.vocab.types[node.type],
        type_url=url_from(src, f"{node.type}/"),  # the type's index, a generated page
        day=node.last_updated.isoformat(),
        root=site_root(src),
        domains=[{"name": d, "anchor": tag_anchor(d)} for d in node.domains],
        sources=[{"title": title, "link": link} for title, link in node.sources],
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


def connections(node: Node, graph: Graph) -> str:
    src = node.src_uri
    groups = [
        {
            "label": label,
            "relation": items[0].relation,
            "direction": items[0].direction,
            "items": [
                {"href": href(src, c.node), "title": c.node.title, "summary": c.node.summary}
                for c in items
            ],
        }
        for label, items in graph.connections(node.id)
    ]
    # derived text: kept out of the search index, or every page would match its neighbours
    return "## Connections { data-search-exclude }\n\n" + html_block(
        "connections.html.jinja", groups=groups
    )


def local_graph(node: Node, graph: Graph) -> str:
    """The 'Page Connections' graph: depth 2 around the page, shown at the page's depth; at most
    LOCAL_GRAPH_MAX_NODES pages (the nearest), with a count of the others."""
    dist, edges = graph.neighbourhood(node.id, depth=2, limit=LOCAL_GRAPH_MAX_NODES)
    hidden = graph.reach(node.id, 2) - len(dist) if len(dist) >= LOCAL_GRAPH_MAX_NODES else 0
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
    return "## Page Connections { data-search-exclude }\n\n" + html_block(
        "local_graph.html.jinja",
        depth=node.graph_depth,
        root=site_root(node.src_uri),
        title=node.title,
        shown=len(dist),
        hidden=hidden,
        data=data,
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
        listed = [
            {"href": href(src, n), "title": n.title, "summary": n.summary, "domains": n.domains}
            for n in nodes
        ]
        out += ["## Pages { data-search-exclude }", ""]
        out.append(html_block("type_index.html.jinja", nodes=listed))
    else:
        out += ["No pages of this type yet.", ""]
    return "\n".join(out)


def graph_page(graph: Graph, positions: dict[str, tuple[float, float]]) -> str:
    v = graph.vocab
    src = GRAPH_PAGE
    by_type = graph.by_type()
    rel_counts = {r: 0 for r in v.relations}
    for e in graph.edges:
        rel_counts[e.relation] += 1
    types = [
        {"name": t.name, "plural": t.plural, "count": len(by_type[t.name]), "shape_svg": _shape(t)}
        for t in v.types.values()
    ]
    relations = [
        {
            "name": r.name,
            "label": r.label.lower(),
            "count": rel_counts[r.name],
            "line_svg": _line(r),
        }
        for r in v.relations.values()
    ]
    data = {"positions": {k: list(p) for k, p in positions.items()}, "style": style(graph)}
    titles = [n.title for n in sorted(graph.nodes.values(), key=lambda n: n.title.lower())]
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
        html_block(
            "graph_page.html.jinja",
            root=site_root(src),
            titles=titles,
            types=types,
            relations=relations,
            data=data,
        ),
        "## All pages and their relations",
        "",
        html_block("graph_list.html.jinja", sections=_graph_list(graph, src)),
    ]
    return "\n".join(out)


def _graph_list(graph: Graph, src: str) -> list[dict]:
    sections = []
    for type_name, nodes in graph.by_type().items():
        if not nodes:
            continue
        t = graph.vocab.types[type_name]
        listed = []
        for n in nodes:
            relations = [
                {
                    "label": label,
                    "items": [
                        {"order": c.order, "href": href(src, c.node), "title": c.node.title}
                        for c in items
                    ],
                }
                for label, items in graph.connections(n.id)
                if items[0].direction == "out"
            ]
            listed.append(
                {
                    "href": href(src, n),
                    "title": n.title,
                    "summary": n.summary,
                    "relations": relations,
                }
            )
        sections.append({"anchor": t.plural.lower(), "plural": t.plural, "nodes": listed})
    return sections


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


def _shape(t) -> Markup:
    """The type's shape as a legend icon: markup from the vocabulary's shape and colour names."""
    return Markup(
        f'<svg class="kb-legend-shape" width="16" height="16" viewBox="0 0 16 16" '
        f'aria-hidden="true" fill="{html.escape(t.colour)}">{SVG_SHAPES[t.shape]}</svg>'
    )


def _line(r) -> Markup:
    """The relation's line style as a legend icon."""
    return Markup(
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
