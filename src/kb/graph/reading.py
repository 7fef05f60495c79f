"""Reading a docs folder: every page file in the type folders, checked one by one, then the
graph built and checked as a whole. Files are untrusted: one that is too large or not UTF-8
is reported by name, like any other problem, and the rest are still read.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from kb.graph.frontmatter import PageSource, Problem, load_yaml, read_page, split_front_matter
from kb.graph.model import Graph
from kb.graph.relations import build
from kb.graph.vocabulary import Vocabulary, did_you_mean, one_of, vocabulary

# a page is prose and front matter: past this it is a generated or pasted file, and reading it
# would slow every build; the real pages are a few kilobytes
MAX_PAGE_BYTES = 1_000_000


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
        text, problem = _read(path, f"docs/{src_uri}")
        if problem is not None:
            problems.append(problem)
            if folder in vocab.types:  # still a page: links to it are not errors of their own
                name = path.name.removesuffix(".md")
                pages.append(PageSource(f"docs/{src_uri}", src_uri, name, folder))
            continue
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


def _read(path: Path, shown: str) -> tuple[str, Problem | None]:
    size = path.stat().st_size
    if size > MAX_PAGE_BYTES:
        return "", Problem(
            shown,
            "",
            f"{size:,} bytes; a page may hold at most {MAX_PAGE_BYTES:,}: split it into pages, "
            "or move long listings into snippets",
        )
    try:
        return path.read_bytes().decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return "", Problem(
            shown, "", f"not UTF-8 (byte {exc.start + 1}, line {line}): save it as UTF-8"
        )
