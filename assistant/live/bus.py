"""Where admitted messages wait to be answered: a queue in this process, or a Redis stream that
several server processes share.

The Redis bus is a stream read through one consumer group: each process is a consumer, each message
is delivered to one of them, and it is acknowledged only after its transcript row is written. A
process that dies leaves its unacknowledged messages pending; the others claim them after
``claim_idle`` seconds and answer them. A message that was answered but not yet acknowledged when
its process died is recognised by its transcript row (its message id is unique) and not answered
again.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    """One message handed to a worker, and how to acknowledge it."""

    payload: dict[str, Any]
    entry_id: str | None = None
    redelivered: bool = False
    """Claimed from a consumer that stopped: it may already have been answered."""


class Bus(Protocol):
    def put(self, payload: dict[str, Any]) -> bool: ...
    def get(self, timeout: float) -> list[Delivery]: ...
    def ack(self, deliveries: list[Delivery]) -> None: ...
    def depth(self) -> int: ...
    def close(self) -> None: ...


class LocalBus:
    """A bounded queue in this process (the default)."""

    def __init__(self, size: int) -> None:
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=size)

    def put(self, payload: dict[str, Any]) -> bool:
        try:
            self.queue.put_nowait(payload)
        except queue.Full:
            return False
        return True

    def get(self, timeout: float) -> list[Delivery]:
        try:
            first = self.queue.get(timeout=timeout)
        except queue.Empty:
            return []
        batch = [Delivery(first)]
        while len(batch) < 50:
            try:
                batch.append(Delivery(self.queue.get_nowait()))
            except queue.Empty:
                break
        return batch

    def ack(self, deliveries: list[Delivery]) -> None:
        for _ in deliveries:
            self.queue.task_done()

    def depth(self) -> int:
        return self.queue.qsize()

    def unfinished(self) -> int:
        return self.queue.unfinished_tasks

    def close(self) -> None:
        pass


class RedisBus:
    """A Redis stream with one consumer group shared by every server process."""

    def __init__(self, url: str, *, stream: str = "liveassist:danmaku", group: str = "answerers",
                 max_length: int = 200_000, claim_idle: float = 5.0, consumer: str | None = None) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=10, health_check_interval=30)
        self.stream, self.group, self.max_length = stream, group, max_length
        self.claim_idle_ms = int(claim_idle * 1000)
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self._claim_cursor = "0-0"
        self._last_claim = 0.0
        self._depth = (0.0, 0)
        self._lock = threading.Lock()
        try:
            self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def put(self, payload: dict[str, Any]) -> bool:
        self.redis.xadd(self.stream, {"m": json.dumps(payload, ensure_ascii=False, default=str)},
                        maxlen=self.max_length, approximate=True)
        return True

    def get(self, timeout: float) -> list[Delivery]:
        deliveries = self._claim_stale()
        if deliveries:
            return deliveries
        answer = self.redis.xreadgroup(self.group, self.consumer, {self.stream: ">"}, count=50,
                                       block=max(1, int(timeout * 1000)))
        for _stream, entries in answer or []:
            for entry_id, fields in entries:
                deliveries.append(Delivery(json.loads(fields["m"]), entry_id))
        return deliveries

    def _claim_stale(self) -> list[Delivery]:
        """Messages a stopped consumer was given and never acknowledged."""
        now = time.monotonic()
        if now - self._last_claim < 1.0:
            return []
        self._last_claim = now
        with self._lock:
            result = self.redis.xautoclaim(self.stream, self.group, self.consumer, self.claim_idle_ms,
                                           start_id=self._claim_cursor, count=100)
            self._claim_cursor = result[0] or "0-0"
        claimed = [Delivery(json.loads(fields["m"]), entry_id, redelivered=True)
                   for entry_id, fields in result[1] if fields]
        if claimed:
            log.warning("claimed %d messages from a stopped worker", len(claimed))
        return claimed

    def ack(self, deliveries: list[Delivery]) -> None:
        ids = [d.entry_id for d in deliveries if d.entry_id]
        if ids:
            self.redis.xack(self.stream, self.group, *ids)

    def depth(self) -> int:
        """Messages not yet read by any consumer (cached for a moment: ingest asks on every message)."""
        at, value = self._depth
        if time.monotonic() - at < 0.2:
            return value
        lag = 0
        for info in self.redis.xinfo_groups(self.stream):
            if info.get("name") == self.group:
                lag = int(info.get("lag") or 0) + int(info.get("pending") or 0)
        self._depth = (time.monotonic(), lag)
        return lag

    def close(self) -> None:
        self.redis.close()
