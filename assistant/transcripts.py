"""Transcripts: every message, what was understood, each tool call with its result, the reply.

Recording never loses a message: when the database cannot take a row, it goes to a spool file in
the data folder and is written to the database by the next recording that succeeds.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, Engine, select

from assistant import models
from assistant.db import storage_errors
from assistant.errors import StorageError
from assistant.ids import new_id

log = logging.getLogger(__name__)

EXPORT_FIELDS = ["id", "received_at", "room_id", "user_id", "channel", "text", "lang", "intent", "action",
                 "reply", "confidence", "reason", "latency_ms", "planner", "clock", "error", "group_id", "route",
                 "message_id", "audio", "usage", "tool_calls", "understanding"]
ACTIONS = ("answer", "escalate", "ignore")
_MAX_TEXT = 4000
_spool_lock = threading.Lock()


def row_for(*, room_id: str, user_id: str, text: str, received_at: dt.datetime, clock: dt.datetime,
            channel: str, lang: str | None, intent: str | None, action: str, reply: str, confidence: float,
            reason: str, understanding: dict[str, Any], tool_calls: list[dict[str, Any]], planner: str,
            latency_ms: float, error: str | None = None, message_id: str | None = None,
            group_id: str | None = None, route: str | None = None,
            audio: dict[str, Any] | None = None, usage: dict[str, Any] | None = None) -> dict[str, Any]:
    """A transcript row. Very long texts are cut (and say so): the transcript is for reading.

    NUL characters, which PostgreSQL text cannot hold, are kept visible as "␀" rather than lost.
    """
    text, user_id, room_id = _storable(text), _storable(user_id), _storable(room_id)
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + f"… [{len(text)} characters in all]"
    return {
        "room_id": room_id[:64], "user_id": user_id[:128], "text": text, "received_at": received_at,
        "clock": clock, "channel": channel, "lang": lang, "intent": intent, "action": action, "reply": reply,
        "confidence": round(float(confidence), 4), "reason": reason, "understanding": understanding,
        "tool_calls": tool_calls, "planner": planner, "latency_ms": round(latency_ms, 3), "error": error,
        "message_id": message_id or new_id(), "group_id": group_id, "route": route, "audio": audio,
        "usage": usage,
    }


def member_row(template: dict[str, Any], *, user_id: str, text: str, channel: str, received_at: dt.datetime,
               reply: str, latency_ms: float, message_id: str) -> dict[str, Any]:
    """The row of one more viewer who asked what a group already answered: ``template`` (made once per
    group by :func:`row_for`) holds what they share — what was understood, the decision — and only the
    viewer's own fields are filled in. A storm of repeats costs a dict copy each, not a row built anew."""
    text, user_id = _storable(text), _storable(user_id)
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + f"… [{len(text)} characters in all]"
    return template | {"user_id": user_id[:128], "text": text, "channel": channel, "received_at": received_at,
                       "reply": reply, "latency_ms": round(latency_ms, 3), "message_id": message_id}


_INSERT = models.Transcript.__table__.insert()


def _storable(value: str) -> str:
    return value.replace("\x00", "\u2400") if "\x00" in value else value


def insert(conn: Connection, row: dict[str, Any]) -> int:
    result = conn.execute(_INSERT, row)
    return int(result.inserted_primary_key[0])


_COLUMNS = ("room_id", "user_id", "text", "received_at", "clock", "channel", "lang", "intent", "action", "reply",
            "confidence", "reason", "understanding", "tool_calls", "planner", "latency_ms", "error", "message_id",
            "group_id", "route", "audio", "usage")
_JSON_COLUMNS = {"understanding", "tool_calls", "audio", "usage"}
_TIME_COLUMNS = {"received_at", "clock"}


def insert_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping any whose message id is already recorded (a message redelivered after its
    worker stopped is recorded once).

    This is the live room's hottest write — thousands of rows a second — so it goes to the driver
    directly, with JSON encoded by orjson, instead of through SQLAlchemy's per-row processing.
    """
    if not rows:
        return
    postgres = conn.dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    holders = ", ".join(f"{mark}::json" if postgres and c in _JSON_COLUMNS else mark for c in _COLUMNS)
    sql = (f"INSERT INTO transcripts ({', '.join(_COLUMNS)}) VALUES ({holders}) "
           "ON CONFLICT (message_id) DO NOTHING")
    conn.exec_driver_sql(sql, [tuple(_driver_value(c, row.get(c), postgres) for c in _COLUMNS) for row in rows])


def _driver_value(column: str, value: Any, postgres: bool) -> Any:
    if value is None:
        return None
    if column in _JSON_COLUMNS:
        return orjson.dumps(value, default=_json_default).decode()
    if column in _TIME_COLUMNS:
        naive = value.astimezone(dt.UTC).replace(tzinfo=None)  # stored as UTC, as models.UTCDateTime does
        return naive if postgres else naive.isoformat(sep=" ", timespec="microseconds")
    return value


def recorded(engine: Engine, message_id: str) -> bool:
    table = models.Transcript.__table__
    with storage_errors(), engine.connect() as conn:
        return conn.execute(select(table.c.id).where(table.c.message_id == message_id)).first() is not None


class Spool:
    """A JSON-lines file that holds rows the database could not take, until it can."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "spool" / "transcripts.jsonl"

    def put(self, row: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _spool_lock, self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(row, default=_json_default, ensure_ascii=False) + "\n")

    def pending(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    def flush(self, engine: Engine) -> int:
        """Write spooled rows to the database; returns how many were written."""
        if not self.pending():
            return 0
        with _spool_lock:
            lines = self.path.read_text(encoding="utf-8").splitlines()
            rows = [_revive(json.loads(line)) for line in lines if line.strip()]
            with storage_errors(), engine.begin() as conn:
                for row in rows:
                    insert(conn, row)
            self.path.unlink()
        log.warning("wrote %d spooled transcript rows to the database", len(rows))
        return len(rows)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _revive(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("received_at", "clock"):
        if isinstance(row.get(key), str):
            row[key] = dt.datetime.fromisoformat(row[key])
    return row


def record(engine: Engine, row: dict[str, Any], spool: Spool) -> int | None:
    """Record a row; on a database failure, spool it. Returns the row id when written."""
    try:
        with storage_errors(), engine.begin() as conn:
            row_id = insert(conn, row)
    except StorageError as exc:
        log.error("transcript spooled, database failed: %s", exc)
        spool.put(row | {"error": (row.get("error") or "") + f" [spooled: {exc}]"})
        return None
    if spool.pending():
        with contextlib.suppress(StorageError):  # still down: the rows wait in the spool
            spool.flush(engine)
    return row_id


class Recorder(Protocol):
    def record(self, row: dict[str, Any]) -> int | None: ...


class DirectRecorder:
    """Writes each row at once and returns its id (the contract's synchronous path)."""

    def __init__(self, engine: Engine, spool: Spool) -> None:
        self.engine, self.spool = engine, spool

    def record(self, row: dict[str, Any]) -> int | None:
        return record(self.engine, row, self.spool)


class BatchRecorder:
    """Queues rows and writes them in batches from one thread: a busy live room writes thousands a
    second, and one transaction per batch costs what one per row would. Rows the database refuses
    go to the spool, as with :func:`record`."""

    def __init__(self, engine: Engine, spool: Spool, *, max_batch: int = 500, interval: float = 0.05,
                 on_written: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
        self.engine, self.spool = engine, spool
        self.on_written = on_written
        """Called with every batch once it is safe (written, or spooled): the bus acknowledges then."""
        self.max_batch, self.interval = max_batch, interval
        self.queue: queue.Queue[dict[str, Any] | list[dict[str, Any]] | None] = queue.Queue()
        self.written = 0
        self._thread = threading.Thread(target=self._run, name="transcript-writer", daemon=True)
        self._thread.start()

    def record(self, row: dict[str, Any]) -> int | None:
        self.queue.put(row)
        return None

    def record_many(self, rows: list[dict[str, Any]]) -> None:
        """Queue a frame's rows at once (one hand-over to the writer instead of one per row)."""
        if rows:
            self.queue.put(rows)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every queued row is written (or spooled)."""
        deadline = time.monotonic() + timeout
        while not self.queue.empty() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(self.interval * 2)

    def close(self) -> None:
        self.queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        stop = False
        while not stop:
            batch: list[dict[str, Any]] = []
            try:
                first = self.queue.get(timeout=self.interval)
            except queue.Empty:
                continue
            if first is None:
                break
            _add(batch, first)
            while len(batch) < self.max_batch:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                _add(batch, item)
            self._write(batch)

    def _write(self, batch: list[dict[str, Any]]) -> None:
        try:
            with storage_errors(), self.engine.begin() as conn:
                insert_many(conn, batch)
            self.written += len(batch)
        except StorageError as exc:
            log.error("%d transcript rows spooled, database failed: %s", len(batch), exc)
            for row in batch:
                self.spool.put(row | {"error": (row.get("error") or "") + f" [spooled: {exc}]"})
        if self.on_written is not None:
            try:
                self.on_written(batch)
            except Exception:  # acknowledging must not stop the writer
                log.exception("acknowledging written transcripts failed")


def _add(batch: list[dict[str, Any]], item: dict[str, Any] | list[dict[str, Any]]) -> None:
    if isinstance(item, list):
        batch.extend(item)
    else:
        batch.append(item)


@dataclass
class TranscriptQuery:
    room: str | None = None
    user: str | None = None
    action: str | None = None
    intent: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    route: str | None = None
    """Outcome: chat (posted), host, grouped, shed, none."""
    text: str | None = None
    """Words the message or the reply contains."""
    corrected: bool | None = None
    limit: int = 100
    offset: int = 0


def search(engine: Engine, q: TranscriptQuery) -> list[dict[str, Any]]:
    """Transcript rows matching every given filter, newest first."""
    table = models.Transcript.__table__
    query = select(table)
    for column, value in (("room_id", q.room), ("user_id", q.user), ("action", q.action), ("intent", q.intent),
                          ("route", q.route)):
        if value:
            query = query.where(table.c[column] == value)
    if q.text:
        pattern = f"%{q.text}%"
        query = query.where(table.c.text.like(pattern) | table.c.reply.like(pattern))
    if q.corrected is not None:
        has = select(models.Correction.transcript_id).where(models.Correction.transcript_id == table.c.id).exists()
        query = query.where(has if q.corrected else ~has)
    if q.since:
        query = query.where(table.c.received_at >= q.since)
    if q.until:
        query = query.where(table.c.received_at < q.until)
    query = query.order_by(table.c.received_at.desc(), table.c.id.desc()).limit(q.limit).offset(q.offset)
    with storage_errors(), engine.connect() as conn:
        return [_public(dict(row._mapping)) for row in conn.execute(query)]


def _public(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("received_at", "clock"):
        if row.get(key) is not None:
            row[key] = row[key].isoformat()
    return row


def to_jsonl(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n" for row in rows)


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        flat = dict(row)
        for key in ("tool_calls", "understanding", "audio", "usage"):
            flat[key] = json.dumps(flat.get(key), ensure_ascii=False, default=_json_default)
        writer.writerow(flat)
    return buffer.getvalue()
