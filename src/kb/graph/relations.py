"""Building the graph from checked pages, and checking it as a whole: every relation's name,
source and target types, duplicates, step numbering, cycles, and what each page type must have.
Every problem is collected; nothing stops at the first.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict

import networkx as nx

from kb.graph.frontmatter import PageMeta, PageSource, Problem, Step
from kb.graph.model import Edge, Graph, Node
from kb.graph.vocabulary import Vocabulary, a, did_you_mean, either, one_of, vocabulary

# more relations than this on one page is a generated or pasted list, not a page's links: it is
# refused before it reaches the graph, whose local views grow with each page's neighbours
MAX_RELATIONS_PER_PAGE = 200


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
    # every page file is an existing target, even one whose front matter has problems (not
    # YAML, no front matter, not UTF-8): its own error is reported, not one per page linking it
    known_types = {p.id: _declared_type(p) for p in pages}
    for page in pages:
        if page.meta is not None and len(by_id[page.id]) == 1:
            graph.nodes[page.id] = _node(page, page.meta)

    written: set[tuple[str, str, str]] = set()
    for page in sorted(valid, key=lambda p: p.path):
        meta = page.meta
        assert meta is not None
        count = sum(len(targets) for targets in meta.relations.values())
        if count > MAX_RELATIONS_PER_PAGE:
            problems.append(
                Problem(
                    page.path,
                    "relations",
                    f"{count} relations; a page may name at most {MAX_RELATIONS_PER_PAGE}: "
                    "link the most relevant pages, or split the page",
                )
            )
            continue
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


def _declared_type(page: PageSource) -> str:
    if page.meta is not None:
        return page.meta.type
    kind = page.raw.get("type")
    return kind if isinstance(kind, str) else page.folder


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
    """Each cycle in a relation that must not cycle, reported once per knot of pages (a
    strongly connected component), on its first page. Linear in the graph: listing every
    elementary cycle instead can take exponential time on a hostile set of pages."""
    problems = []
    for name, rel in graph.vocab.relations.items():
        if not rel.acyclic:
            continue
        links = nx.DiGraph()
        links.add_edges_from((e.source, e.target) for e in graph.edges if e.relation == name)
        knots = [sorted(c) for c in nx.strongly_connected_components(links) if len(c) > 1]
        for knot in sorted(knots):
            cycle = [u for u, _ in nx.find_cycle(links.subgraph(knot), source=knot[0])]
            first = min(cycle)  # a self-link is reported on its own (components of one skipped)
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
    return problems
