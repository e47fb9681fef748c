"""``liveassist eval``: run the eval cases and print the report; exit 1 when a gate fails.

    liveassist eval                                   every case file, every store
    liveassist eval --cases evals/cases/zh_demo.jsonl --verbose
    liveassist eval --store en_tau --tag others_order --json
    liveassist eval --voice                           the spoken set (evals/voice): CER/WER, answer accuracy
    liveassist eval --knowledge                       retrieval of product knowledge: recall@1, recall@3

For development without the main command: ``python -m evals.cli [options]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from evals.stores import STORES

KNOWLEDGE_RECALL_GATE = 0.9


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", nargs="+", metavar="FILE",
                        help="case files (JSON lines); default: every evals/cases/*.jsonl")
    parser.add_argument("--store", action="append", choices=sorted(STORES), metavar="NAME",
                        help=f"only this store's cases (repeatable; {', '.join(sorted(STORES))})")
    parser.add_argument("--tag", action="append", metavar="TAG", help="only cases with this tag (repeatable)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every failure")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--planner", choices=["offline", "hybrid", "llm", "all"], default="offline",
                        help="which planner answers: offline (default), hybrid (the LLM for what the rules cannot "
                             "answer), llm (the LLM for every shop question), all (one table each); the LLM rows "
                             "need OPENAI_BASE_URL/OPENAI_API_KEY and LIVEASSIST_LLM_MODEL")
    parser.add_argument("--voice", action="store_true",
                        help="run the spoken questions of evals/voice instead (spoken by espeak-ng; needs espeak-ng "
                             "and sox): CER/WER, answer accuracy, latency")
    parser.add_argument("--no-hotwords", action="store_true", help="with --voice: decode without the room's hotwords")
    parser.add_argument("--knowledge", action="store_true",
                        help="only the retrieval eval of product knowledge (evals/knowledge/*.jsonl): recall@1 and "
                             f"recall@3 per store; exits 1 when recall@3 is under {KNOWLEDGE_RECALL_GATE:.0%}".replace("%", "%%"))


def run_command(args: argparse.Namespace) -> int:
    """Run, print the report; 0 when every gate passes, 1 when one fails, 2 when nothing could run."""
    if args.voice:
        return run_voice_command(args)
    if args.knowledge:
        return run_knowledge(args)
    # Imported here: every `liveassist` command builds this parser, and only `eval` needs the grader.
    from evals.grader import CaseFormatError
    from evals.runner import default_case_files, run

    files = [Path(f) for f in args.cases] if args.cases else default_case_files()
    if not files:
        print("error: no case files (evals/cases/*.jsonl is empty; give --cases FILE)", file=sys.stderr)
        return 2
    planners = ["offline", "hybrid", "llm"] if args.planner == "all" else [args.planner]
    if len(planners) > 1 or planners[0] != "offline":
        return _compare_planners(files, args, planners)
    try:
        report = run(files, stores=args.store, tags=args.tag)
    except (CaseFormatError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not report.results:
        print("error: no case matches the --store/--tag filters", file=sys.stderr)
        return 2
    # The default run also reports retrieval (recall@3), for information: it is not one of the gates.
    knowledge = None if args.cases else _knowledge_or_reason(args.store, args.tag)
    if args.json:
        result = report.as_dict()
        if knowledge is not None:
            result["knowledge"] = knowledge if isinstance(knowledge, str) else knowledge.as_dict()
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        print(report.table(all_failures=args.verbose))
        if knowledge is not None:
            print(knowledge if isinstance(knowledge, str) else knowledge.line())
    return 0 if report.passes_gates() else 1


def _compare_planners(files: list[Path], args: argparse.Namespace, planners: list[str]) -> int:
    """The same cases through each planner, one table each; the LLM planners only with an endpoint."""
    from assistant.config import get_settings
    from assistant.llm.responder import configured
    from evals.runner import run

    failed = False
    for planner in planners:
        print(f"== planner: {planner}")
        if planner != "offline" and not configured(get_settings()):
            print("skipped: no LLM endpoint is configured (set OPENAI_BASE_URL or OPENAI_API_KEY, and "
                  "LIVEASSIST_LLM_MODEL)\n")
            continue
        report = run(files, stores=args.store, tags=args.tag, planner=planner)
        print(report.table(all_failures=args.verbose) + "\n")
        failed = failed or not report.passes_gates()
    return 1 if failed else 0


def run_knowledge(args: argparse.Namespace) -> int:
    """``liveassist eval --knowledge``: the retrieval table; 1 when recall@3 is under the gate."""
    from assistant.errors import KnowledgeUnavailable
    from evals.grader import CaseFormatError
    from evals.knowledge_runner import K, run

    try:
        report = run([Path(f) for f in args.cases] if args.cases else None, stores=args.store, tags=args.tag)
    except (CaseFormatError, OSError, KnowledgeUnavailable, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not report.stores:
        print("error: no knowledge question matches the --store/--tag filters", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.table(all_misses=args.verbose))
        print(report.line())
    return 0 if report.recall(K) >= KNOWLEDGE_RECALL_GATE else 1


def _knowledge_or_reason(stores: list[str] | None, tags: list[str] | None):  # type: ignore[no-untyped-def]
    """The retrieval report for the default run, a line saying why there is none, or None (no question
    matches the filters)."""
    from assistant.errors import KnowledgeUnavailable
    from evals.grader import CaseFormatError
    from evals.knowledge_runner import run

    try:
        report = run(stores=stores, tags=tags)
    except (CaseFormatError, OSError, KnowledgeUnavailable, ImportError) as exc:
        return f"knowledge retrieval: not measured ({exc})"
    return report if report.stores else None


def run_voice_command(args: argparse.Namespace) -> int:
    """The voice eval: a report, not a gate (0 when it ran; 2 when it could not: tools or model missing)."""
    from assistant.errors import LiveAssistError
    from evals.voice.runner import load_voice_cases, run_voice
    from evals.voice.synth import ToolMissing

    cases = [v for v in load_voice_cases() if (not args.store or v.case.store in args.store)
             and (not args.tag or set(args.tag) & set(v.case.tags))]
    if not cases:
        print("error: no voice case matches the --store/--tag filters", file=sys.stderr)
        return 2
    try:
        report = run_voice(cases, hotwords=not args.no_hotwords)
    except (ToolMissing, LiveAssistError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(report.table(all_clips=args.verbose))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="liveassist eval", description="Run the eval cases and grade them.")
    add_arguments(parser)
    return run_command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
