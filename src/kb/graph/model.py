"""The knowledge graph: pages as nodes, typed relations as edges, checked as a whole.

Relations are written once, on the source page; every inverse is derived here. `load` reads a
docs folder and returns the graph together with every problem found in it.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.graph.frontmatter import (
    PageMeta,
    PageSource,
    Problem,
    Step,
    Vocabulary,
    a,
    did_you_mean,
    either,
    load_yaml,
    one_of,
    read_page,
    split_front_matter,
    vocabulary,
)


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
            out, into, adjacent = defaultdict(list), defaultdict(list), defaultdict(set)
            for e in self.edges:
                out[e.source].append(e)
                into[e.target].append(e)
                adjacent[e.source].add(e.target)
                adjacent[e.target].add(e.source)
            adjacent = {k: sorted(v) for k, v in adjacent.items()}
            position = {id(e): i for i, e in enumerate(self.edges)}
            cached = {
                "key": key,
                "out": out,
                "in": into,
                "adjacent": adjacent,
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

    def neighbourhood(self, page_id: str, depth: int = 1) -> tuple[dict[str, int], list[Edge]]:
        """Pages within `depth` edges of a page (either direction), with their distance, and
        the edges among them."""
        index = self._index()
        adjacent = index["adjacent"]
        dist = {page_id: 0}
        queue = deque([page_id])
        while queue:
            here = queue.popleft()
            if dist[here] == depth:
                continue
            for there in adjacent.get(here, ()):
                if there not in dist:
                    dist[there] = dist[here] + 1
                    queue.append(there)
        edges = [e for here in dist for e in index["out"].get(here, ()) if e.target in dist]
        edges.sort(key=lambda e: index["position"][id(e)])
        return dist, edges


# ---------------------------------------------------------------------------------------------
# building and checking


def _node(page: PageSource, meta: PageMeta) -> Node:
    return Node(
        id=page.id,
        type=meta.type,
        title=meta.title.strip(),
        summary=" ".join(meta.summary.split()),
        src_uri=page.src_uri,
        domains=list(meta.domains),
        sources=[(s.title, str(s.link)) for s in meta.sources],
        last_updated=meta.last_updated,
        graph_depth=meta.graph_depth,
    )


def build(pages: list[PageSource], vocab: Vocabulary | None = None) -> tuple[Graph, list[Problem]]:
    """Turn checked pages into a graph; return it with every problem in the relations."""
    vocab = vocab or vocabulary()
    graph = Graph(vocab)
    problems: list[Problem] = []

    # ids are file names: unique across the whole knowledge base
    by_id: dict[str, list[PageSource]] = defaultdict(list)
    for page in pages:
        by_id[page.id].append(page)
    for page_id, same in sorted(by_id.items()):
        if len(same) > 1:
            for page in same[1:]:
                problems.append(
                    Problem(
                        page.path,
                        "",
                        f"page id '{page_id}' is already used by "
                        f"{same[0].path}; page ids are file names and must be unique across "
                        "all folders: rename one of the files",
                    )
                )
    titles: dict[str, PageSource] = {}
    for page in sorted(pages, key=lambda p: p.path):
        if page.meta is None:
            continue
        key = " ".join(page.meta.title.lower().split())
        if key in titles:
            problems.append(
                Problem(
                    page.path,
                    "title",
                    f"'{page.meta.title}' is already the title of "
                    f"{titles[key].path}; titles must be unique: make this one say what "
                    "sets the page apart",
                )
            )
        else:
            titles[key] = page

    valid = [p for p in pages if p.meta is not None and len(by_id[p.id]) == 1]
    # pages with front-matter problems still count as existing targets (no cascade of errors)
    known_types = {
        p.id: (p.meta.type if p.meta else p.raw.get("type")) for p in pages if p.raw or p.meta
    }
    for page in pages:
        if page.meta is not None and len(by_id[page.id]) == 1:
            graph.nodes[page.id] = _node(page, page.meta)

    written: set[tuple[str, str, str]] = set()
    for page in sorted(valid, key=lambda p: p.path):
        meta = page.meta
        assert meta is not None
        for rel_name, targets in meta.relations.items():
            where = f"relations.{rel_name}"
            rel = vocab.relations.get(rel_name)
            if rel is None:
                problems.append(
                    Problem(
                        page.path,
                        where,
                        f"unknown relation '{rel_name}'"
                        f"{did_you_mean(rel_name, vocab.relations)} (relations: "
                        f"{one_of(vocab.relations)})",
                    )
                )
                continue
            if meta.type not in rel.sources:
                fits = [n for n, r in vocab.relations.items() if meta.type in r.sources]
                problems.append(
                    Problem(
                        page.path,
                        where,
                        f"{a(meta.type)} page cannot have '{rel_name}': it "
                        f"goes from {_types(rel.sources)} to {_types(rel.targets)}; "
                        f"{a(meta.type)} page can have {either(fits)}",
                    )
                )
                continue
            if not targets:
                problems.append(
                    Problem(
                        page.path,
                        where,
                        "empty list: name at least one page id, or remove the relation",
                    )
                )
            seen: set[str] = set()
            numbers: list[int] = []
            for i, item in enumerate(targets):
                item_where = f"{where}[{i}]"
                if rel.ordered and not isinstance(item, Step):
                    problems.append(
                        Problem(
                            page.path,
                            item_where,
                            f"'{rel_name}' is ordered: write each item "
                            f"as {{n: {i + 1}, page: {item}}}",
                        )
                    )
                    continue
                if not rel.ordered and isinstance(item, Step):
                    problems.append(
                        Problem(
                            page.path,
                            item_where,
                            f"'{rel_name}' is not ordered: write the "
                            f"page id alone ({item.page}), without n",
                        )
                    )
                    continue
                target = item.page if isinstance(item, Step) else item
                if isinstance(item, Step):
                    numbers.append(item.n)
                target_problem = _check_target(page, target, item_where, rel, known_types, vocab)
                if target_problem:
                    problems.append(target_problem)
                    continue
                if target in seen:
                    problems.append(
                        Problem(
                            page.path,
                            item_where,
                            f"'{target}' is listed twice under '{rel_name}': remove this item",
                        )
                    )
                    continue
                seen.add(target)
                if target not in graph.nodes:
                    continue  # the target has its own problems, reported on its own page
                if rel.symmetric and (target, page.id, rel_name) in written:
                    problems.append(
                        Problem(
                            page.path,
                            item_where,
                            f"'{rel_name}' to '{target}' is also "
                            f"written on docs/{graph.nodes[target].src_uri}; "
                            "write it on one page only: the other side is derived",
                        )
                    )
                    continue
                written.add((page.id, target, rel_name))
                graph.edges.append(
                    Edge(page.id, target, rel_name, item.n if isinstance(item, Step) else None)
                )
            if rel.ordered and numbers and sorted(numbers) != list(range(1, len(numbers) + 1)):
                problems.append(
                    Problem(
                        page.path,
                        where,
                        f"steps are numbered {_nums(numbers)}; number them "
                        f"1..{len(numbers)}, each number once",
                    )
                )
            elif rel.ordered and numbers != sorted(numbers):
                problems.append(
                    Problem(
                        page.path,
                        where,
                        f"steps are listed in the order {_nums(numbers)}; "
                        f"list them in order 1..{len(numbers)}",
                    )
                )

        # what each page type must have
        if meta.type == "principle" and not meta.relations.get("implemented_by"):
            problems.append(
                Problem(
                    page.path,
                    "relations.implemented_by",
                    "a principle must name at least "
                    "one implementation page that puts it into practice: add relations: "
                    "{implemented_by: [<implementation page id>]}",
                )
            )
        if meta.type == "workflow" and not meta.relations.get("step"):
            problems.append(
                Problem(
                    page.path,
                    "relations.step",
                    "a workflow must list its steps: add "
                    "relations: {step: [{n: 1, page: <page id>}, ...]}",
                )
            )

    problems += _cycles(graph)
    rank = {name: i for i, name in enumerate(vocab.relations)}
    graph.edges = sorted(
        graph.edges, key=lambda e: (e.source, rank[e.relation], e.order or 0, e.target)
    )
    return graph, problems


def _types(names) -> str:
    return either(names, quote=False)


def _nums(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _check_target(page, target, where, rel, known_types, vocab) -> Problem | None:
    if target == page.id:
        return Problem(
            page.path, where, f"the page points to itself with '{rel.name}': remove this item"
        )
    if target not in known_types:
        cleaned = posixpath.basename(target).removesuffix(".md")
        if cleaned != target and cleaned in known_types:
            hint = f" — write the page id '{cleaned}' (the file name without folder or .md)"
        else:
            hint = did_you_mean(target, known_types)
        return Problem(page.path, where, f"no page has the id '{target}'{hint}")
    target_type = known_types[target]
    if target_type in vocab.types and target_type not in rel.targets:
        fits = [
            n
            for n, r in vocab.relations.items()
            if page.meta.type in r.sources and target_type in r.targets
        ]
        return Problem(
            page.path,
            where,
            f"'{rel.name}' must point to {_types(rel.targets)} "
            f"pages, but '{target}' is {a(target_type)} page; from {a(page.meta.type)} "
            f"to {a(target_type)} use {either(fits) if fits else 'no relation'}",
        )
    return None


def _cycles(graph: Graph) -> list[Problem]:
    """Each cycle in a relation that must not cycle, reported once, on its first page."""
    problems = []
    for name, rel in graph.vocab.relations.items():
        if not rel.acyclic:
            continue
        nexts: dict[str, list[str]] = defaultdict(list)
        for e in graph.edges:
            if e.relation == name:
                nexts[e.source].append(e.target)
        state: dict[str, int] = {}  # 1 on the stack, 2 done
        stack: list[str] = []
        found: set[frozenset] = set()

        def visit(v: str, nexts=nexts, state=state, stack=stack, found=found, name=name):
            state[v] = 1
            stack.append(v)
            for w in nexts[v]:
                if state.get(w) == 1:
                    cycle = stack[stack.index(w) :]
                    key = frozenset(cycle)
                    if key not in found:
                        found.add(key)
                        first = min(cycle)
                        i = cycle.index(first)
                        ring = cycle[i:] + cycle[:i] + [first]
                        problems.append(
                            Problem(
                                f"docs/{graph.nodes[first].src_uri}",
                                f"relations.{name}",
                                f"'{name}' must not cycle, but it does: "
                                + " → ".join(ring)
                                + "; remove one of these links",
                            )
                        )
                elif w not in state:
                    visit(w)
            stack.pop()
            state[v] = 2

        for v in sorted(nexts):
            if v not in state:
                visit(v)
    return problems


def load(docs: Path, vocab: Vocabulary | None = None) -> tuple[Graph, list[Problem]]:
    """Read every page in the type folders of `docs` and check the whole graph.

    Pages outside the type folders (home, contributing...) are not nodes; a page there that
    declares a page type is reported, as is a type folder that is not in the vocabulary.
    """
    vocab = vocab or vocabulary()
    pages: list[PageSource] = []
    problems: list[Problem] = []
    for path in sorted(docs.rglob("*.md")):
        src_uri = path.relative_to(docs).as_posix()
        folder = src_uri.rpartition("/")[0]
        text = path.read_text(encoding="utf-8")
        if folder not in vocab.types:
            problems += _outside_type_folder(src_uri, folder, text, vocab)
            continue
        if src_uri == f"{folder}/index.md":
            problems.append(
                Problem(
                    f"docs/{src_uri}",
                    "",
                    f"the index of {folder} pages is generated: remove this file",
                )
            )
            continue
        page, page_problems = read_page(text, src_uri, vocab)
        pages.append(page)
        problems += page_problems
    graph, graph_problems = build(pages, vocab)
    return graph, problems + graph_problems


def _outside_type_folder(src_uri: str, folder: str, text: str, vocab: Vocabulary) -> list[Problem]:
    top = folder.split("/")[0]
    if top in ("assets",):
        return []
    if folder and top not in vocab.types and "/" not in folder:
        hint = did_you_mean(folder, vocab.types)
        if hint:
            return [
                Problem(
                    f"docs/{src_uri}",
                    "",
                    f"folder docs/{folder}/ is not a page type"
                    f"{hint} (page types: {one_of(vocab.types)})",
                )
            ]
    if top in vocab.types:
        return [
            Problem(
                f"docs/{src_uri}",
                "",
                f"pages of type {top} live directly in docs/{top}/, not in a subfolder",
            )
        ]
    yaml_text, _ = split_front_matter(text)
    try:
        raw = load_yaml(yaml_text or "") or {}
    except yaml.YAMLError:
        raw = {}
    if isinstance(raw, dict) and "type" in raw:
        t = raw["type"]
        return [
            Problem(
                f"docs/{src_uri}",
                "type",
                f"only pages in a type folder "
                f"(docs/<type>/) have a page type; move this page to docs/{t}/ or "
                "remove 'type'",
            )
        ]
    return []
