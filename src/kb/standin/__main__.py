"""The stand-in hub as a command::

    python -m kb.standin check [--registry PATH]
    python -m kb.standin build --scale small --out DIR [--only ID ...] [--registry PATH]
    python -m kb.standin ensure --scale small [--root .cache/standin-hub] [--registry PATH]
    python -m kb.standin verify (--scale small [--root .cache/standin-hub] | --hf-home DIR)
    python -m kb.standin used [SNIPPETS_DIR]

Exit status: 0 done, 1 the hub differs from its manifest (``verify``), 2 bad input (the
message names the file).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kb.standin.cache import DEFAULT_HUB_ROOT, DEFAULT_SNIPPETS, ensure_built
from kb.standin.configs import SCALES
from kb.standin.manifest import verify_hub
from kb.standin.registry import REGISTRY_PATH, RegistryError, UnknownModelError, load_registry
from kb.standin.repos import build_model_repo
from kb.standin.uses import find_model_uses


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kb.standin", description="Build and check the stand-in Hugging Face cache."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="read the registry and report its first problem")
    check.add_argument("--registry", type=Path, default=REGISTRY_PATH)
    build = sub.add_parser("build", help="build model repositories into an HF_HOME folder")
    build.add_argument("--scale", choices=SCALES, default="small")
    build.add_argument("--out", required=True, type=Path, help="the HF_HOME folder to fill")
    build.add_argument("--only", nargs="+", metavar="ID", help="only these model ids")
    build.add_argument("--device", help="where to build the weights (default: cuda if any)")
    build.add_argument("--registry", type=Path, default=REGISTRY_PATH)
    ensure = sub.add_parser("ensure", help="build <root>/<scale> unless it is intact")
    ensure.add_argument("--scale", choices=SCALES, default="small")
    ensure.add_argument("--root", type=Path, default=DEFAULT_HUB_ROOT)
    ensure.add_argument("--registry", type=Path, default=REGISTRY_PATH)
    ensure.add_argument("--snippets", type=Path, default=DEFAULT_SNIPPETS)
    ensure.add_argument("--device")
    verify = sub.add_parser("verify", help="compare a built hub with its manifest")
    verify.add_argument("--scale", choices=SCALES, default="small")
    verify.add_argument("--root", type=Path, default=DEFAULT_HUB_ROOT)
    verify.add_argument("--hf-home", type=Path, help="the HF_HOME to check (default: root/scale)")
    used = sub.add_parser("used", help="list the model ids the snippets load")
    used.add_argument("snippets", nargs="?", type=Path, default=DEFAULT_SNIPPETS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            registry = load_registry(args.registry)
            print(f"{args.registry}: {len(registry)} model ids, no problem found")
        elif args.command == "build":
            registry = load_registry(args.registry)
            for model_id in args.only or list(registry):
                t0 = time.perf_counter()
                snapshot = build_model_repo(
                    model_id, args.scale, args.out, registry=registry, device=args.device
                )
                print(f"{model_id} ({args.scale}): {snapshot} in {time.perf_counter() - t0:.2f} s")
        elif args.command == "ensure":
            print(
                ensure_built(
                    args.scale,
                    args.root,
                    registry_path=args.registry,
                    snippets_dir=args.snippets,
                    device=args.device,
                )
            )
        elif args.command == "verify":
            hf_home = args.hf_home or args.root / args.scale
            problems = verify_hub(hf_home)
            for problem in problems:
                print(f"error: {problem}", file=sys.stderr)
            if problems:
                print(
                    f"error: {hf_home} is not the hub that was built; "
                    "`python -m kb.standin ensure` rebuilds it",
                    file=sys.stderr,
                )
                return 1
            print(f"{hf_home}: intact")
        else:
            for use in find_model_uses(args.snippets):
                print(f"{use.model_id}\t{use.path}:{use.line}")
    except (RegistryError, UnknownModelError, SyntaxError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
