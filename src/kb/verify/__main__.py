"""The verification commands.

python -m kb.verify run KEY...             run snippets and their claims, print the results
python -m kb.verify record [--env gpu --scale full]
                                           run every snippet, write verification/<env>.json
python -m kb.verify update-examples [KEY...]
                                           rewrite the #> output lines from what the
                                           snippets print now (only when asked: it edits
                                           the snippet files)
"""

from __future__ import annotations

import argparse
import sys

from kb.project import Layout, Snippet, find_snippets, get_snippet
from kb.verify import records
from kb.verify.results import RunResult
from kb.verify.session import Session


def _print(snip: Snippet, res: RunResult) -> None:
    state = f"not run ({res.skipped})" if res.skipped else "ok" if res.ok else "FAILED"
    print(f"== {snip.key}: {state} in {res.seconds:.2f} s")
    for c in res.claims:
        print(f"   [{c.outcome}] {c.sentence} {c.evidence}".rstrip())
    for p in res.problems:
        print("   problem:", p)


def _select(layout: Layout, keys: list[str]) -> list[Snippet]:
    if not keys:
        return find_snippets(layout)
    chosen = [get_snippet(k, layout) for k in keys]
    missing = [s.key for s in chosen if not s.path.is_file()]
    if missing:
        raise SystemExit(f"no snippet {', '.join(missing)} under snippets/")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kb.verify", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run snippets and their claims")
    run.add_argument("keys", nargs="+", help="snippet keys, e.g. loading/gpt2_generation")
    record = sub.add_parser("record", help="run every snippet and write the verification record")
    update = sub.add_parser("update-examples", help="rewrite the #> lines of snippets")
    update.add_argument("keys", nargs="*", help="snippet keys (default: all)")
    for p in (run, record, update):
        p.add_argument("--env", default="cpu", choices=["cpu", "gpu"])
        p.add_argument("--scale", default="small", choices=["small", "full"])
    args = parser.parse_args(argv)

    layout = Layout()
    snippets = _select(layout, getattr(args, "keys", []))
    with Session(layout, args.env, args.scale) as session:
        results = session.run(snippets, update_examples=args.command == "update-examples")
    failed = 0
    for snip, res in zip(snippets, results, strict=True):
        _print(snip, res)
        failed += not res.ok
        if args.command == "update-examples" and res.updated_source is not None:
            snip.path.write_text(res.updated_source, encoding="utf-8")
            print(f"   rewrote the #> lines of snippets/{snip.key}.py")
    if args.command == "record":
        path = records.record_path(layout.records, args.env)
        entries = {
            s.key: records.entry_from_result(s, r, environment=args.env, scale=args.scale)
            for s, r in zip(snippets, results, strict=True)
        }
        try:
            records.write(path, entries, {s.key for s in snippets}, args.env)
        except records.RecordError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"verification record written: {path.relative_to(layout.root)}")
    print(f"{len(snippets) - failed} of {len(snippets)} snippets ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
