"""``liveassist eval``: run the eval cases and print the report; exit 1 when a gate fails.

    liveassist eval                                   every case file, every store
    liveassist eval --cases evals/cases/zh_demo.jsonl --verbose
    liveassist eval --store en_tau --tag others_order --json

For development without the main command: ``python -m evals.cli [options]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from evals.stores import STORES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", nargs="+", metavar="FILE",
                        help="case files (JSON lines); default: every evals/cases/*.jsonl")
    parser.add_argument("--store", action="append", choices=sorted(STORES), metavar="NAME",
                        help=f"only this store's cases (repeatable; {', '.join(sorted(STORES))})")
    parser.add_argument("--tag", action="append", metavar="TAG", help="only cases with this tag (repeatable)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every failure")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run_command(args: argparse.Namespace) -> int:
    """Run, print the report; 0 when every gate passes, 1 when one fails, 2 when nothing could run."""
    # Imported here: every `liveassist` command builds this parser, and only `eval` needs the grader.
    from evals.grader import CaseFormatError
    from evals.runner import default_case_files, run

    files = [Path(f) for f in args.cases] if args.cases else default_case_files()
    if not files:
        print("error: no case files (evals/cases/*.jsonl is empty; give --cases FILE)", file=sys.stderr)
        return 2
    try:
        report = run(files, stores=args.store, tags=args.tag)
    except (CaseFormatError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not report.results:
        print("error: no case matches the --store/--tag filters", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(report.table(all_failures=args.verbose))
    return 0 if report.passes_gates() else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="liveassist eval", description="Run the eval cases and grade them.")
    add_arguments(parser)
    return run_command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
