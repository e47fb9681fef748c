"""One viewer flooding must not crowd out the others.

Each viewer gets a token bucket (a burst, then a steady rate), and the same viewer repeating the
same words within a window is suppressed. Both are decided in microseconds, before any queue.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class ViewerLimits:
    def __init__(self, *, burst: int = 5, per_second: float = 0.5, repeat_window: float = 30.0,
                 max_viewers: int = 200_000) -> None:
        self.burst, self.rate, self.repeat_window = burst, per_second, repeat_window
        self.max_viewers = max_viewers
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._recent: OrderedDict[tuple[str, str], float] = OrderedDict()

    def check(self, room: str, user: str, normalised_text: str, now: float | None = None) -> str | None:
        """None when the message may go on; else why not: "repeat" or "rate_limited"."""
        now = time.monotonic() if now is None else now
        key = (f"{room}\x00{user}", normalised_text)
        seen = self._recent.get(key)
        self._recent[key] = now
        self._recent.move_to_end(key)
        self._trim(self._recent, now, self.repeat_window)
        if seen is not None and now - seen < self.repeat_window:
            return "repeat"
        bucket_key = key[0]
        bucket = self._buckets.get(bucket_key)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), at=now)
            self._buckets[bucket_key] = bucket
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        self._buckets.move_to_end(bucket_key)
        while len(self._buckets) > self.max_viewers:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1:
            return "rate_limited"
        bucket.tokens -= 1
        return None

    def _trim(self, recent: OrderedDict[tuple[str, str], float], now: float, window: float) -> None:
        while recent:
            oldest_key, oldest = next(iter(recent.items()))
            if now - oldest < window and len(recent) <= self.max_viewers:
                break
            recent.popitem(last=False)
