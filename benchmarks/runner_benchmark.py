"""Print, in one run: the time to verify the snippets with the suite's runner, the time of
the naive way (each snippet as its own `python snippet.py` process), their ratio, and the
`mkdocs build` time. At least 50 snippet runs are timed: all snippets, cycled through again
where there are fewer.

    .venv/bin/python benchmarks/runner_benchmark.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kb.project import ROOT, Layout, find_snippets
from kb.standin import ensure_built
from kb.verify.client import Runner

MIN_RUNS = 50


def warm_disk_cache() -> None:
    """Read the libraries once, untimed: otherwise whichever side runs first pays for reading
    torch and the rest from disk, and the other finds them in the page cache."""
    libraries = "import torch, transformers, transformers.modeling_utils, bitsandbytes, trl"
    subprocess.run([sys.executable, "-c", libraries], capture_output=True, check=False)


def time_runner(snippets, hf_home: Path, parallel: int) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    with Runner(hf_home) as runner:
        imports = runner.import_seconds
        jobs = [runner.snippet_job(s) for s in snippets]
        failed = sum(not r.ok for r in runner.run_many(jobs, parallel))
    return time.perf_counter() - t0, imports, failed


def time_naive(snippets, hf_home: Path) -> float:
    env = dict(os.environ, HF_HOME=str(hf_home), HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    t0 = time.perf_counter()
    for s in snippets:
        with tempfile.TemporaryDirectory() as cwd:
            # remote code that a snippet trusts is copied here, not into the stand-in hub
            env["HF_MODULES_CACHE"] = str(Path(cwd) / "modules")
            subprocess.run(
                [sys.executable, str(s.path)],
                cwd=cwd,
                env=env,
                capture_output=True,
                check=False,
                stdin=subprocess.DEVNULL,
            )
    return time.perf_counter() - t0


def time_build() -> float:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        subprocess.run(
            [str(Path(sys.executable).with_name("mkdocs")), "build", "--strict", "-q", "-d", out],
            cwd=ROOT,
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
            check=True,
        )
        return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement (median)")
    parser.add_argument(
        "--parallel",
        type=int,
        default=min(os.cpu_count() or 1, 4),
        help="snippets the runner runs at a time (default: as the test suite, up to 4 cores)",
    )
    parser.add_argument(
        "--runs", type=int, default=MIN_RUNS, help="snippet runs to time (at least all snippets)"
    )
    args = parser.parse_args()
    layout = Layout()
    found = find_snippets(layout)
    snippets = [found[i % len(found)] for i in range(max(args.runs, len(found)))]
    hf_home = ensure_built("small", layout.cache / "standin-hub")
    warm_disk_cache()

    parallel = args.parallel
    runner_runs = [time_runner(snippets, hf_home, parallel) for _ in range(args.repeat)]
    runner_s = statistics.median(r[0] for r in runner_runs)
    naive_s = statistics.median(time_naive(snippets, hf_home) for _ in range(args.repeat))
    build_s = statistics.median(time_build() for _ in range(args.repeat))

    print(f"snippet runs:                    {len(snippets)} ({len(found)} snippets)")
    print(
        f"runner (verify all, with claims): {runner_s:7.2f} s, {parallel} at a time "
        f"(of which one-time imports {runner_runs[0][1]:.2f} s; failures: {runner_runs[0][2]})"
    )
    print(f"naive (python snippet.py each):   {naive_s:7.2f} s (snippets only, no claims)")
    print(
        f"per snippet, runner / naive:      {runner_s / len(snippets):7.3f} s / {naive_s / len(snippets):.3f} s"
    )
    print(f"speed-up naive / runner:          {naive_s / runner_s:7.2f}x")
    print(f"mkdocs build --strict:            {build_s:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
