"""The knowledge index: one persistent chromadb collection under ``<data_dir>/vector/``.

:func:`sync` makes the collection match the catalog and the corrections, incrementally: each
passage's metadata holds a content hash (text, metadata and embedding model), so only new or
changed passages are embedded and written, and passages whose source is gone are deleted. Running
it twice changes nothing the second time. :func:`search` embeds a question and returns the
nearest passages, optionally only one product's plus the store-wide ones.

Several processes may share the folder (``liveassist catalog import`` while ``liveassist serve``
runs), but chromadb keeps each process's vector index in memory and does not notice another
process's writes. So every sync stamps the collection with a new ``generation``, and a process
that finds a generation it did not load opens the folder afresh before searching.

This module is the one place where chromadb's and the embedding model's errors become ours
(:class:`~assistant.errors.KnowledgeUnavailable`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError
from sqlalchemy import Connection, Engine

from assistant.catalog.snapshot import StoreSnapshot, get_snapshot
from assistant.config import Settings
from assistant.db import storage_errors
from assistant.errors import KnowledgeUnavailable
from assistant.knowledge import embedding
from assistant.knowledge.hooks import describe
from assistant.knowledge.passages import STORE_WIDE, PassageDoc, catalog_passages, correction_passages

log = logging.getLogger(__name__)

COLLECTION = "knowledge"
MAX_K = 20
_BATCH = 64
"""Passages per upsert (each is one embedding call): well under chromadb's limit, small in memory."""
_lock = threading.Lock()
_clients: dict[Path, Any] = {}
_loaded: dict[Path, str | None] = {}
"""The generation each open folder had when this process loaded or last wrote it."""
_sync_locks: dict[Path, threading.Lock] = {}


@dataclass(frozen=True)
class Passage:
    """One search hit."""

    id: str
    """``fact:SKU:key``, ``chart:SKU``, ``faq:<sha1>`` or ``correction:<id>``."""
    kind: str
    product_sku: str | None
    text: str
    """The statement to quote (without the search words the passage was embedded with)."""
    distance: float
    """Cosine distance (0 = same direction)."""
    score: float
    """1 - distance: higher is closer. multilingual-e5 scores sit in a narrow band (about 0.75-0.95)."""
    fact_key: str | None = None
    question: str | None = None
    """The FAQ's question (FAQ passages)."""
    correction_id: int | None = None


@dataclass
class SyncReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    path: str = ""

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ok": True, "passages": self.total, "seconds": round(self.seconds, 3)}


def vector_dir(settings: Settings) -> Path:
    return (settings.data_dir / "vector").resolve()


@contextlib.contextmanager
def knowledge_errors(path: Path) -> Iterator[None]:
    """Translate chromadb, SQLite-under-chromadb, file and embedding-engine failures."""
    try:
        yield
    except KnowledgeUnavailable:
        raise
    except (ChromaError, sqlite3.Error, OSError, ValueError, RuntimeError) as exc:
        _forget(path)  # reopen next time: the folder may have been repaired
        raise KnowledgeUnavailable(f"knowledge index unavailable at {path}: {type(exc).__name__}: {exc}") from exc


def _forget(path: Path) -> None:
    """Drop this process's client for ``path``, and chromadb's cached one, so the next use reopens it.

    The old client is not stopped: a search running in another thread may still be using it.
    """
    with _lock:
        _clients.pop(path, None)
        _loaded.pop(path, None)
        SharedSystemClient._identifier_to_system.pop(str(path), None)  # chromadb 1.5's per-path cache


def _collection(path: Path, settings: Settings) -> Any:
    """The collection, current with what any process last wrote to the folder."""
    embedding.configure(settings.embedding_threads)
    for _ in range(2):
        with _lock:
            client = _clients.get(path)
            if client is None:
                client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(
                    anonymized_telemetry=False, allow_reset=False))
                _clients[path] = client
        collection = client.get_or_create_collection(
            COLLECTION, embedding_function=embedding.E5Embedding(), configuration={"hnsw": {"space": "cosine"}})
        generation = (collection.metadata or {}).get("generation")
        with _lock:
            seen = _loaded.setdefault(path, generation)
        if seen == generation:
            return collection
        log.info("knowledge index at %s was rewritten by another process: reopening it", path)
        _forget(path)
    return collection


# --- sync ----------------------------------------------------------------------------------------

def sync(engine: Engine, settings: Settings) -> SyncReport:
    """Bring the index in line with the catalog and the corrections in ``engine``.

    Raises:
        KnowledgeUnavailable: chromadb or the embedding model failed (the database is untouched).
        StorageError: the database could not be read.
    """
    with storage_errors(), engine.connect() as conn:
        store = get_snapshot(engine, conn)
        return sync_store(conn, store, settings)


def sync_store(conn: Connection, store: StoreSnapshot, settings: Settings) -> SyncReport:
    """:func:`sync` for a snapshot already loaded (the tool's context has one)."""
    started = time.perf_counter()
    with storage_errors():
        docs = catalog_passages(store) + correction_passages(conn, store)
    path = vector_dir(settings)
    with _lock:
        lock = _sync_locks.setdefault(path, threading.Lock())
    with lock, knowledge_errors(path):
        path.mkdir(parents=True, exist_ok=True)
        collection = _collection(path, settings)
        report = _apply(collection, docs)
        generation = uuid.uuid4().hex
        collection.modify(metadata={"catalog_version": store.version, "source": _source_key(conn),
                                    "generation": generation})
        with _lock:
            _loaded[path] = generation  # this process wrote it, so its in-memory index is current
    report.seconds = time.perf_counter() - started
    report.path = str(path)
    log.info("%s", describe(report.as_dict()))
    return report


def _apply(collection: Any, docs: list[PassageDoc]) -> SyncReport:
    wanted = {d.id: (d, d.metadata(embedding.MODEL_ID)) for d in docs}
    stored = collection.get(include=["metadatas"])
    current = {i: (m or {}).get("content_hash") for i, m in zip(stored["ids"], stored["metadatas"], strict=True)}
    report = SyncReport()
    changed: list[tuple[PassageDoc, dict[str, str]]] = []
    for doc_id, (doc, meta) in wanted.items():
        if doc_id not in current:
            report.added += 1
            changed.append((doc, meta))
        elif current[doc_id] != meta["content_hash"]:
            report.updated += 1
            changed.append((doc, meta))
        else:
            report.unchanged += 1
    gone = [i for i in current if i not in wanted]
    report.removed = len(gone)
    for start in range(0, len(gone), _BATCH):
        collection.delete(ids=gone[start : start + _BATCH])
    for start in range(0, len(changed), _BATCH):
        chunk = changed[start : start + _BATCH]
        collection.upsert(ids=[d.id for d, _ in chunk], documents=[d.text for d, _ in chunk],
                          metadatas=[m for _, m in chunk])
    return report


def _source_key(conn: Connection) -> str:
    """Which database the index mirrors (a data folder may be pointed at another database)."""
    return hashlib.sha1(conn.engine.url.render_as_string(hide_password=True).encode()).hexdigest()[:12]


def is_current(conn: Connection, store: StoreSnapshot, settings: Settings) -> bool:
    """The index exists and mirrors this database at this catalog version."""
    path = vector_dir(settings)
    if not path.exists():
        return False
    with knowledge_errors(path):
        collection = _collection(path, settings)
        meta = collection.metadata or {}
        return (collection.count() > 0 and meta.get("catalog_version") == store.version
                and meta.get("source") == _source_key(conn))


_building: set[str] = set()
_building_lock = threading.Lock()


def ready_or_build(conn: Connection, store: StoreSnapshot, settings: Settings) -> bool:
    """True when the index is current; else start bringing it up to date in the background (once per
    folder) and return False. A viewer's question never waits for embeddings to be computed."""
    if is_current(conn, store, settings):
        return True
    folder = str(vector_dir(settings))
    with _building_lock:
        if folder in _building:
            return False
        _building.add(folder)
    engine = conn.engine

    def build() -> None:
        try:
            sync(engine, settings)
        except Exception:  # derived data: logged, and tried again by the next search
            log.exception("building the knowledge index failed")
        finally:
            with _building_lock:
                _building.discard(folder)

    threading.Thread(target=build, name="knowledge-index", daemon=True).start()
    return False


# --- search --------------------------------------------------------------------------------------

def search(query: str, product_sku: str | None = None, k: int = 3, *, settings: Settings) -> list[Passage]:
    """The ``k`` passages nearest in meaning to ``query``.

    Args:
        query: the viewer's question, in their words.
        product_sku: only this product's passages and the store-wide ones (FAQs, corrections
            about no product).
        k: how many passages (1 to 20).
        settings: whose ``data_dir`` holds the index.

    Raises:
        KnowledgeUnavailable: there is no index, or chromadb or the embedding model failed.
    """
    path = vector_dir(settings)
    if not path.exists():
        raise KnowledgeUnavailable(f"no knowledge index at {path} (import a catalog to build it)")
    k = max(1, min(MAX_K, k))
    where = None
    if product_sku:
        where = {"$or": [{"product_sku": product_sku}, {"product_sku": STORE_WIDE}]}
    with knowledge_errors(path):
        collection = _collection(path, settings)
        count = collection.count()
        if count == 0:
            return []
        found = collection.query(query_texts=[query], n_results=min(k, count), where=where,
                                 include=["documents", "metadatas", "distances"])
    hits = []
    for doc_id, text, meta, distance in zip(found["ids"][0], found["documents"][0], found["metadatas"][0],
                                            found["distances"][0], strict=True):
        meta = meta or {}
        hits.append(Passage(
            id=doc_id, kind=str(meta.get("kind", doc_id.split(":", 1)[0])),
            product_sku=meta.get("product_sku") or None, text=str(meta.get("display") or text or ""),
            distance=round(float(distance), 4), score=round(1.0 - float(distance), 4),
            fact_key=meta.get("fact_key"), question=meta.get("question"),
            correction_id=int(meta["correction_id"]) if meta.get("correction_id") else None))
    return hits


def index_size_bytes(settings: Settings) -> int:
    """Bytes on disk under ``<data_dir>/vector/``."""
    path = vector_dir(settings)
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0
