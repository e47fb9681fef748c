"""Run eval cases through the real pipeline, one fresh SQLite database per store, and report.

Each store's catalog is imported once into its own database in a temporary folder. For each case
the runner puts the case's product on air in a room of its own, applies the case's stock changes,
asks, grades against :mod:`evals.oracle` (before anything is undone: the truth is read live), and
restores the stock figures it changed, so cases never affect each other.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from assistant.catalog.importer import import_catalog, validate_catalog
from assistant.config import Settings
from assistant.db import get_engine, upgrade
from assistant.errors import LiveAssistError
from assistant.live_state import clear_on_air, set_on_air, set_stock
from assistant.pipeline import Assistant, Message
from evals.grader import Case, CaseFormatError, Grade, grade
from evals.oracle import Oracle
from evals.stores import catalog_path

CASES_DIR = Path(__file__).resolve().parent / "cases"
ACTION_ACCURACY_GATE = 0.95
SHOWN_FAILURES = 20


@dataclass
class CaseResult:
    case: Case
    decision: dict[str, Any]
    latency_ms: float
    grade: Grade

    def as_dict(self) -> dict[str, Any]:
        d = self.decision
        return {
            "id": self.case.id, "store": self.case.store, "source": self.case.source, "text": self.case.text,
            "user": self.case.user, "expected": {"action": list(self.case.actions), "intent": self.case.intent,
                                                 "reason": self.case.reason, "facts": list(self.case.facts)},
            "got": {"action": d.get("action"), "intent": d.get("intent"), "reason": d.get("reason_code")},
            "reply": d.get("reply", ""), "reasons": self.grade.reasons(), "notes": self.grade.notes,
            "latency_ms": round(self.latency_ms, 2),
        }


@dataclass
class Tally:
    """One row of the report: the counts over a group of cases."""

    cases: int = 0
    passed: int = 0
    action_ok: int = 0
    facts_checked: int = 0
    facts_ok: int = 0
    false_facts: int = 0
    """Answers stating at least one false figure or stock claim."""
    leaks: int = 0
    """Replies (answers or drafts) with another viewer's data."""
    forbidden: int = 0
    intent_labelled: int = 0
    intent_ok: int = 0
    latencies: list[float] = field(default_factory=list)

    def add(self, result: CaseResult) -> None:
        g = result.grade
        self.cases += 1
        self.passed += g.passed
        self.action_ok += g.action_ok
        self.facts_checked += g.facts_checked
        self.facts_ok += g.facts_ok
        self.false_facts += bool(g.false_facts)
        self.leaks += bool(g.leaks)
        self.forbidden += bool(g.forbidden)
        if result.case.intent:
            self.intent_labelled += 1
            self.intent_ok += result.decision.get("intent") == result.case.intent
        self.latencies.append(result.latency_ms)

    @property
    def action_accuracy(self) -> float:
        return self.action_ok / self.cases if self.cases else 0.0

    @property
    def fact_accuracy(self) -> float | None:
        return self.facts_ok / self.facts_checked if self.facts_checked else None

    def latency(self, share: float) -> float:
        """The latency below which ``share`` of the cases ran (nearest rank), in ms."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases, "passed": self.passed, "action_accuracy": round(self.action_accuracy, 4),
            "facts_checked": self.facts_checked, "fact_accuracy": _round(self.fact_accuracy),
            "false_facts": self.false_facts, "privacy_leaks": self.leaks, "forbidden": self.forbidden,
            "intent_agreement": _round(self.intent_ok / self.intent_labelled if self.intent_labelled else None),
            "latency_p50_ms": round(self.latency(0.5), 2), "latency_p95_ms": round(self.latency(0.95), 2),
        }


@dataclass
class Report:
    results: list[CaseResult]

    @property
    def total(self) -> Tally:
        return _tally(self.results)

    def by(self, key: str) -> dict[str, Tally]:
        """Tallies per ``"store"`` or per ``"tag"``."""
        groups: dict[str, list[CaseResult]] = {}
        for result in self.results:
            names = result.case.tags if key == "tag" else (result.case.store,)
            for name in names:
                groups.setdefault(name, []).append(result)
        return {name: _tally(results) for name, results in sorted(groups.items())}

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if not r.grade.passed]

    def gates(self) -> dict[str, bool]:
        total = self.total
        return {
            f"action accuracy >= {ACTION_ACCURACY_GATE:.0%}": total.cases > 0
            and total.action_accuracy >= ACTION_ACCURACY_GATE,
            "no false facts": total.false_facts == 0,
            "no privacy leaks": total.leaks == 0,
            "no forbidden strings": total.forbidden == 0,
        }

    def passes_gates(self) -> bool:
        return all(self.gates().values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": self.total.as_dict(), "gates": self.gates(), "passes_gates": self.passes_gates(),
            "by_store": {k: v.as_dict() for k, v in self.by("store").items()},
            "by_tag": {k: v.as_dict() for k, v in self.by("tag").items()},
            "failures": [r.as_dict() for r in self.failures],
        }

    def table(self, all_failures: bool = False) -> str:
        """The report as text: totals, the breakdowns, the gates, then the failures."""
        total = self.total
        lines = [f"{'':24} {'cases':>6} {'passed':>6} {'action':>7} {'facts':>7} {'false':>5} {'leaks':>5} "
                 f"{'forbid':>6} {'p50 ms':>7} {'p95 ms':>7}"]
        rows = [("all", total)] + [(f"store {k}", v) for k, v in self.by("store").items()]
        rows += [(f"tag {k}", v) for k, v in self.by("tag").items()]
        for name, t in rows:
            facts = f"{t.fact_accuracy:.1%}" if t.fact_accuracy is not None else "-"
            lines.append(f"{name[:24]:24} {t.cases:>6} {t.passed:>6} {t.action_accuracy:>7.1%} {facts:>7} "
                         f"{t.false_facts:>5} {t.leaks:>5} {t.forbidden:>6} {t.latency(0.5):>7.1f} "
                         f"{t.latency(0.95):>7.1f}")
        if total.intent_labelled:
            lines.append(f"intent agrees with the label in {total.intent_ok}/{total.intent_labelled} cases")
        lines.append("gates: " + "; ".join(f"{name} {'ok' if ok else 'FAILED'}" for name, ok in self.gates().items()))
        failures = self.failures
        if failures:
            shown = failures if all_failures else failures[:SHOWN_FAILURES]
            more = "" if len(shown) == len(failures) else f", first {len(shown)}; --verbose for all"
            lines.append(f"\nfailures ({len(failures)}{more}):")
            lines += [describe(r) for r in shown]
        return "\n".join(lines)


def describe(result: CaseResult) -> str:
    """One failure, readably: what was asked, what was expected, what came back, and why it fails."""
    c, d = result.case, result.decision
    got = f"{d.get('action')} ({d.get('intent')}/{d.get('reason_code')})"
    lines = [f"  {c.id} [{c.store}] {c.text!r}  ({c.source})",
             f"    expected {'/'.join(c.actions)}{f' ({c.intent})' if c.intent else ''}, got {got}",
             f"    reply: {d.get('reply', '')!r}"]
    lines += [f"    - {reason}" for reason in result.grade.reasons()]
    lines += [f"    · {note}" for note in result.grade.notes]
    return "\n".join(lines)


def _tally(results: Iterable[CaseResult]) -> Tally:
    tally = Tally()
    for result in results:
        tally.add(result)
    return tally


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# --- loading ---------------------------------------------------------------------------------------

def default_case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.jsonl"))


def load_cases(files: Iterable[Path]) -> list[Case]:
    """Read and check every case; ids must be unique across files.

    Raises:
        CaseFormatError: the first malformed line, by file and line number.
    """
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for path in files:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            source = f"{path}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CaseFormatError(f"{source}: not JSON: {exc}") from None
            case = Case.from_json(data, source)
            if case.id in seen:
                raise CaseFormatError(f"{source}: id {case.id!r} is also used at {seen[case.id]}")
            seen[case.id] = source
            cases.append(case)
    return cases


# --- running ---------------------------------------------------------------------------------------

def run(case_files: Sequence[Path | str], stores: Iterable[str] | None = None, verbose: bool = False,
        tags: Iterable[str] | None = None, planner: str = "offline") -> Report:
    """Run cases (optionally only some stores' or tags') and grade them.

    Args:
        case_files: JSON-lines case files (see ``evals/README.md``).
        stores: only cases in these stores.
        verbose: print each failure on stderr as it happens.
        tags: only cases carrying at least one of these tags.
        planner: offline, hybrid or llm (the last two need a configured endpoint).
    """
    cases = load_cases(Path(f) for f in case_files)
    wanted_stores, wanted_tags = set(stores or ()), set(tags or ())
    cases = [c for c in cases if (not wanted_stores or c.store in wanted_stores)
             and (not wanted_tags or wanted_tags & set(c.tags))]
    by_store: dict[str, list[Case]] = {}
    for case in cases:
        by_store.setdefault(case.store, []).append(case)
    results: list[CaseResult] = []
    with tempfile.TemporaryDirectory(prefix="liveassist-eval-") as tmp:
        for store, store_cases in by_store.items():
            engine, assistant = _open_store(store, Path(tmp) / store, planner)
            oracle = Oracle(engine)
            try:
                for case in store_cases:
                    result = run_case(case, assistant, oracle)
                    results.append(result)
                    if verbose and not result.grade.passed:
                        print(describe(result), file=sys.stderr)
                    if len(cases) >= 200 and len(results) % 100 == 0:
                        print(f"eval: {len(results)}/{len(cases)} cases", file=sys.stderr)
            finally:
                engine.dispose()
    return Report(results)


def _open_store(store: str, folder: Path, planner: str = "offline") -> tuple[Engine, Assistant]:
    """A fresh database holding the store's catalog, and an assistant over it (warmed up)."""
    url = f"sqlite:///{folder / 'eval.db'}"
    engine = get_engine(url)
    upgrade(engine)
    catalog, warnings = validate_catalog(json.loads(catalog_path(store).read_text(encoding="utf-8")))
    import_catalog(engine, catalog, warnings=warnings)
    settings = Settings(data_dir=folder, database_url=url, planner=planner)  # type: ignore[arg-type]
    from assistant.knowledge.index import sync

    sync(engine, settings)  # as a server does when it starts: knowledge answers are graded too
    assistant = Assistant(engine, settings)
    # The first message builds the store's vocabulary; keep that out of the latency figures.
    assistant.handle(Message("eval-warmup", "eval:warmup", "hello", channel="eval"))
    return engine, assistant


def run_case(case: Case, assistant: Assistant, oracle: Oracle) -> CaseResult:
    """Ask one case in its own room, grade it, and undo its stock changes."""
    engine = assistant.engine
    room = "eval-" + re.sub(r"[^\w.:@-]", "_", case.id)[:59]
    undo: list[tuple[str, str, int]] = []
    try:
        if case.on_air:
            set_on_air(engine, room, sku=case.on_air)
        else:
            clear_on_air(engine, room)
        for variant, warehouse, qty in case.setup:
            change = set_stock(engine, variant, warehouse, qty)
            undo.append((variant, warehouse, change.before))
        started = time.perf_counter()
        try:
            decision = assistant.handle(Message(room, case.user, case.text, now=case.now, channel="eval")).contract()
        except Exception as exc:  # a crash is a result to report, not a reason to stop the run
            decision = {"action": "error", "reply": "", "reason_code": type(exc).__name__}
            latency = (time.perf_counter() - started) * 1000
            return CaseResult(case, decision, latency, Grade(action_ok=False, missed=[f"crashed: {exc!r}"]))
        latency = (time.perf_counter() - started) * 1000
        return CaseResult(case, decision, latency, grade(case, decision, oracle))
    except LiveAssistError as exc:
        decision = {"action": "not run", "reply": ""}
        return CaseResult(case, decision, 0.0, Grade(action_ok=False, missed=[f"case error: {exc}"]))
    finally:
        for variant, warehouse, qty in reversed(undo):
            set_stock(engine, variant, warehouse, qty)
