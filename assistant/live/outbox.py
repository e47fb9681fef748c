"""Replies on their way to the live chat.

Every reply to post is a row in the ``outbox`` table first (so nothing is lost if the connector is
away), then pushed to connectors watching the room's outbox WebSocket, and, when the room has a
webhook, POSTed there with retries (1, 2, 4, 8, 16 s) until it is accepted or given up on.
A platform blocks identical messages as spam, so the same text is never posted twice in a row in
a room within a few minutes: callers vary the wording (same facts) and the outbox checks.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import Engine, select, update

from assistant import models
from assistant.db import storage_errors
from assistant.errors import StorageError
from assistant.live.events import EventHub

log = logging.getLogger(__name__)

RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0)
_RECENT_SECONDS = 300.0


def outbox_channel(room_id: str) -> str:
    return f"outbox:{room_id}"


@dataclass(frozen=True)
class Posted:
    id: int
    room_id: str
    text: str
    group_id: str | None
    users: list[str]
    source: str
    created_at: str

    def event(self) -> dict[str, Any]:
        return {"type": "outbox", "id": self.id, "room": self.room_id, "text": self.text, "group_id": self.group_id,
                "users": self.users, "source": self.source, "created_at": self.created_at}


class Outbox:
    def __init__(self, engine: Engine, hub: EventHub) -> None:
        self.engine = engine
        self.hub = hub
        self._recent: dict[str, deque[tuple[float, str]]] = {}
        self._lock = threading.Lock()
        self._retries: list[tuple[float, int, str, int]] = []  # (when, outbox id, url, attempt)
        self._wake = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._deliver_loop, name="webhooks", daemon=True)
        self._thread.start()

    def recently_posted(self, room_id: str, text: str) -> bool:
        """Whether the room saw these words (without @-addressing) in the last few minutes."""
        now = time.monotonic()
        with self._lock:
            recent = self._recent.setdefault(room_id, deque(maxlen=200))
            while recent and now - recent[0][0] > _RECENT_SECONDS:
                recent.popleft()
            return any(t == text for _, t in recent)

    def post(self, room_id: str, text: str, *, users: list[str], group_id: str | None, source: str,
             webhook_url: str | None, body: str | None = None) -> Posted:
        """Queue ``text`` for the chat; ``body`` is the text without its @-addressing (what must vary)."""
        now = dt.datetime.now(dt.UTC)
        with storage_errors(), self.engine.begin() as conn:
            result = conn.execute(models.OutboxMessage.__table__.insert().values(
                room_id=room_id, text=text, group_id=group_id, users=users, source=source, created_at=now,
                status="pending", attempts=0))
            row_id = int(result.inserted_primary_key[0])
        with self._lock:
            self._recent.setdefault(room_id, deque(maxlen=200)).append((time.monotonic(), body or text))
        posted = Posted(row_id, room_id, text, group_id, users, source, now.isoformat())
        self.hub.publish(outbox_channel(room_id), posted.event())
        if webhook_url:
            self._schedule(0.0, row_id, webhook_url, 0)
        return posted

    def pending(self, room_id: str, after_id: int = 0, limit: int = 500) -> list[Posted]:
        table = models.OutboxMessage.__table__
        with storage_errors(), self.engine.connect() as conn:
            rows = conn.execute(select(table).where(table.c.room_id == room_id, table.c.id > after_id,
                                                    table.c.status == "pending").order_by(table.c.id).limit(limit))
            return [Posted(r.id, r.room_id, r.text, r.group_id, list(r.users or []), r.source,
                           r.created_at.isoformat()) for r in rows]

    def acknowledge(self, room_id: str, ids: list[int]) -> int:
        table = models.OutboxMessage.__table__
        with storage_errors(), self.engine.begin() as conn:
            done = conn.execute(update(table).where(table.c.room_id == room_id, table.c.id.in_(ids),
                                                    table.c.status == "pending")
                                .values(status="delivered", delivered_at=dt.datetime.now(dt.UTC)))
        return done.rowcount

    def close(self) -> None:
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=5)

    # --- webhook delivery -----------------------------------------------------------------------

    def _schedule(self, delay: float, row_id: int, url: str, attempt: int) -> None:
        with self._lock:
            heapq.heappush(self._retries, (time.monotonic() + delay, row_id, url, attempt))
        self._wake.set()

    def _deliver_loop(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while not self._stop:
                with self._lock:
                    due = self._retries[0][0] - time.monotonic() if self._retries else None
                if due is None or due > 0:
                    self._wake.wait(timeout=due if due is not None else 1.0)
                    self._wake.clear()
                    continue
                with self._lock:
                    _, row_id, url, attempt = heapq.heappop(self._retries)
                self._deliver(client, row_id, url, attempt)

    def _deliver(self, client: httpx.Client, row_id: int, url: str, attempt: int) -> None:
        table = models.OutboxMessage.__table__
        try:
            with storage_errors(), self.engine.connect() as conn:
                row = conn.execute(select(table).where(table.c.id == row_id)).first()
        except StorageError as exc:
            log.warning("outbox %s: database unavailable, retrying: %s", row_id, exc)
            self._schedule(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)], row_id, url, attempt)
            return
        if row is None or row.status != "pending":
            return
        payload = {"id": row.id, "room": row.room_id, "text": row.text, "users": row.users,
                   "group_id": row.group_id, "source": row.source}
        error = None
        try:
            response = client.post(url, json=payload)
            if response.status_code >= 300:
                error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        status = "delivered" if error is None else ("failed" if attempt + 1 >= len(RETRY_DELAYS) else "pending")
        with storage_errors(), self.engine.begin() as conn:
            conn.execute(update(table).where(table.c.id == row_id).values(
                attempts=attempt + 1, last_error=error, status=status,
                delivered_at=dt.datetime.now(dt.UTC) if error is None else None))
        if status == "pending":
            log.info("webhook for outbox %s failed (%s); retry %d", row_id, error, attempt + 1)
            self._schedule(RETRY_DELAYS[attempt], row_id, url, attempt + 1)
        elif status == "failed":
            log.error("webhook for outbox %s given up after %d attempts: %s", row_id, attempt + 1, error)
