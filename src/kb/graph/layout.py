"""Positions for the site-wide graph, computed once at build time.

A force-directed layout (Fruchterman-Reingold) in numpy, seeded from a circle on which pages of
one type sit together, so the browser only draws: the graph page is interactive at once even
with a thousand pages. Deterministic: the same graph gives the same picture.
"""

from __future__ import annotations

import math

import numpy as np

from kb.graph import Graph


def positions(graph: Graph, size: float = 1000.0, iterations: int | None = None):
    """{page id: (x, y)} in a square of side `size` centred on 0."""
    groups = graph.by_type()
    ids = [n.id for nodes in groups.values() for n in nodes]
    n = len(ids)
    if n == 0:
        return {}
    if n == 1:
        return {ids[0]: (0.0, 0.0)}
    index = {page_id: i for i, page_id in enumerate(ids)}
    angle = np.linspace(0, 2 * math.pi, n, endpoint=False)
    pos = np.stack([np.cos(angle), np.sin(angle)], axis=1) * size / 2
    rng = np.random.default_rng(0)
    pos += rng.normal(scale=size / 100, size=pos.shape)

    pairs = np.array(
        [(index[e.source], index[e.target]) for e in graph.edges] or np.zeros((0, 2)), dtype=int
    ).reshape(-1, 2)
    k = size / math.sqrt(n)  # ideal distance
    iterations = iterations or (120 if n <= 200 else 60)
    temperature = size / 10
    pos = pos.astype(np.float32)
    for _ in range(iterations):
        # per axis in float32: no n×n×2 array, a tenth of the time at a thousand pages
        dx = pos[:, 0, None] - pos[None, :, 0]
        dy = pos[:, 1, None] - pos[None, :, 1]
        dist2 = dx * dx + dy * dy + np.float32(1e-6)
        np.fill_diagonal(dist2, np.inf)
        push = np.float32(k * k) / dist2  # repulsion k²/d along the unit vector
        disp = np.stack([(dx * push).sum(1), (dy * push).sum(1)], axis=1)
        if len(pairs):
            d = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            length = np.sqrt((d**2).sum(-1))[:, None] + 1e-9
            pull = d * length / k  # attraction
            np.add.at(disp, pairs[:, 0], -pull)
            np.add.at(disp, pairs[:, 1], pull)
        disp -= pos * 0.02  # a little gravity keeps unconnected pages on screen
        length = np.sqrt((disp**2).sum(-1))[:, None] + 1e-9
        pos += (disp / length * np.minimum(length, temperature)).astype(np.float32)
        temperature *= 0.96
    pos -= pos.mean(0)
    scale = np.abs(pos).max() or 1.0
    pos = pos / scale * size / 2
    return {
        page_id: (round(float(x), 1), round(float(y), 1))
        for page_id, (x, y) in zip(ids, pos, strict=True)
    }
