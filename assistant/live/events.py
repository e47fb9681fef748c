"""Pushing what happens in a room to whoever watches it: host pages, review pages, connectors.

Producers run on worker threads, consumers on the server's event loop, so :meth:`EventHub.publish`
hands events over with ``call_soon_threadsafe``. A watcher that cannot keep up loses its oldest
events rather than slowing the room down; pages re-read the full state when they reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

_QUEUE_SIZE = 1000


class EventHub:
    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self, channel: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=_QUEUE_SIZE)
        with self._lock:
            self._subscribers[channel].add(queue)
        return queue

    def unsubscribe(self, channel: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        with self._lock:
            self._subscribers[channel].discard(queue)

    def watchers(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        """Send ``event`` to every watcher of ``channel``; safe from any thread."""
        with self._lock:
            queues = list(self._subscribers.get(channel, ()))
        if not queues or self._loop is None or self._loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._deliver(queues, event)
        else:
            with contextlib.suppress(RuntimeError):  # the loop is shutting down
                self._loop.call_soon_threadsafe(self._deliver, queues, event)

    @staticmethod
    def _deliver(queues: list[asyncio.Queue[dict[str, Any]]], event: dict[str, Any]) -> None:
        for queue in queues:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)


class EventRelay:
    """Rooms' events through Redis pub/sub, so every server process's boards and pages see every turn,
    whichever process answered it."""

    def __init__(self, url: str, prefix: str = "la:events:") -> None:
        import redis

        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=10)
        self.prefix = prefix
        self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def publish(self, room_id: str, event: dict[str, Any]) -> None:
        self.redis.publish(self.prefix + room_id, json.dumps(event, ensure_ascii=False, default=str))

    def listen(self, apply: Callable[[str, dict[str, Any]], None]) -> None:
        self._pubsub.psubscribe(self.prefix + "*")

        def run() -> None:
            while not self._stop.is_set():
                try:
                    message = self._pubsub.get_message(timeout=0.5)
                except Exception:  # Redis restarting: keep listening
                    self._stop.wait(1.0)
                    continue
                if message and message.get("type") == "pmessage":
                    room_id = message["channel"][len(self.prefix):]
                    with contextlib.suppress(ValueError):
                        apply(room_id, json.loads(message["data"]))

        self._thread = threading.Thread(target=run, name="event-relay", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
        with contextlib.suppress(Exception):
            self._pubsub.close()
        self.redis.close()
