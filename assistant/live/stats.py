"""Every message accounted for: a room's counts by outcome, where ``received`` always equals the sum of
the others.

A viewer's message is counted as received when the room takes it, and by its outcome once its transcript
row is safe (written, or spooled while the database is down) — so the counts say what the transcripts
hold, and ``pending`` is what is still on its way: queued, being answered, or waiting to be written.
With a shared bus (``LIVEASSIST_BUS_URL``) the counts live in Redis: one process may take a message in
and another answer it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any, Protocol

OUTCOMES = ("answered", "grouped", "escalated", "ignored", "shed")


def outcome_of(action: str, route: str | None) -> str:
    """Which count a decided message adds to.

    shed: not answered one by one (overload, rate limit, a repeat), with the reason in its row;
    ignored: chit-chat, spam, emoji; escalated: sent to the host, alone or with a group; grouped:
    answered as part of a group another viewer's question opened; answered: answered on its own (or
    the question that opened its group).
    """
    if route == "shed":
        return "shed"
    if action == "ignore":
        return "ignored"
    if action == "escalate":
        return "escalated"
    if route == "grouped":
        return "grouped"
    return "answered"


class RoomCounts(Protocol):
    def add_received(self, room_id: str, count: int) -> None: ...

    def add_decided(self, rows: Iterable[dict[str, Any]]) -> None:
        """Transcript rows (``room_id``, ``action``, ``route``) that are now safe."""
        ...

    def counts(self, room_id: str) -> dict[str, int]:
        """``received`` and each of :data:`OUTCOMES` (no ``pending``: the caller works it out)."""
        ...

    def close(self) -> None: ...


def _tally(rows: Iterable[dict[str, Any]]) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for row in rows:
        found[(row["room_id"], outcome_of(row["action"], row.get("route")))] += 1
    return found


class LocalRoomCounts:
    """In this process (the default: one server process)."""

    def __init__(self) -> None:
        self._rooms: dict[str, Counter[str]] = {}
        self._lock = threading.Lock()

    def add_received(self, room_id: str, count: int) -> None:
        if count:
            with self._lock:
                self._rooms.setdefault(room_id, Counter())["received"] += count

    def add_decided(self, rows: Iterable[dict[str, Any]]) -> None:
        found = _tally(rows)
        with self._lock:
            for (room_id, outcome), count in found.items():
                self._rooms.setdefault(room_id, Counter())[outcome] += count

    def counts(self, room_id: str) -> dict[str, int]:
        with self._lock:
            room = self._rooms.get(room_id, Counter())
            return {name: room[name] for name in ("received", *OUTCOMES)}

    def close(self) -> None:
        pass


class RedisRoomCounts:
    """Shared by every server process: one hash per room, ``la:stats:<room>``."""

    def __init__(self, url: str, prefix: str = "la:stats:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=10)
        self.prefix = prefix

    def add_received(self, room_id: str, count: int) -> None:
        if count:
            self.redis.hincrby(self.prefix + room_id, "received", count)

    def add_decided(self, rows: Iterable[dict[str, Any]]) -> None:
        found = _tally(rows)
        if not found:
            return
        pipe = self.redis.pipeline(transaction=False)
        for (room_id, outcome), count in found.items():
            pipe.hincrby(self.prefix + room_id, outcome, count)
        pipe.execute()

    def counts(self, room_id: str) -> dict[str, int]:
        stored = self.redis.hgetall(self.prefix + room_id)
        return {name: int(stored.get(name, 0)) for name in ("received", *OUTCOMES)}

    def close(self) -> None:
        self.redis.close()
