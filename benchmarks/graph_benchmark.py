"""Print, in one run, what the graph features cost: this site's build time with and without
them (and their ratio), the build of a generated knowledge base of N pages (time, pages, edges,
size of graph.json, where the time goes) and the time to interactive of the graph page in
chromium, for that knowledge base and for this site.

    .venv/bin/python benchmarks/graph_benchmark.py [--repeat N] [--pages N]

Each build runs in a fresh Python process (this script again, in its internal --one-build
mode) so that imports and plugin state never carry over; only the `build()` call is timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from kb.browser import CHROMIUM, FLAGS, Served

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "mkdocs.yml"
BUILD_RATIO_TARGET = 1.3
TTI_TARGET_S = 1.5
RESULT_MARK = "GRAPH_BENCHMARK_RESULT "
# the graph features, as mkdocs.yml names them: removed for the build "without"
GRAPH_HOOK = "src/kb/site/hooks.py"
GRAPH_PLUGIN = "tags"
GRAPH_SCRIPTS = ("assets/vendor/cytoscape.min.js", "assets/kb-graph.js")
# the mix of page types in the generated knowledge base
MIX = {
    "principle": 0.10,
    "workflow": 0.05,
    "implementation": 0.35,
    "heuristic": 0.20,
    "environment": 0.05,
    "error": 0.25,
}


# ---------------------------------------------------------------------------------------------
# one build, in its own process


def one_build(overrides: dict) -> dict:
    """Load the config with `overrides`, run build() and return the timings (the child side)."""
    t0 = time.perf_counter()
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    # what the hooks and the macros module import anyway, imported here in both variants so
    # that neither build() pays for imports
    from kb import graph as kbgraph
    from kb.graph import exports, layout  # noqa: F401
    from kb.rules import registry  # noqa: F401
    from kb.site import panel, render  # noqa: F401
    from kb.verify import records  # noqa: F401

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            warnings.append(record.getMessage())

    logging.getLogger("mkdocs").addHandler(Collect(logging.WARNING))
    steps: dict[str, float] = defaultdict(float)

    def timed(name, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                steps[name] += time.perf_counter() - start

        return wrapper

    # the graph's own steps (only the variant with the hooks calls them)
    for owner, name in [
        (kbgraph, "load"),
        (layout, "positions"),
        (render, "type_index"),
        (render, "graph_page"),
        (render, "page_additions"),
        (render, "connections"),
        (render, "local_graph"),
        (exports, "graph_json_text"),
        (exports, "llms_txt"),
        (exports, "page_markdown"),
        (kbgraph.Graph, "connections"),
        (kbgraph.Graph, "neighbourhood"),
    ]:
        label = f"{getattr(owner, '__name__', '').rpartition('.')[2]}.{name}"
        setattr(owner, name, timed(label, getattr(owner, name)))
    t1 = time.perf_counter()

    cfg = load_config(config_file=str(CONFIG), **overrides)
    # every plugin event, timed per plugin (the hooks count as one plugin)
    plugins = cfg.plugins
    for event, methods in plugins.events.items():
        for i, method in enumerate(methods):
            origin = plugins._event_origins.get(method, "?")
            wrapper = timed(f"{origin} on_{event}", method)
            methods[i] = wrapper
            plugins._event_origins[wrapper] = origin
    t2 = time.perf_counter()

    plugins.on_startup(command="build", dirty=False)
    t3 = time.perf_counter()
    try:
        build(cfg)
    finally:
        t4 = time.perf_counter()
        plugins.on_shutdown()
    return {
        "import_s": t1 - t0,
        "config_s": t2 - t1,
        "build_s": t4 - t3,
        "steps": dict(steps),
        "warnings": warnings,
    }


def progress(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run_build(overrides: dict) -> dict:
    """One build in a fresh process (this script in --one-build mode); its timings."""
    proc = subprocess.run(
        [sys.executable, __file__, "--one-build", json.dumps(overrides)],
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        capture_output=True,
        text=True,
        check=False,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK) :])
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
    raise SystemExit(f"build failed (exit {proc.returncode}) with {overrides}:\n{tail}")


def plain_overrides() -> dict:
    """The config overrides that remove the graph features and nothing else."""
    from mkdocs.config.defaults import MkDocsConfig

    raw = MkDocsConfig(config_file_path=str(CONFIG))
    with CONFIG.open("rb") as fd:
        raw.load_file(fd)

    def name(entry) -> str:
        return entry if isinstance(entry, str) else next(iter(entry))

    hooks = raw.get("hooks") or []
    plugins = raw.get("plugins") or []
    scripts = raw.get("extra_javascript") or []
    for what, where in [(GRAPH_HOOK, hooks), (GRAPH_PLUGIN, [name(p) for p in plugins])]:
        if what not in where:
            raise SystemExit(f"mkdocs.yml no longer lists {what!r}: update {__file__}")
    return {
        # pages link to the generated graph page: without the hooks those links are broken, a
        # warning that strict mode would turn into a failure (the checks run either way)
        "strict": False,
        "hooks": [h for h in hooks if h != GRAPH_HOOK],
        "plugins": [p for p in plugins if name(p) != GRAPH_PLUGIN],
        "extra_javascript": [s for s in scripts if name(s) not in GRAPH_SCRIPTS],
    }


# ---------------------------------------------------------------------------------------------
# a generated knowledge base

WORDS = (
    "model checkpoint weights tokenizer config dtype precision device map offload shard "
    "memory quantization adapter attention kernel cache layer head batch sequence token "
    "loading revision snapshot hub cache safetensors remote code generation sampling beam "
    "gradient optimizer training evaluation inference latency throughput footprint peak "
    "processor pipeline backend runtime driver library version pin default argument option"
).split()


def sentence(rng: random.Random, lo: int = 8, hi: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def generate_kb(docs: Path, n: int, seed: int = 0) -> None:
    """Write a valid knowledge base of `n` typed pages (plus index.md and tags.md) to `docs`."""
    from kb.graph.vocabulary import vocabulary

    vocab = vocabulary()
    rng = random.Random(seed)
    counts = {t: max(1, round(n * share)) for t, share in MIX.items()}
    counts["implementation"] += n - sum(counts.values())
    types = [t for t, c in counts.items() for _ in range(c)]
    rng.shuffle(types)  # the index order: prerequisite and related point only to lower indices
    width = len(str(n))
    ids = [f"{t}-{i:0{width}d}" for i, t in enumerate(types)]
    titles = [
        f"{vocab.types[t].label} {i:0{width}d}: {sentence(rng, 3, 6)[:-1]}"
        for i, t in enumerate(types)
    ]
    by_type: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(types):
        by_type[t].append(i)
    domains = list(vocab.domains)

    def pick(i: int, kinds, k: int = 1, below: bool = False) -> list[int]:
        pool = [j for t in kinds for j in by_type[t] if j != i and (not below or j < i)]
        return rng.sample(pool, min(k, len(pool)))

    def maybe(p: float) -> bool:
        return rng.random() < p

    all_types = list(MIX)
    for i, t in enumerate(types):
        rel: dict[str, list[int]] = {}
        if t == "principle":
            rel["implemented_by"] = pick(i, ["implementation"], rng.randint(1, 2))
            if maybe(0.5):
                rel["uses_heuristic"] = pick(i, ["heuristic"])
            if maybe(0.4):
                rel["prerequisite"] = pick(i, ["principle", "implementation"], below=True)
            if maybe(0.4):
                rel["related"] = pick(i, all_types, below=True)
        elif t == "workflow":
            rel["step"] = pick(i, ["principle", "implementation"], rng.randint(3, 5))
            if maybe(0.7):
                rel["requires_env"] = pick(i, ["environment"])
            if maybe(0.5):
                rel["uses_heuristic"] = pick(i, ["heuristic"])
        elif t == "implementation":
            if maybe(0.8):
                rel["uses_heuristic"] = pick(i, ["heuristic"])
            if maybe(0.5):
                rel["requires_env"] = pick(i, ["environment"])
            if maybe(0.7):
                rel["prerequisite"] = pick(i, ["principle", "implementation"], below=True)
            if maybe(0.7):
                rel["related"] = pick(i, all_types, rng.randint(1, 2), below=True)
        elif t == "heuristic":
            if maybe(0.8):
                rel["prerequisite"] = pick(i, ["principle", "implementation"], below=True)
            if maybe(0.9):
                rel["related"] = pick(i, all_types, rng.randint(1, 2), below=True)
        elif t == "environment":
            if maybe(0.6):
                rel["related"] = pick(i, all_types, below=True)
        elif t == "error":
            rel["caused_by"] = pick(
                i, ["principle", "heuristic", "implementation"], rng.randint(1, 2)
            )
            rel["fixed_by"] = pick(i, ["implementation", "heuristic"], rng.randint(1, 2))
            if maybe(0.6):
                rel["related"] = pick(i, all_types, below=True)
        rel = {k: v for k, v in rel.items() if v}

        lines = [
            "---",
            f"type: {t}",
            f"title: {json.dumps(titles[i])}",
            f"summary: {json.dumps(sentence(rng, 10, 25))}",
            f"domains: [{', '.join(rng.sample(domains, rng.randint(1, 3)))}]",
            "sources:",
            f"  - title: {json.dumps('Transformers docs: ' + sentence(rng, 2, 4)[:-1])}",
            f"    link: https://huggingface.co/docs/transformers/page-{rng.randint(1, 500)}",
            f"last_updated: {dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 330))}",
        ]
        if rel:
            lines.append("relations:")
        for name, targets in rel.items():
            if name == "step":
                lines.append("  step:")
                lines += [f"    - {{n: {k}, page: {ids[j]}}}" for k, j in enumerate(targets, 1)]
            else:
                lines.append(f"  {name}: [{', '.join(ids[j] for j in targets)}]")
        lines += ["---", "", f"# {titles[i]}", "", paragraph(rng), ""]
        linked = [j for targets in rel.values() for j in targets]
        for heading in ("Why it matters", "How it works", "In practice"):
            lines += [f"## {heading}", "", paragraph(rng), ""]
            if heading == "How it works" and linked:
                j = rng.choice(linked)
                lines += [f"See also [{titles[j]}](../{types[j]}/{ids[j]}.md).", ""]
            lines += [paragraph(rng), ""]
        page = docs / t / f"{ids[i]}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text("\n".join(lines), encoding="utf-8")

    (docs / "index.md").write_text(
        f"---\ntitle: Generated knowledge base\n---\n\n# Generated knowledge base\n\n"
        f"{n} generated pages for the graph benchmark. {paragraph(rng)}\n",
        encoding="utf-8",
    )
    shutil.copy(ROOT / "docs" / "tags.md", docs / "tags.md")
    # the site's own stylesheet and viewer script (extra_css, extra_javascript)
    shutil.copytree(ROOT / "docs" / "assets", docs / "assets", dirs_exist_ok=True)


# ---------------------------------------------------------------------------------------------
# time to interactive in chromium


NAV_TIMING = """() => {
  const e = performance.getEntriesByType("navigation")[0];
  const json = performance.getEntriesByType("resource").find((r) => /graph\\.json$/.test(r.name));
  return {dcl: e ? e.domContentLoadedEventEnd : null, load: e ? e.loadEventEnd : null,
          json: json ? json.responseEnd : null};
}"""


def open_graph_page(browser, url: str, timeout_s: float) -> dict:
    """Open `url` in a fresh context (cold cache); ms from navigation start to kbGraphReady."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context()
    foreign: list[str] = []
    errors: list[str] = []

    def guard(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        page.goto(url, wait_until="commit")
        ready_ms = None
        try:
            page.wait_for_function(
                "document.documentElement.dataset.kbGraphReady === 'true'",
                timeout=timeout_s * 1000,
            )
            ready_ms = page.evaluate("window.kbGraphReadyAt")
        except PlaywrightTimeout:
            pass
        page.wait_for_load_state("load")
        nav = page.evaluate(NAV_TIMING) or {}
    finally:
        context.close()
    return {"ready_ms": ready_ms, **nav, "foreign": foreign, "errors": errors}


def measure_tti(sites: dict[str, Path], repeat: int, timeout_s: float) -> dict[str, list[dict]]:
    from playwright.sync_api import sync_playwright

    results: dict[str, list[dict]] = {label: [] for label in sites}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            for label, site in sites.items():
                with Served(site) as base:
                    open_graph_page(browser, base + "/graph/", timeout_s)  # warm the server
                    for _ in range(repeat):
                        results[label].append(open_graph_page(browser, base + "/graph/", timeout_s))
        finally:
            browser.close()
    return results


# ---------------------------------------------------------------------------------------------
# the report


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def spread(runs: list[dict]) -> str:
    """The range of the runs' build times, to show how noisy the median is."""
    times = [r["build_s"] for r in runs]
    return f"  (runs {min(times):.2f}-{max(times):.2f} s)" if len(times) > 1 else ""


def median_steps(runs: list[dict]) -> dict[str, float]:
    names = {name for r in runs for name in r["steps"]}
    return {name: statistics.median(r["steps"].get(name, 0.0) for r in runs) for name in names}


def print_steps(steps: dict[str, float], total: float, indent: str = "    ", top: int = 0) -> None:
    rows = sorted(steps.items(), key=lambda kv: -kv[1])
    for name, seconds in rows[:top] if top else rows:
        if seconds >= 0.005:
            print(f"{indent}{name:<44} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")


def median_ms(runs: list[dict], key: str) -> str:
    values = [r[key] for r in runs if r.get(key) is not None]
    return f"{statistics.median(values) / 1000:.2f} s" if values else "-"


def print_tti(label: str, runs: list[dict], timeout_s: float) -> None:
    ready = [r["ready_ms"] for r in runs if r["ready_ms"] is not None]
    extra = (
        f"(DOMContentLoaded {median_ms(runs, 'dcl')}, graph.json received "
        f"{median_ms(runs, 'json')}, load event {median_ms(runs, 'load')}"
    )
    foreign = sorted({u for r in runs for u in r["foreign"]})
    if foreign:
        extra += f"; {len(foreign)} request(s) off 127.0.0.1 aborted, e.g. {foreign[0]}"
    extra += ")"
    if len(ready) == len(runs):
        tti = statistics.median(ready) / 1000
        if len(ready) > 1:
            extra = f"(runs {min(ready) / 1000:.2f}-{max(ready) / 1000:.2f} s; " + extra[1:]
        print(
            f"  {label:<31} {tti:7.2f} s   target <= {TTI_TARGET_S:.2f} s  "
            f"{verdict(tti <= TTI_TARGET_S)}  {extra}"
        )
    else:
        errors = [e for r in runs for e in r["errors"]]
        why = f"; first page error: {errors[0][:160]}" if errors else ""
        print(
            f"  {label:<31} not interactive: kbGraphReady not set within {timeout_s:g} s in "
            f"{len(runs) - len(ready)} of {len(runs)} runs  target <= {TTI_TARGET_S:.2f} s  "
            f"MISS  {extra}{why}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (median)")
    parser.add_argument("--pages", type=int, default=1000, help="pages of the generated KB")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated KB")
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=10.0,
        help="seconds to wait for the graph page to say it is interactive",
    )
    parser.add_argument(
        "--kb-baseline",
        action="store_true",
        help="also build the generated KB without the graph features (about doubles run time)",
    )
    parser.add_argument("--keep", type=Path, help="keep the generated KB and sites in this folder")
    parser.add_argument("--one-build", metavar="OVERRIDES", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_build is not None:
        print(RESULT_MARK + json.dumps(one_build(json.loads(args.one_build))))
        return 0

    has_chromium = Path(CHROMIUM).exists()
    if not has_chromium:
        print(
            f"note: no chromium at {CHROMIUM}: the time-to-interactive part is skipped; install "
            "Debian's chromium (`make chromium`) or set KB_CHROMIUM to its path\n",
            file=sys.stderr,
        )
    work = Path(tempfile.mkdtemp(prefix="graph-benchmark-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    try:
        # 1. this site, with and without the graph features, interleaved
        plain = plain_overrides()
        own_site = work / "own-site"
        own_with, own_without = [], []
        for i in range(args.repeat):
            progress(
                f"building this site without and with the graph features ({i + 1}/{args.repeat})"
            )
            own_without.append(run_build({**plain, "site_dir": str(work / "own-site-plain")}))
            own_with.append(run_build({"site_dir": str(own_site)}))
        with_s = statistics.median(r["build_s"] for r in own_with)
        without_s = statistics.median(r["build_s"] for r in own_without)
        ratio = with_s / without_s
        own_graph = json.loads((own_site / "graph.json").read_text(encoding="utf-8"))

        # 2. a generated knowledge base of N pages
        kb_docs, kb_site = work / "kb-docs", work / "kb-site"
        shutil.rmtree(kb_docs, ignore_errors=True)
        t0 = time.perf_counter()
        generate_kb(kb_docs, args.pages, args.seed)
        generate_s = time.perf_counter() - t0
        kb_runs, kb_plain_runs = [], []
        for i in range(args.repeat):
            progress(f"building the generated KB of {args.pages} pages ({i + 1}/{args.repeat})")
            if args.kb_baseline:
                kb_plain_runs.append(
                    run_build(
                        {**plain, "docs_dir": str(kb_docs), "site_dir": str(work / "kb-plain")}
                    )
                )
            kb_runs.append(run_build({"docs_dir": str(kb_docs), "site_dir": str(kb_site)}))
        kb_s = statistics.median(r["build_s"] for r in kb_runs)
        kb_graph_json = kb_site / "graph.json"
        kb_graph = json.loads(kb_graph_json.read_text(encoding="utf-8"))
        n_pages, n_edges = len(kb_graph["nodes"]), len(kb_graph["edges"])

        # 3. time to interactive of the graph pages
        tti = None
        if has_chromium:
            progress("opening the graph pages in chromium")
            tti = measure_tti(
                {"generated KB": kb_site, "this site": own_site}, args.repeat, args.ready_timeout
            )
        total_s = time.perf_counter() - started

        cores = os.cpu_count() or 1
        print(
            f"Graph features benchmark: median of {args.repeat} run(s), {cores} cores, load "
            f"average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after"
            + (" (the machine was busy: figures are noisy)" if load_before > cores * 0.75 else "")
        )
        print()
        print(
            f"1. This site's build ({len(own_graph['nodes'])} typed pages, "
            f"{len(own_graph['edges'])} edges; build() only, each in a fresh process)"
        )
        print(f"  without graph features          {without_s:7.2f} s{spread(own_without)}")
        print(f"  with graph features             {with_s:7.2f} s{spread(own_with)}")
        print(
            f"  ratio with / without            {ratio:7.2f}x  target <= {BUILD_RATIO_TARGET:.2f}x "
            f" {verdict(ratio <= BUILD_RATIO_TARGET)}"
        )
        print(
            f"  (not timed: imports {statistics.median(r['import_s'] for r in own_with):.2f} s, "
            f"load_config {statistics.median(r['config_s'] for r in own_with):.2f} s with the "
            f"features, {statistics.median(r['config_s'] for r in own_without):.2f} s without)"
        )
        broken = sorted({w for r in own_without for w in r["warnings"]})
        if broken:
            print(
                f"  (built without the features non-strict: {len(broken)} warning(s), "
                f"e.g. {broken[0][:110]})"
            )
        own_steps = median_steps(own_with)
        hooks = sum(s for k, s in own_steps.items() if k.startswith(GRAPH_HOOK))
        tags = sum(s for k, s in own_steps.items() if k.startswith("material/tags"))
        html_with = sum(1 for _ in own_site.rglob("*.html"))
        html_without = sum(1 for _ in (work / "own-site-plain").rglob("*.html"))
        print(
            f"  of which the graph hooks {hooks:.2f} s, the tags plugin {tags:.2f} s; the rest: "
            f"{html_with} HTML pages rendered instead of {html_without}, each one larger"
        )
        print()
        print(
            f"2. Generated knowledge base of {args.pages} pages (generated in {generate_s:.2f} s)"
        )
        print(
            f"  pages / edges                   {n_pages} / {n_edges} "
            f"({n_edges / max(n_pages, 1):.2f} edges a page)"
        )
        print(f"  build with graph features       {kb_s:7.2f} s{spread(kb_runs)}")
        if kb_plain_runs:
            kb_plain_s = statistics.median(r["build_s"] for r in kb_plain_runs)
            print(f"  build without graph features    {kb_plain_s:7.2f} s{spread(kb_plain_runs)}")
            print(
                f"  ratio with / without            {kb_s / kb_plain_s:7.2f}x  (target "
                f"<= {BUILD_RATIO_TARGET:.2f}x is for this site; for information)"
            )
        pages_html = [f.stat().st_size for f in kb_site.glob("*/*/index.html")]
        site_bytes = sum(f.stat().st_size for f in kb_site.rglob("*") if f.is_file())
        print(
            f"  site on disk                    {site_bytes / 2**20:7.0f} MiB (a page's HTML: "
            f"median {statistics.median(pages_html) / 1024:.0f} KiB)"
        )
        print(f"  graph.json                      {kb_graph_json.stat().st_size / 1024:7.0f} KiB")
        graph_html = kb_site / "graph" / "index.html"
        print(f"  graph page (graph/index.html)   {graph_html.stat().st_size / 1024:7.0f} KiB")
        kb_steps = median_steps(kb_runs)
        print("  where the build time goes (plugin events, then graph steps; nested):")
        events = {k: v for k, v in kb_steps.items() if " on_" in k}
        print_steps(events, kb_s, top=8)
        print(
            f"    {'(mkdocs itself: Markdown, theme, files)':<44} {kb_s - sum(events.values()):7.2f} s"
        )
        print_steps({k: v for k, v in kb_steps.items() if " on_" not in k}, kb_s)
        print()
        print("3. Time to interactive of /graph/ in chromium (navigation start to kbGraphReady,")
        print("   fresh context each time, served by http.server)")
        if tti is None:
            print(f"  not measured: no chromium at {CHROMIUM}")
        else:
            print_tti(f"generated KB ({n_pages} pages)", tti["generated KB"], args.ready_timeout)
            print_tti(
                f"this site ({len(own_graph['nodes'])} pages)", tti["this site"], args.ready_timeout
            )
        print()
        print(f"total time of this benchmark: {total_s:.0f} s")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
