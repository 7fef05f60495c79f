"""Small copies of the project, built with the real `mkdocs build --strict`, for the bad-input
drivers (tests/test_bad_pages.py, tests/test_bad_output.py): the machinery is copied once and
linked into each case's project, and the cases are built a few at a time."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from site_support import MKDOCS

from kb.project import ROOT

TIME_LIMIT = 60  # seconds for one build; a case builds in one or two
VENDOR = "node_modules/cytoscape/dist/cytoscape.min.js"
HOME = "# Home\n"


@dataclass
class Built:
    returncode: int
    output: str
    files: dict[str, str]  # path under the site folder: text
    seconds: float


def copy_machinery(base: Path, parts: tuple[str, ...]) -> Path:
    """One copy of what every case's project uses unchanged (``parts`` of the project, and
    the graph library from node_modules)."""
    ignore = shutil.ignore_patterns("__pycache__")
    for name in parts:
        shutil.copytree(ROOT / name, base / name, ignore=ignore)
    (base / VENDOR).parent.mkdir(parents=True)
    shutil.copyfile(ROOT / VENDOR, base / VENDOR)
    return base


def new_project(root: Path, shared: Path, linked: tuple[str, ...]) -> Path:
    """A project linking ``linked`` folders of ``shared``, with the real mkdocs.yml and a docs
    folder holding only a home page, the tags page and the site's assets."""
    root.mkdir()
    for name in linked:
        if (shared / name).exists():
            (root / name).symlink_to(shared / name)
    shutil.copyfile(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    docs = root / "docs"
    (docs / "assets").mkdir(parents=True)
    for asset in ("kb.css", "kb-graph.js"):
        shutil.copyfile(ROOT / "docs/assets" / asset, docs / "assets" / asset)
    shutil.copyfile(ROOT / "docs/tags.md", docs / "tags.md")
    (docs / "index.md").write_text(HOME, encoding="utf-8")
    return root


def run_build(
    root: Path, *, quiet: bool = False, env: dict | None = None, keep=lambda path: True
) -> Built:
    """Build ``root``; the text of every written file ``keep`` accepts comes back."""
    site = root / "site"
    args = [MKDOCS, "build", "--strict", *(["-q"] if quiet else []), "-d", str(site)]
    start = time.monotonic()
    res = subprocess.run(
        args,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        env={**os.environ, **(env or {}), "NO_MKDOCS_2_WARNING": "1"},
    )
    seconds = time.monotonic() - start
    files = {}
    if site.exists():
        for path in site.rglob("*"):
            if path.is_file() and keep(path.relative_to(site)):
                files[path.relative_to(site).as_posix()] = path.read_text(errors="replace")
    return Built(res.returncode, res.stdout + res.stderr, files, seconds)


def build_all(builds: dict[str, callable]) -> dict[str, Built]:
    """Run each named build, a few at a time (each is a process of its own)."""
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        futures = {name: pool.submit(build) for name, build in builds.items()}
        return {name: f.result() for name, f in futures.items()}
