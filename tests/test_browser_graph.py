"""The knowledge graph in a real browser: the graph page and each page's local graph, drawn by
docs/assets/kb-graph.js with cytoscape, checked against graph.json as the server serves it.

Clicks, hovers and taps are real input events at a node's place on the screen (cytoscape's
renderedPosition plus the canvas's box), never calls of the handlers.
"""

from __future__ import annotations

import json
from collections import Counter, deque
from urllib.request import urlopen

import browser_support
import pytest
import yaml

from kb.project import ROOT

# the shared fixtures (tests/browser_support.py): the served site, chromium, a watched page
base_url = browser_support.base_url
browser = browser_support.browser
page = browser_support.page

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
GRAPH = "kbGraphs.find(g => g.kind === '{kind}')"
# where a node is on the screen: canvas box + rendered position (null if not drawn)
NODE_POINT = """([kind, id]) => {
  const g = kbGraphs.find(g => g.kind === kind);
  const n = g.cy.getElementById(id);
  if (!n.length || !n.visible()) return null;
  const box = g.container.querySelector('.kb-graph-canvas').getBoundingClientRect();
  const p = n.renderedPosition();
  return {x: box.left + p.x, y: box.top + p.y};
}"""


@pytest.fixture(scope="module")
def kb(base_url):
    """graph.json as served, with the neighbours of each page (either direction)."""
    with urlopen(f"{base_url}/graph.json") as response:
        data = json.load(response)
    adjacent = {n["id"]: set() for n in data["nodes"]}
    for e in data["edges"]:
        adjacent[e["source"]].add(e["target"])
        adjacent[e["target"]].add(e["source"])
    data["adjacent"] = adjacent
    data["by_id"] = {n["id"]: n for n in data["nodes"]}
    return data


def within(kb, start: str, depth: int) -> set[str]:
    """The pages at most `depth` edges from `start`, in either direction."""
    seen = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if seen[here] < depth:
            for there in kb["adjacent"][here] - seen.keys():
                seen[there] = seen[here] + 1
                queue.append(there)
    return set(seen)


def scroll_to_canvas(pg):
    """Bring the canvas into view, and wait two frames: cytoscape learns where its canvas is from
    the scroll event, which comes with the next frame, and places the pointer by it."""
    pg.locator(".kb-graph-canvas").scroll_into_view_if_needed()
    pg.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def open_graph_page(pg, base_url):
    pg.goto(f"{base_url}/graph/")
    pg.wait_for_function("document.documentElement.dataset.kbGraphReady === 'true'")
    scroll_to_canvas(pg)


def open_local(pg, base_url, node):
    pg.goto(f"{base_url}/{node['url']}")
    pg.wait_for_selector('.kb-graph[data-kb-graph="local"][data-ready="true"]', state="attached")
    return pg.locator('.kb-graph[data-kb-graph="local"]')


def visible(pg, kind: str, what: str = "nodes") -> list:
    return pg.evaluate(f"{GRAPH.format(kind=kind)}.cy.{what}(':visible').map(e => e.id())")


def visible_edges(pg, kind: str) -> Counter:
    return Counter(
        tuple(e)
        for e in pg.evaluate(
            f"{GRAPH.format(kind=kind)}.cy.edges(':visible')"
            ".map(e => [e.data('source'), e.data('target'), e.data('relation')])"
        )
    )


def edge_keys(edges) -> Counter:
    return Counter((e["source"], e["target"], e["relation"]) for e in edges)


def point(pg, node_id: str, kind: str = "global") -> dict:
    """The node's centre in the viewport; fails if it is not drawn or off screen."""
    p = pg.evaluate(NODE_POINT, [kind, node_id])
    assert p is not None, f"{node_id} is not drawn"
    size = pg.viewport_size
    assert 0 < p["x"] < size["width"] and 0 < p["y"] < size["height"], (node_id, p, size)
    return p


def classes(pg, node_id: str) -> list[str]:
    return pg.evaluate(
        f"id => {GRAPH.format(kind='global')}.cy.getElementById(id).classes()", node_id
    )


def status(pg) -> str:
    return pg.locator(".kb-graph-status").inner_text()


# ---------------------------------------------------------------------------------------------
# the graph page


def test_graph_page_draws_every_page_and_relation(page, base_url, kb):
    open_graph_page(page, base_url)
    drawn = page.evaluate(f"{GRAPH.format(kind='global')}.cy.nodes().map(n => n.id())")
    assert sorted(drawn) == sorted(n["id"] for n in kb["nodes"])
    assert sorted(visible(page, "global")) == sorted(drawn)
    assert visible_edges(page, "global") == edge_keys(kb["edges"])
    assert f"{len(kb['nodes'])} pages and {len(kb['edges'])} relations" in status(page)
    assert page.evaluate("typeof window.kbGraphReadyAt") == "number"
    assert page.kb_errors == [] and page.kb_warnings == [] and page.kb_foreign == []


def test_clicking_a_node_opens_its_page(page, base_url, kb):
    open_graph_page(page, base_url)
    node = kb["nodes"][-1]
    p = point(page, node["id"])
    with page.expect_navigation():
        page.mouse.click(p["x"], p["y"])
    assert page.url == f"{base_url}/{node['url']}"
    assert page.locator(".md-content h1").first.inner_text().rstrip("¶ \n") == node["title"]


def test_type_and_relation_filters_hide_exactly_their_elements(page, base_url, kb):
    open_graph_page(page, base_url)
    all_ids = {n["id"] for n in kb["nodes"]}
    type_name, _ = Counter(n["type"] for n in kb["nodes"]).most_common(1)[0]
    of_type = {n["id"] for n in kb["nodes"] if n["type"] == type_name}
    box = page.locator(f'input[data-filter-type="{type_name}"]')

    box.uncheck()
    assert set(visible(page, "global")) == all_ids - of_type
    kept = [e for e in kb["edges"] if e["source"] not in of_type and e["target"] not in of_type]
    assert visible_edges(page, "global") == edge_keys(kept)
    assert f"Showing {len(all_ids - of_type)} of {len(all_ids)} pages" in status(page)
    box.check()
    assert set(visible(page, "global")) == all_ids

    relation, count = Counter(e["relation"] for e in kb["edges"]).most_common(1)[0]
    box = page.locator(f'input[data-filter-relation="{relation}"]')
    box.uncheck()
    kept = [e for e in kb["edges"] if e["relation"] != relation]
    assert visible_edges(page, "global") == edge_keys(kept)
    assert set(visible(page, "global")) == all_ids  # pages stay
    assert f"{len(kb['edges']) - count} of {len(kb['edges'])} relations" in status(page)
    box.check()
    assert visible_edges(page, "global") == edge_keys(kb["edges"])
    assert page.kb_errors == [] and page.kb_warnings == []


def unique_fragment(kb) -> tuple[dict, str]:
    """A page and a lower-case piece from the middle of its title that no other title has."""
    titles = [n["title"].lower() for n in kb["nodes"]]
    for node in kb["nodes"]:
        title = node["title"].lower()
        for start in range(1, len(title) - 6):
            piece = title[start : start + 6]
            if sum(piece in t for t in titles) == 1 and not title.startswith(piece):
                return node, piece
    pytest.fail("no title has a piece of its own")


def wait_focused(pg, node_id: str):
    """Wait until the node is selected and (after the animation) inside the canvas."""
    pg.wait_for_function(
        """id => {
          const cy = kbGraphs.find(g => g.kind === 'global').cy;
          const n = cy.getElementById(id), p = n.renderedPosition();
          return n.selected() && cy.nodes(':selected').length === 1 && !cy.animated()
            && p.x > 0 && p.y > 0 && p.x < cy.width() && p.y < cy.height();
        }""",
        arg=node_id,
    )


def test_search_selects_centres_and_announces_a_page(page, base_url, kb):
    open_graph_page(page, base_url)
    search = page.locator("input[data-graph-search]")
    away = f"void {GRAPH.format(kind='global')}.cy.panBy({{x: -5000, y: -5000}})"

    # a piece from inside a title (substring match), confirmed with Enter
    node, piece = unique_fragment(kb)
    page.evaluate(away)
    search.fill(piece.upper())
    search.press("Enter")
    wait_focused(page, node["id"])
    assert node["title"] in status(page)
    for other in kb["adjacent"][node["id"]]:
        assert "kb-highlight" in classes(page, other), other

    # an exact title, committed by leaving the field (the change event)
    node = kb["nodes"][0]
    page.evaluate(away)
    search.fill(node["title"])
    search.press("Tab")
    wait_focused(page, node["id"])
    assert node["title"] in status(page)

    search.fill("no page is called this")
    search.press("Enter")
    assert "No page title matches" in status(page)
    assert page.kb_errors == [] and page.kb_warnings == []


def test_hover_highlights_a_node_and_its_neighbours(page, base_url, kb):
    open_graph_page(page, base_url)
    node_id = max(kb["adjacent"], key=lambda i: len(kb["adjacent"][i]))
    neighbours = kb["adjacent"][node_id]
    others = set(kb["by_id"]) - neighbours - {node_id}
    p = point(page, node_id)
    page.mouse.move(p["x"], p["y"])
    page.wait_for_function(
        f"id => {GRAPH.format(kind='global')}.cy.$id(id).hasClass('kb-hover')", arg=node_id
    )
    for n in neighbours:
        assert "kb-highlight" in classes(page, n) and "kb-faded" not in classes(page, n), n
    for n in others:
        assert "kb-faded" in classes(page, n), n
    # away from the node (a corner of the canvas), everything is back to normal
    box = page.locator(".kb-graph-canvas").bounding_box()
    page.mouse.move(box["x"] + 3, box["y"] + 3)
    page.wait_for_function(f"{GRAPH.format(kind='global')}.cy.$('.kb-faded, .kb-hover').empty()")


def test_plain_list_links_every_page_once(page, base_url, kb):
    page.goto(f"{base_url}/graph/")
    hrefs = page.eval_on_selector_all(
        ".kb-graph-list > ul > li", "items => items.map(li => li.querySelector(':scope > a').href)"
    )
    assert sorted(hrefs) == sorted(f"{base_url}/{n['url']}" for n in kb["nodes"])


def test_graph_follows_the_colour_scheme(page, base_url, kb):
    open_graph_page(page, base_url)
    colour = f"{GRAPH.format(kind='global')}.cy.nodes()[0].style('color')"
    light = page.evaluate(colour)
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    page.wait_for_function(f"{colour} !== {json.dumps(light)}")
    dark = page.evaluate(colour)
    # light text on the dark scheme: each channel well above the light scheme's
    channels = [int(c) for c in dark[dark.index("(") + 1 : -1].split(",")[:3]]
    assert min(channels) > 150, dark


# ---------------------------------------------------------------------------------------------
# the typed pages


def test_every_local_graph_loads_clean_and_shows_depth_one_then_two(page, base_url, kb):
    # one pass over every page: opening each costs about half a second
    for node in kb["nodes"]:
        graph = open_local(page, base_url, node)
        initial = int(graph.get_attribute("data-depth"))
        pressed = graph.locator('button.kb-depth[aria-pressed="true"]')
        assert pressed.get_attribute("data-depth") == str(initial), node["id"]
        assert set(visible(page, "local")) == within(kb, node["id"], initial), node["id"]

        for depth in (1, 2):
            graph.locator(f'button.kb-depth[data-depth="{depth}"]').click()
            shown = within(kb, node["id"], depth)
            assert set(visible(page, "local")) == shown, (node["id"], depth)
            among = [e for e in kb["edges"] if e["source"] in shown and e["target"] in shown]
            assert visible_edges(page, "local") == edge_keys(among), (node["id"], depth)
            assert graph.get_attribute("data-depth") == str(depth)
            assert pressed.count() == 1 and pressed.get_attribute("data-depth") == str(depth)
        centre = page.evaluate(f"{GRAPH.format(kind='local')}.cy.$('.kb-center').map(n => n.id())")
        assert centre == [node["id"]]
    assert page.kb_errors == [] and page.kb_warnings == [] and page.kb_foreign == []


def test_clicking_a_local_node_opens_its_page(page, base_url, kb):
    node = max(kb["nodes"], key=lambda n: len(kb["adjacent"][n["id"]]))
    open_local(page, base_url, node)
    scroll_to_canvas(page)
    target = kb["by_id"][sorted(kb["adjacent"][node["id"]])[0]]
    p = point(page, target["id"], "local")
    with page.expect_navigation():
        page.mouse.click(p["x"], p["y"])
    assert page.url == f"{base_url}/{target['url']}"


def test_graph_page_loads_without_errors_or_outside_requests(page, base_url, kb):
    open_graph_page(page, base_url)
    page.goto(f"{base_url}/")  # a page without a graph: the script does nothing
    assert page.evaluate("window.kbGraphs") is None
    assert page.kb_errors == []
    assert page.kb_warnings == []
    assert page.kb_foreign == []


def test_graph_library_is_fetched_only_by_pages_with_a_graph(page, base_url, kb):
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "cytoscape" in r.url else None)
    page.goto(f"{base_url}/")
    page.wait_for_load_state("networkidle")
    assert fetched == []
    open_local(page, base_url, kb["nodes"][0])
    assert fetched == [f"{base_url}/assets/vendor/cytoscape.min.js"]


def test_type_badges_have_the_vocabulary_colours(page, base_url, kb):
    vocab = yaml.safe_load((ROOT / "src/kb/graph/vocabulary.yaml").read_text(encoding="utf-8"))
    for type_name in {n["type"] for n in kb["nodes"]}:
        node = next(n for n in kb["nodes"] if n["type"] == type_name)
        page.goto(f"{base_url}/{node['url']}")
        border = page.locator(".kb-header .kb-type").evaluate(
            "e => getComputedStyle(e).borderTopColor"
        )
        hex_colour = vocab["types"][type_name]["colour"].lstrip("#")
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
        assert border == "rgb({}, {}, {})".format(*rgb), type_name


# ---------------------------------------------------------------------------------------------
# on a phone


def test_phone_graph_fits_and_a_tap_opens_a_page(browser, base_url, kb):
    with browser_support.new_page(browser, **PHONE) as pg:
        open_graph_page(pg, base_url)
        assert pg.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        box = pg.locator(".kb-graph-canvas").bounding_box()
        assert box["width"] >= 300 and box["height"] >= 250, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        # on a phone the graph is dense: tap the page drawn farthest from any other, so that
        # the tap is unambiguous whatever the layout
        points = {n["id"]: point(pg, n["id"]) for n in kb["nodes"]}

        def room(page_id: str) -> float:
            p = points[page_id]
            return min(
                (p["x"] - q["x"]) ** 2 + (p["y"] - q["y"]) ** 2
                for other, q in points.items()
                if other != page_id
            )

        node = max(kb["nodes"], key=lambda n: room(n["id"]))
        p = points[node["id"]]
        with pg.expect_navigation():
            pg.touchscreen.tap(p["x"], p["y"])
        assert pg.url == f"{base_url}/{node['url']}"
        # a typed page, with its local graph, fits the phone as well
        pg.wait_for_selector('.kb-graph[data-kb-graph="local"][data-ready=true]', state="attached")
        assert pg.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
        assert pg.kb_errors == [] and pg.kb_warnings == [] and pg.kb_foreign == []
