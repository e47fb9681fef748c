"""Retrieval eval: do product-knowledge questions find the passage that answers them?

Each store's catalog is imported into a fresh SQLite database in a temporary folder and indexed
(:func:`assistant.knowledge.index.sync`, timed); every question is searched (k = 3, restricted to
the on-air product when the case has one) and scored on where its labelled passages rank.

Case format (``evals/knowledge/*.jsonl``, one JSON object per line)::

    {"id": "kzh-001", "store": "zh_demo", "text": "这个卫衣是什么面料", "on_air": null,
     "expect": ["fact:HOODIE-01:material"], "tags": ["zh"]}

``expect`` lists passage ids, any one of which answers the question: ``fact:SKU:key``,
``chart:SKU``, ``correction:<id>``, or ``faq:<the FAQ's question, word for word>`` (turned into
the index's ``faq:<sha1>`` id here, so labels stay readable). recall@k is the share of questions
with at least one labelled passage among the top k. A label naming no passage is a case error.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.grader import CaseFormatError
from evals.stores import STORES, catalog_path

KNOWLEDGE_DIR = Path(__file__).resolve().parent / "knowledge"
K = 3
_SHA1 = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class KnowledgeCase:
    id: str
    store: str
    text: str
    on_air: str | None
    expect: tuple[str, ...]
    tags: tuple[str, ...]
    source: str

    @classmethod
    def from_json(cls, data: Any, source: str) -> KnowledgeCase:
        from assistant.knowledge.passages import faq_id

        if not isinstance(data, dict):
            raise CaseFormatError(f"{source}: a case is a JSON object")
        missing = [k for k in ("id", "store", "text", "expect") if not data.get(k)]
        if missing:
            raise CaseFormatError(f"{source}: missing {', '.join(missing)}")
        if data["store"] not in STORES:
            raise CaseFormatError(f"{source}: unknown store {data['store']!r} (stores: {', '.join(STORES)})")
        expect = data["expect"]
        if not isinstance(expect, list) or not all(isinstance(e, str) and ":" in e for e in expect):
            raise CaseFormatError(f"{source}: expect is a list of passage ids such as \"fact:SKU:key\"")
        ids = tuple(faq_id(e[4:]) if e.startswith("faq:") and not _SHA1.match(e[4:]) else e for e in expect)
        return cls(id=str(data["id"]), store=data["store"], text=str(data["text"]), on_air=data.get("on_air"),
                   expect=ids, tags=tuple(data.get("tags") or ()), source=source)


@dataclass
class KnowledgeResult:
    case: KnowledgeCase
    found: list[str]
    """The ids returned, best first."""
    rank: int | None
    """1-based rank of the first labelled passage among ``found``; None when none is there."""
    latency_ms: float
    scoped_rank: int | None
    """The rank when the search is given the product the question is about (as a planner that has
    resolved the product passes ``product_sku``); the plain rank for store-wide questions."""


@dataclass
class StoreFigures:
    store: str
    results: list[KnowledgeResult] = field(default_factory=list)
    passages: int = 0
    build_seconds: float = 0.0
    resync_seconds: float = 0.0
    index_bytes: int = 0

    def recall(self, k: int, scoped: bool = False) -> float:
        if not self.results:
            return 0.0
        ranks = [r.scoped_rank if scoped else r.rank for r in self.results]
        return sum(1 for rank in ranks if rank is not None and rank <= k) / len(ranks)

    def latency(self, share: float) -> float:
        ordered = sorted(r.latency_ms for r in self.results)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]

    def as_dict(self) -> dict[str, Any]:
        return {"store": self.store, "questions": len(self.results), "recall_at_1": round(self.recall(1), 4),
                f"recall_at_{K}": round(self.recall(K), 4), "scoped_recall_at_1": round(self.recall(1, True), 4),
                f"scoped_recall_at_{K}": round(self.recall(K, True), 4), "passages": self.passages,
                "build_seconds": round(self.build_seconds, 3), "resync_seconds": round(self.resync_seconds, 3),
                "index_bytes": self.index_bytes, "query_p50_ms": round(self.latency(0.5), 2),
                "query_p95_ms": round(self.latency(0.95), 2)}


@dataclass
class KnowledgeReport:
    stores: list[StoreFigures]

    @property
    def misses(self) -> list[KnowledgeResult]:
        return [r for s in self.stores for r in s.results if r.rank is None]

    def recall(self, k: int) -> float:
        results = [r for s in self.stores for r in s.results]
        return sum(1 for r in results if r.rank is not None and r.rank <= k) / len(results) if results else 0.0

    def line(self) -> str:
        """The one line ``liveassist eval`` prints."""
        per_store = ", ".join(f"{s.store} {s.recall(K):.1%} ({len(s.results)})" for s in self.stores)
        return f"knowledge retrieval recall@{K}: {self.recall(K):.1%} — {per_store}"

    def table(self, all_misses: bool = False) -> str:
        lines = [f"{'store':10} {'questions':>9} {'recall@1':>9} {f'recall@{K}':>9} {'scoped@1':>9} {f'scoped@{K}':>9} "
                 f"{'passages':>8} {'build s':>8} {'resync s':>8} {'index MB':>8} {'p50 ms':>7} {'p95 ms':>7}"]
        for s in self.stores:
            lines.append(f"{s.store:10} {len(s.results):>9} {s.recall(1):>9.1%} {s.recall(K):>9.1%} "
                         f"{s.recall(1, True):>9.1%} {s.recall(K, True):>9.1%} {s.passages:>8} "
                         f"{s.build_seconds:>8.2f} {s.resync_seconds:>8.2f} {s.index_bytes / 1e6:>8.1f} "
                         f"{s.latency(0.5):>7.1f} {s.latency(0.95):>7.1f}")
        lines.append("(scoped: searched within the product the question is about, as a planner passes product_sku; "
                     "p50/p95: one search, embedding included)")
        missed = [r for s in self.stores for r in s.results if r.rank is None or r.rank > 1]
        if missed:
            shown = missed if all_misses else [r for r in missed if r.rank is None][:20]
            lines.append(f"\nnot first ({len(missed)}), of which not in the top {K}: {len(self.misses)}"
                         + ("" if all_misses else "; showing up to 20 of those; --verbose for all"))
            for r in shown:
                where = f"rank {r.rank}" if r.rank else f"not in top {K}"
                lines.append(f"  {r.case.id} [{r.case.store}] {r.case.text!r}: {where}; wanted {list(r.case.expect)}, "
                             f"got {r.found}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {f"recall_at_{K}": round(self.recall(K), 4), "recall_at_1": round(self.recall(1), 4),
                "stores": [s.as_dict() for s in self.stores],
                "misses": [{"id": r.case.id, "text": r.case.text, "expect": list(r.case.expect), "found": r.found}
                           for r in self.misses]}


def default_case_files() -> list[Path]:
    return sorted(KNOWLEDGE_DIR.glob("*.jsonl"))


def load_cases(files: Iterable[Path]) -> list[KnowledgeCase]:
    cases, seen = [], {}
    for path in files:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            source = f"{path}:{number}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CaseFormatError(f"{source}: not JSON: {exc}") from None
            case = KnowledgeCase.from_json(data, source)
            if case.id in seen:
                raise CaseFormatError(f"{source}: id {case.id!r} is also used at {seen[case.id]}")
            seen[case.id] = source
            cases.append(case)
    return cases


def run(files: Sequence[Path | str] | None = None, stores: Iterable[str] | None = None,
        tags: Iterable[str] | None = None) -> KnowledgeReport:
    """Index each store in a fresh folder and search every question.

    Raises:
        CaseFormatError: a malformed case, or a label that names no passage of its store.
        KnowledgeUnavailable: chromadb or the embedding model failed.
    """
    cases = load_cases(Path(f) for f in (files or default_case_files()))
    wanted_stores, wanted_tags = set(stores or ()), set(tags or ())
    cases = [c for c in cases if (not wanted_stores or c.store in wanted_stores)
             and (not wanted_tags or wanted_tags & set(c.tags))]
    by_store: dict[str, list[KnowledgeCase]] = {}
    for case in cases:
        by_store.setdefault(case.store, []).append(case)
    figures = []
    with tempfile.TemporaryDirectory(prefix="liveassist-knowledge-") as tmp:
        for store, store_cases in by_store.items():
            figures.append(_run_store(store, store_cases, Path(tmp) / store))
    return KnowledgeReport(figures)


def _run_store(store: str, cases: list[KnowledgeCase], folder: Path) -> StoreFigures:
    from assistant.catalog.importer import import_catalog, validate_catalog
    from assistant.config import Settings
    from assistant.db import get_engine, upgrade
    from assistant.knowledge.index import index_size_bytes, search, sync

    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'eval.db'}"
    settings = Settings(data_dir=folder, database_url=url)
    engine = get_engine(url)
    try:
        upgrade(engine)
        catalog, warnings = validate_catalog(json.loads(catalog_path(store).read_text(encoding="utf-8")))
        import_catalog(engine, catalog, warnings=warnings)
        built = sync(engine, settings)
        again = sync(engine, settings)
        figures = StoreFigures(store, passages=built.total, build_seconds=built.seconds,
                               resync_seconds=again.seconds, index_bytes=index_size_bytes(settings))
        known = _known_ids(engine)
        for case in cases:
            unknown = [e for e in case.expect if e not in known]
            if unknown:
                raise CaseFormatError(f"{case.source}: no passage {unknown[0]!r} in store {store}")
            started = time.perf_counter()
            hits = search(case.text, product_sku=case.on_air, k=K, settings=settings)
            latency = (time.perf_counter() - started) * 1000
            found = [h.id for h in hits]
            rank = _rank(found, case.expect)
            scoped_rank = rank
            product = case.on_air or _product_of(case.expect)
            if product and product != case.on_air:
                scoped = search(case.text, product_sku=product, k=K, settings=settings)
                scoped_rank = _rank([h.id for h in scoped], case.expect)
            figures.results.append(KnowledgeResult(case, found, rank, latency, scoped_rank))
        return figures
    finally:
        engine.dispose()


def _rank(found: list[str], expect: tuple[str, ...]) -> int | None:
    return next((n for n, i in enumerate(found, 1) if i in expect), None)


def _product_of(expect: tuple[str, ...]) -> str | None:
    """The product a labelled fact or size chart belongs to ("fact:SKU:key", "chart:SKU")."""
    for label in expect:
        kind, _, rest = label.partition(":")
        if kind in ("fact", "chart"):
            return rest.split(":", 1)[0]
    return None


def _known_ids(engine: Any) -> set[str]:
    from assistant.catalog.snapshot import get_snapshot
    from assistant.knowledge.passages import catalog_passages, correction_passages

    with engine.connect() as conn:
        store = get_snapshot(engine, conn)
        return {d.id for d in catalog_passages(store) + correction_passages(conn, store)}
