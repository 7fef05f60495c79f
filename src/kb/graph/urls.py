"""Where a page's links point: the site root seen from a page (MkDocs' directory URLs, where
docs/<type>/<id>.md is served at <type>/<id>/). Used by the exports and by the site."""

from __future__ import annotations


def site_root(from_src: str) -> str:
    """The site root relative to the page built from `from_src` (directory URLs)."""
    if from_src == "index.md":
        return "./"
    depth = from_src.removesuffix(".md").removesuffix("index").rstrip("/").count("/") + 1
    return "../" * depth
