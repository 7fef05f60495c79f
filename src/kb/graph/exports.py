"""Exports for tools and agents: graph.json, llms.txt and each page's Markdown."""

from __future__ import annotations

import json

from kb.graph import Graph, Node
from kb.graph.urls import site_root
from kb.markdown_text import inline, link_target

MARKDOWN_NAME = "index.html.md"  # the llms.txt convention: <page URL>index.html.md


def markdown_url(node: Node) -> str:
    return node.url + MARKDOWN_NAME


def graph_json(graph: Graph) -> dict:
    """nodes: id, type, title, url, summary; edges: source, target, relation, order."""
    return {
        "nodes": [
            {
                **n.summary_fields(),
                "markdown": markdown_url(n),
                "domains": n.domains,
                "last_updated": n.last_updated.isoformat(),
            }
            for n in sorted(graph.nodes.values(), key=lambda n: (n.type, n.id))
        ],
        "edges": [e.fields() for e in graph.edges],
        "relations": {
            r.name: {
                "from": list(r.sources),
                "to": list(r.targets),
                "label": r.label,
                "inverse": r.inverse,
                "ordered": r.ordered,
                "acyclic": r.acyclic,
                "symmetric": r.symmetric,
            }
            for r in graph.vocab.relations.values()
        },
    }


def graph_json_text(graph: Graph) -> str:
    # one line per node and per edge: compact for the graph page, still readable in a diff
    data = graph_json(graph)
    lines = [
        f'{{"nodes": [\n{_rows(data["nodes"])}\n],',
        f'"edges": [\n{_rows(data["edges"])}\n],',
        f'"relations": {_json(data["relations"])}}}',
    ]
    return "\n".join(lines) + "\n"


def _rows(items: list[dict]) -> str:
    return ",\n".join(_json(i) for i in items)


def _json(data) -> str:
    """JSON in which no page's text can form an HTML tag or entity, wherever a tool pastes it:
    < > & appear only inside strings, where \\u escapes mean the same characters."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def llms_txt(graph: Graph, site_name: str, description: str, base_url: str = "") -> str:
    """The llms.txt convention: an H1, a blockquote, then one H2 list of links per page type."""
    base = base_url.rstrip("/") + "/" if base_url else ""
    out = [f"# {site_name}", "", f"> {' '.join(description.split())}", ""]
    out += [
        "Every page has a Markdown version at its URL followed by index.html.md; the links below "
        f"point to those. The typed relations between pages are in [graph.json]({base}graph.json).",
        "",
    ]
    for type_name, nodes in graph.by_type().items():
        if not nodes:
            continue
        out += [f"## {graph.vocab.types[type_name].plural}", ""]
        out += [
            f"- [{inline(n.title)}]({base}{markdown_url(n)}): {inline(n.summary)}" for n in nodes
        ]
        out.append("")
    return "\n".join(out)


def page_markdown(node: Node, graph: Graph, body: str) -> str:
    """A page as clean Markdown: metadata, the body with its code, its typed connections."""
    t = graph.vocab.types[node.type]
    lines = body.splitlines()
    title_line = next((i for i, ln in enumerate(lines) if ln.startswith("# ")), None)
    heading = lines[title_line] if title_line is not None else f"# {inline(node.title)}"
    if title_line is not None:
        lines = lines[:title_line] + lines[title_line + 1 :]
    out = [
        heading,
        "",
        f"> {inline(node.summary)}",
        "",
        f"- Type: {t.label}",
        f"- Domains: {inline(', '.join(node.domains))}",
        f"- Last updated: {node.last_updated.isoformat()}",
        "- Sources: "
        + "; ".join(f"[{inline(title)}]({link_target(link)})" for title, link in node.sources),
        "",
        "\n".join(lines).strip(),
        "",
        "## Connections",
        "",
    ]
    groups = graph.connections(node.id)
    root = site_root(node.src_uri)
    for label, items in groups:
        out.append(f"- {label}:")
        out += [
            f"    - [{inline(c.node.title)}]({root}{markdown_url(c.node)}): {inline(c.node.summary)}"
            for c in items
        ]
    if not groups:
        out.append("None yet.")
    out.append("")
    return "\n".join(out)
