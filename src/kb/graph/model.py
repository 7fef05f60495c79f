"""The knowledge graph: pages as nodes, typed relations as edges, and what views ask of it
(a page's connections, its neighbourhood).

Relations are written once, on the source page; every inverse is derived here. The graph is
built and checked in `kb.graph.relations`, read from a docs folder in `kb.graph.reading`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from kb.graph.vocabulary import Vocabulary

# the rest, so a page that hundreds of pages point to costs each of them a bounded graph
LOCAL_GRAPH_MAX_NODES = 60


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str
    order: int | None = None

    def fields(self) -> dict:
        return {
            "source": self.source,
            "target": self.target,
            "relation": self.relation,
            "order": self.order,
        }


@dataclass
class Node:
    id: str
    type: str
    title: str
    summary: str
    src_uri: str
    domains: list[str]
    sources: list[tuple[str, str]]
    last_updated: dt.date
    graph_depth: int = 1

    @property
    def url(self) -> str:
        """The page's URL relative to the site root (MkDocs' directory URLs)."""
        return self.src_uri.removesuffix(".md") + "/"

    def summary_fields(self) -> dict:
        """What every view of a page starts from: id, type, title, url, summary."""
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "url": self.url,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class Connection:
    """One line of a page's connections: a label and the pages under it."""

    label: str
    relation: str
    direction: str  # "out" or "in"
    node: Node
    order: int | None = None


@dataclass
class Graph:
    vocab: Vocabulary
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def by_type(self) -> dict[str, list[Node]]:
        groups: dict[str, list[Node]] = {t: [] for t in self.vocab.types}
        for node in self.nodes.values():
            groups[node.type].append(node)
        for nodes in groups.values():
            nodes.sort(key=lambda n: n.title.lower())
        return groups

    def _index(self) -> dict:
        """Edges by source, by target, and neighbours, built once per edge list: rebuilt when
        edges are appended or the list is replaced (reorder by replacing, not in place)."""
        key = (id(self.edges), len(self.edges))
        cached = getattr(self, "_cache", None)
        if cached is None or cached["key"] != key:
            out, into = defaultdict(list), defaultdict(list)
            for e in self.edges:
                out[e.source].append(e)
                into[e.target].append(e)
            undirected = nx.Graph()
            undirected.add_edges_from((e.source, e.target) for e in self.edges)
            position = {id(e): i for i, e in enumerate(self.edges)}
            cached = {
                "key": key,
                "out": out,
                "in": into,
                "undirected": undirected,
                "position": position,
            }
            self._cache = cached
        return cached

    def outgoing(self, page_id: str) -> list[Edge]:
        return list(self._index()["out"].get(page_id, ()))

    def incoming(self, page_id: str) -> list[Edge]:
        return list(self._index()["in"].get(page_id, ()))

    def connections(self, page_id: str) -> list[tuple[str, list[Connection]]]:
        """A page's relations grouped and labelled: outgoing first, then derived inverses.

        Symmetric relations (related) show once, whichever side wrote them.
        """
        groups: dict[tuple[str, str], list[Connection]] = defaultdict(list)
        order = list(self.vocab.relations)
        for e in self.outgoing(page_id):
            rel = self.vocab.relations[e.relation]
            groups[(e.relation, "out")].append(
                Connection(rel.label, e.relation, "out", self.nodes[e.target], e.order)
            )
        for e in self.incoming(page_id):
            rel = self.vocab.relations[e.relation]
            direction = "out" if rel.symmetric else "in"
            label = rel.label if rel.symmetric else rel.inverse
            if rel.ordered:
                label = f"Step {e.order} of"
            groups[(e.relation, direction)].append(
                Connection(label, e.relation, direction, self.nodes[e.source], e.order)
            )
        out: list[tuple[str, list[Connection]]] = []
        for direction in ("out", "in"):
            for name in order:
                items = groups.get((name, direction))
                if not items:
                    continue
                rel = self.vocab.relations[name]
                if rel.ordered and direction == "out":
                    items.sort(key=lambda c: c.order or 0)
                    out.append((rel.label, items))
                elif rel.ordered:
                    # "Step 3 of <workflow>": one group per step number
                    by_label: dict[str, list[Connection]] = defaultdict(list)
                    for c in sorted(items, key=lambda c: (c.order or 0, c.node.title)):
                        by_label[c.label].append(c)
                    out += list(by_label.items())
                else:
                    items.sort(key=lambda c: c.node.title.lower())
                    label = rel.label if direction == "out" else rel.inverse
                    out.append((label, items))
        return out

    def neighbourhood(
        self, page_id: str, depth: int = 1, limit: int | None = None
    ) -> tuple[dict[str, int], list[Edge]]:
        """Pages within `depth` edges of a page (either direction), with their distance, and
        the edges among them; with `limit`, only the `limit` nearest pages (nearer first, then
        by id)."""
        index = self._index()
        dist = {page_id: 0}
        if page_id in index["undirected"]:
            dist = nx.single_source_shortest_path_length(index["undirected"], page_id, depth)
        if limit is not None and len(dist) > limit:
            dist = {p: dist[p] for p in sorted(dist, key=lambda p: (dist[p], p))[:limit]}
        edges = [e for here in dist for e in index["out"].get(here, ()) if e.target in dist]
        edges.sort(key=lambda e: index["position"][id(e)])
        return dist, edges

    def reach(self, page_id: str, depth: int) -> int:
        """How many pages lie within `depth` edges of a page, itself included."""
        undirected = self._index()["undirected"]
        if page_id not in undirected:
            return 1
        return len(nx.single_source_shortest_path_length(undirected, page_id, depth))
