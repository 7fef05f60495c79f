/* The knowledge graph in the browser: draws the graphs that src/kb/site/render.py puts on pages.

   Every graph is a div.kb-graph[data-kb-graph] holding a div.kb-graph-canvas to draw into and a
   script.kb-graph-data (JSON):
   - "local" (Page Connections, on each typed page): the pages within depth 2 of this one, laid
     out in rings by depth around it; buttons switch between depth 1 and 2.
   - "global" (the graph page): every page, fetched from graph.json (data-src), at the positions
     computed at build time (preset layout: nothing is laid out here), with a search box and
     filters by page type and by relation.
   Hovering a page highlights it and its neighbours; clicking (tapping) it opens it.
   For tests and the benchmark: window.kbGraphs = [{kind, cy, container}], container.dataset.ready
   once a graph is drawn, and for the global graph documentElement.dataset.kbGraphReady and
   window.kbGraphReadyAt. Plain ES2017, no build step. cytoscape (about 430 KB) is fetched only
   by a page that has a graph, from assets/vendor/ next to this file. */
(function () {
  "use strict";

  const LIBRARY = new URL("vendor/cytoscape.min.js", document.currentScript.src).href;

  const LABEL_CHARS = 48; // longer titles are cut on the canvas; the hovered page shows it whole
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // ---- colours: Material's custom properties, resolved for the current scheme -------------

  function parseRgba(text) {
    const m = /rgba?\(([^)]+)\)/.exec(text || "");
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }

  /* An opaque rgb() for a CSS colour (custom properties allowed), blended over `under`:
     cytoscape ignores the alpha channel, and Material's text colours are translucent. */
  function resolveColour(host, value, under, fallback) {
    const probe = document.createElement("span");
    probe.style.display = "none";
    probe.style.color = value;
    host.appendChild(probe);
    const c = parseRgba(getComputedStyle(probe).color);
    probe.remove();
    if (!c) return fallback;
    const base = under || [255, 255, 255];
    const mix = (i) => Math.round(c[i] * c[3] + base[i] * (1 - c[3]));
    return "rgb(" + mix(0) + "," + mix(1) + "," + mix(2) + ")";
  }

  function palette(host) {
    const bg = resolveColour(host, "var(--md-default-bg-color, #fff)", null, "rgb(255,255,255)");
    const under = parseRgba(bg);
    const colour = (name, fallback) => resolveColour(host, "var(" + name + ")", under, fallback);
    return {
      bg: bg,
      fg: colour("--md-default-fg-color", "rgb(33,33,33)"),
      muted: colour("--md-default-fg-color--light", "rgb(117,117,117)"),
      edge: colour("--md-default-fg-color--lighter", "rgb(173,173,173)"),
      accent: colour("--md-accent-fg-color", "rgb(82,108,254)"),
      font: getComputedStyle(host).fontFamily || "sans-serif",
    };
  }

  // ---- elements and style -----------------------------------------------------------------

  function readData(container) {
    const script = container.querySelector("script.kb-graph-data");
    return script ? JSON.parse(script.textContent) : null;
  }

  function shortTitle(title) {
    return title.length > LABEL_CHARS ? title.slice(0, LABEL_CHARS - 1).trimEnd() + "…" : title;
  }

  function nodeElement(n, style, position) {
    const t = style.types[n.type] || {};
    return {
      group: "nodes",
      data: {
        id: n.id,
        type: n.type,
        title: n.title,
        label: shortTitle(n.title),
        url: n.url,
        summary: n.summary || "",
        depth: n.depth || 0,
        colour: t.colour || "#888888",
        shape: t.shape || "ellipse",
        typeLabel: t.label || n.type,
      },
      position: position,
    };
  }

  /* Edges whose ends are both drawn; ids by index, since two relations may join the same pair. */
  function edgeElements(edges, style, ids) {
    return edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e, i) => {
        const r = style.relations[e.relation] || {};
        const data = {
          id: "e" + i,
          source: e.source,
          target: e.target,
          relation: e.relation,
          label: r.label || e.relation,
          line: r.line || "solid",
        };
        if (e.order != null) data.order = String(e.order); // step numbers are always shown
        return { group: "edges", data: data };
      });
  }

  /* sizes (model units): node, font, edge width, labelWidth (in fonts); minFont: labels that
     would be smaller than this on screen are not drawn */
  function stylesheet(pal, sizes) {
    const { node, font, edge } = sizes;
    const text = { color: pal.fg, "font-family": pal.font, "min-zoomed-font-size": sizes.minFont };
    return [
      {
        selector: "node",
        style: Object.assign({}, text, {
          "background-color": "data(colour)", shape: "data(shape)", width: node, height: node,
          "border-width": node / 16, "border-color": pal.bg, "overlay-opacity": 0,
          // a large graph measures and draws its labels only once zoomed in enough to read them
          label: sizes.large ? "" : "data(label)", "font-size": font, "text-valign": "bottom",
          "text-halign": "center",
          "text-margin-y": font / 3, "text-wrap": "wrap", "text-max-width": font * sizes.labelWidth,
          "text-outline-color": pal.bg, "text-outline-width": font / 6,
        }),
      },
      {
        selector: "edge",
        style: Object.assign({}, text, {
          width: edge, "line-color": pal.edge, "line-style": "data(line)",
          // bezier keeps two relations between the same pages apart; straight lines draw a
          // thousand-page graph several times faster
          "curve-style": sizes.large ? "straight" : "bezier",
          "target-arrow-shape": "triangle", "target-arrow-color": pal.edge, "arrow-scale": 0.9,
          "overlay-opacity": 0, color: pal.muted, "font-size": font * 0.85,
          "text-rotation": "autorotate", "text-background-color": pal.bg,
          "text-background-opacity": 0.9, "text-background-padding": font / 6,
        }),
      },
      { selector: "node.kb-labelled", style: { label: "data(label)" } },
      { selector: "edge[order]", style: { label: "data(order)" } }, // step numbers, always
      {
        selector: "node.kb-center", // the page of a local graph
        style: {
          width: node * 1.4, height: node * 1.4, "border-width": node / 6,
          "border-color": pal.accent, "font-weight": "bold",
        },
      },
      // hover: the page, its neighbours and the edges between them stand out, the rest fades
      { selector: ".kb-faded", style: { opacity: 0.15 } },
      { selector: "node.kb-highlight", style: { "z-index": 10 } },
      {
        selector: "edge.kb-highlight, edge.kb-hover",
        style: {
          label: "data(label)", "line-color": pal.fg, "target-arrow-color": pal.fg,
          color: pal.fg, width: edge * 1.8, "z-index": 10,
        },
      },
      {
        selector: "node.kb-hover, node:selected",
        style: {
          label: "data(title)", "border-width": node / 6, "border-color": pal.accent,
          "font-weight": "bold", "min-zoomed-font-size": 0, "z-index": 20,
        },
      },
      // filtered out (graph page) or beyond the chosen depth (local graph)
      { selector: ".kb-hidden", style: { display: "none" } },
    ];
  }

  function createCy(canvas, elements, options) {
    const defaults = {
      container: canvas,
      elements: elements,
      layout: { name: "preset", fit: false },
      boxSelectionEnabled: false,
      autoungrabify: true, // a drag pans the view, even one that starts on a page
      userZoomingEnabled: true,
      userPanningEnabled: true,
    };
    return cytoscape(Object.assign(defaults, options));
  }

  /* Apply the style changes that class changes left pending. cytoscape applies them lazily and
     caches visibility meanwhile: without this, ':visible' answers from before the change. */
  function settle(cy) {
    cy.elements().forEach((e) => e.pstyle("display"));
  }

  /* Run fn once cytoscape has drawn a frame. */
  function afterDraw(cy, fn) {
    cy.one("render", () => fn());
  }

  // ---- interactions shared by both graphs ---------------------------------------------------

  function highlight(cy, node) {
    cy.batch(() => {
      cy.elements().removeClass("kb-hover kb-highlight").addClass("kb-faded");
      node.closedNeighborhood().removeClass("kb-faded").addClass("kb-highlight");
      node.addClass("kb-hover");
    });
  }

  function clearHighlight(cy) {
    cy.elements().removeClass("kb-hover kb-highlight kb-faded");
  }

  /* Hover (or touch) highlights, leaving restores (the pinned search result, if any),
     click or tap opens the page. */
  function interact(graph, root) {
    const cy = graph.cy;
    const canvas = graph.canvas;
    const restore = () => (graph.pinned ? highlight(cy, graph.pinned) : clearHighlight(cy));
    cy.on("mouseover tapstart", "node", (e) => {
      const n = e.target;
      highlight(cy, n);
      canvas.style.cursor = "pointer";
      canvas.title = n.data("title") + " (" + n.data("typeLabel") + ")\n" + n.data("summary");
    });
    cy.on("mouseout", "node", () => {
      restore();
      canvas.style.cursor = "";
      canvas.removeAttribute("title");
    });
    // a finger lifted (after a tap, or a drag that started on a page) leaves no highlight
    cy.on("tapend", "node", (e) => {
      if (/^touch/.test((e.originalEvent || {}).type)) restore();
    });
    cy.on("mouseover", "edge", (e) => e.target.addClass("kb-hover"));
    cy.on("mouseout", "edge", (e) => e.target.removeClass("kb-hover"));
    cy.on("tap", "node", (e) => {
      window.location.href = root + e.target.data("url");
    });
    cy.on("tap", (e) => {
      if (e.target !== cy) return; // the background: forget the search result
      graph.pinned = null;
      cy.nodes().unselect();
      clearHighlight(cy);
    });
  }

  // ---- local graph: Page Connections ----------------------------------------------------------

  function initLocal(container) {
    const data = readData(container);
    const canvas = container.querySelector(".kb-graph-canvas");
    const pal = palette(container);
    // on a narrow (phone) canvas, narrower labels keep the rings, and so the text, larger
    const narrow = canvas.clientWidth < 500;
    const sizes = { node: 24, font: narrow ? 13 : 11, labelWidth: narrow ? 6 : 11, edge: 1.5 };
    sizes.minFont = 0; // a handful of pages: every label, at any zoom
    const ids = new Set(data.nodes.map((n) => n.id));
    // distinct starting points on a circle: edges between nodes that overlap cannot be drawn
    const step = (2 * Math.PI) / data.nodes.length;
    const elements = data.nodes
      .map((n, i) => {
        const at = { x: 300 * Math.cos(i * step), y: 300 * Math.sin(i * step) };
        return nodeElement(n, data.style, at);
      })
      .concat(edgeElements(data.edges, data.style, ids));
    const cy = createCy(canvas, elements, {
      style: stylesheet(pal, sizes),
      minZoom: 0.3,
      maxZoom: 2,
    });
    cy.getElementById(data.center).addClass("kb-center");
    const graph = { kind: "local", cy: cy, container: container, canvas: canvas, pinned: null };
    graph.restyle = () => cy.style(stylesheet(palette(container), sizes));
    interact(graph, data.root);

    const buttons = Array.from(container.querySelectorAll("button.kb-depth"));
    function showDepth(depth) {
      container.dataset.depth = String(depth);
      buttons.forEach((b) => b.setAttribute("aria-pressed", String(+b.dataset.depth === depth)));
      cy.batch(() => {
        cy.nodes().forEach((n) => n.toggleClass("kb-hidden", n.data("depth") > depth));
      });
      settle(cy);
      // rings by depth around the page; labels count, so that they do not overlap
      cy.nodes()
        .not(".kb-hidden")
        .layout({
          name: "concentric",
          concentric: (n) => 10 - n.data("depth"),
          levelWidth: () => 1,
          minNodeSpacing: 24,
          nodeDimensionsIncludeLabels: true,
          startAngle: (3 / 2) * Math.PI,
          animate: false,
          fit: true,
          padding: 20,
        })
        .run();
    }
    buttons.forEach((b) => b.addEventListener("click", () => showDepth(+b.dataset.depth)));
    showDepth(+container.dataset.depth === 2 ? 2 : 1);
    afterDraw(cy, () => {
      container.dataset.ready = "true";
    });
    return graph;
  }

  // ---- global graph: the graph page ------------------------------------------------------------

  /* The whole graph in the canvas (positions only: margins leave room for the labels), and
     sizes so that a page is about 20px and its label 13px there, never so large that
     neighbours overlap: with a thousand pages the labels show as one zooms in. */
  function globalView(canvas, points) {
    const W = canvas.clientWidth || 600;
    const H = canvas.clientHeight || 400;
    const xs = points.map((p) => p[0]).concat(0);
    const ys = points.map((p) => p[1]).concat(0);
    const x0 = Math.min(...xs);
    const y0 = Math.min(...ys);
    const w = Math.max(Math.max(...xs) - x0, 1);
    const h = Math.max(Math.max(...ys) - y0, 1);
    const margin = { side: Math.min(80, W / 5), top: 20, bottom: 60 };
    const zoom = Math.max(
      Math.min((W - 2 * margin.side) / w, (H - margin.top - margin.bottom) / h, 2),
      0.001
    );
    const pan = {
      x: (W - w * zoom) / 2 - x0 * zoom,
      y: margin.top + (H - margin.top - margin.bottom - h * zoom) / 2 - y0 * zoom,
    };
    const spacing = Math.sqrt((w * h) / Math.max(points.length, 1));
    const sizes = {
      node: Math.min(20 / zoom, spacing * 0.45),
      font: Math.min(13 / zoom, spacing * 0.3),
      edge: Math.min(1.5 / zoom, spacing * 0.04),
      labelWidth: 11,
      minFont: 8,
    };
    return { zoom: zoom, pan: pan, sizes: sizes };
  }

  function findNode(cy, query) {
    const q = query.trim().toLowerCase();
    if (!q) return null;
    const nodes = cy.nodes().toArray();
    const title = (n) => n.data("title").toLowerCase();
    return (
      nodes.find((n) => n.data("title") === query.trim()) ||
      nodes.find((n) => title(n).startsWith(q)) ||
      nodes.find((n) => title(n).includes(q)) ||
      null
    );
  }

  async function initGlobal(container, graphs, json) {
    const extra = readData(container);
    const canvas = container.querySelector(".kb-graph-canvas");
    const status = container.querySelector(".kb-graph-status");
    const say = (text) => {
      if (status) status.textContent = text;
    };
    const src = container.dataset.src;
    let data;
    try {
      data = await json;
      performance.mark("kb-graph:data");
    } catch (err) {
      say("The graph could not be loaded (" + err.message + "); every page is listed below.");
      return;
    }
    const root = src.replace(/graph\.json$/, "");
    const positions = extra.positions || {};
    const at = (id) => {
      const p = positions[id] || [0, 0];
      return { x: p[0], y: p[1] };
    };
    const ids = new Set(data.nodes.map((n) => n.id));
    const elements = data.nodes
      .map((n) => nodeElement(n, extra.style, at(n.id)))
      .concat(edgeElements(data.edges, extra.style, ids));
    const pal = palette(container);
    const view = globalView(canvas, data.nodes.map((n) => [at(n.id).x, at(n.id).y]));
    const large = elements.length > 1500;
    const sizes = Object.assign({ large: large }, view.sizes);
    const cy = createCy(canvas, elements, {
      style: stylesheet(pal, sizes),
      zoom: view.zoom,
      pan: view.pan,
      minZoom: view.zoom / 4, // a little further out than the whole graph, no further
      maxZoom: Math.max(6, 60 / sizes.node), // close enough for a page to fill a phone
      textureOnViewport: large, // a big graph pans and zooms as one picture
      hideEdgesOnViewport: large,
      pixelRatio: large ? 1 : "auto",
    });
    performance.mark("kb-graph:created");
    if (large) {
      let labelled = false;
      const readable = () => {
        const on = cy.zoom() * sizes.font >= sizes.minFont;
        if (on !== labelled) {
          labelled = on;
          cy.batch(() => cy.nodes().toggleClass("kb-labelled", on));
        }
      };
      cy.on("zoom", readable);
      readable();
    }
    const graph = { kind: "global", cy: cy, container: container, canvas: canvas, pinned: null };
    graphs.push(graph);
    graph.restyle = () => cy.style(stylesheet(palette(container), sizes));
    interact(graph, root);

    const typeBoxes = Array.from(container.querySelectorAll("input[data-filter-type]"));
    const relBoxes = Array.from(container.querySelectorAll("input[data-filter-relation]"));

    // filters: an unchecked type hides its pages (and so their edges), a relation its edges
    function applyFilters() {
      const off = (boxes, key) =>
        new Set(boxes.filter((b) => !b.checked).map((b) => b.dataset[key]));
      const types = off(typeBoxes, "filterType");
      const relations = off(relBoxes, "filterRelation");
      cy.batch(() => {
        cy.nodes().forEach((n) => n.toggleClass("kb-hidden", types.has(n.data("type"))));
        cy.edges().forEach((e) => e.toggleClass("kb-hidden", relations.has(e.data("relation"))));
      });
      settle(cy);
      if (graph.pinned && graph.pinned.hasClass("kb-hidden")) {
        graph.pinned = null;
        cy.nodes().unselect();
        clearHighlight(cy);
      }
      const pages = cy.nodes(":visible").length;
      const rels = cy.edges(":visible").length;
      say("Showing " + pages + " of " + cy.nodes().length + " pages and " + rels + " of " +
        cy.edges().length + " relations.");
    }
    typeBoxes.concat(relBoxes).forEach((b) => b.addEventListener("change", applyFilters));

    // search: select the page, centre on it, highlight its neighbours
    const input = container.querySelector("input[data-graph-search]");
    function focusNode(node) {
      const box = typeBoxes.find((b) => b.dataset.filterType === node.data("type"));
      if (box && !box.checked) {
        box.checked = true; // a page searched for is shown even if its type was filtered out
        applyFilters();
      }
      graph.pinned = node;
      cy.nodes().unselect();
      node.select();
      highlight(cy, node);
      const zoom = Math.min(Math.max(cy.zoom(), 48 / sizes.node), cy.maxZoom());
      cy.stop();
      cy.animate({ zoom: zoom, center: { eles: node } }, { duration: reducedMotion ? 0 : 300 });
      const n = node.neighborhood("node").length;
      say("Found “" + node.data("title") + "” (" + node.data("typeLabel") + "), connected to " +
        n + " page" + (n === 1 ? "" : "s") + ". Click it to open it.");
    }
    function search() {
      const query = input.value;
      if (!query.trim()) return;
      const node = findNode(cy, query);
      if (node) focusNode(node);
      else say("No page title matches “" + query.trim() + "”.");
    }
    if (input) {
      input.addEventListener("change", search);
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          search();
        }
      });
    }

    say("Showing all " + cy.nodes().length + " pages and " + cy.edges().length + " relations.");
    afterDraw(cy, () => {
      container.dataset.ready = "true";
      document.documentElement.dataset.kbGraphReady = "true";
      window.kbGraphReadyAt = performance.now();
      performance.mark("kb-graph:ready");
    });
  }

  // ---- start ---------------------------------------------------------------------------------

  /* Load cytoscape once; resolves false when it cannot be loaded (the plain lists stay). */
  function loadLibrary() {
    if (typeof window.cytoscape === "function") return Promise.resolve(true);
    return new Promise((resolve) => {
      const script = document.createElement("script");
      script.src = LIBRARY;
      script.onload = () => resolve(typeof window.cytoscape === "function");
      script.onerror = () => resolve(false);
      document.head.appendChild(script);
    });
  }

  async function fetchJson(src) {
    const response = await fetch(src);
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  /* This script comes last in the body, so the graphs above it are parsed already: the library
     and graph.json are requested now, side by side, and drawn from once the page is ready. */
  const containers = Array.from(document.querySelectorAll(".kb-graph[data-kb-graph]"));
  const library = containers.length ? loadLibrary() : null;
  const data = new Map();
  containers.forEach((container) => {
    if (container.dataset.kbGraph !== "global") return;
    const src = container.dataset.src;
    const json = src ? fetchJson(src) : Promise.reject(new Error("no data-src"));
    json.catch(() => {}); // a failure is reported by initGlobal, not as an unhandled rejection
    data.set(container, json);
  });

  async function start() {
    if (!containers.length) return; // a page without a graph: nothing to load or draw
    if (!(await library)) return;
    const graphs = (window.kbGraphs = window.kbGraphs || []);
    containers.forEach((container) => {
      const parts = [".kb-graph-canvas", "script.kb-graph-data"];
      if (!parts.every((sel) => container.querySelector(sel))) return; // not a graph to draw
      if (container.dataset.kbGraph === "local") graphs.push(initLocal(container));
      else if (container.dataset.kbGraph === "global") {
        initGlobal(container, graphs, data.get(container));
      }
    });
    // Material's light/dark toggle changes the body's scheme: redraw with its colours
    new MutationObserver(() => graphs.forEach((g) => g.restyle())).observe(document.body, {
      attributes: true,
      attributeFilter: ["data-md-color-scheme", "data-md-color-primary", "data-md-color-accent"],
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
