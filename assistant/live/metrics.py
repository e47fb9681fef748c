"""Counters for ``/metrics`` (Prometheus text format): what came in, what was shed and why, what
was answered, grouped and posted, and how long answers took."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class LiveMetrics:
    """One registry per service, so tests and several apps in one process do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.received = Counter("liveassist_messages_received", "Chat messages received", ["source"],
                                registry=self.registry)
        self.shed = Counter("liveassist_messages_shed", "Messages not answered one by one, by reason", ["reason"],
                            registry=self.registry)
        self.decisions = Counter("liveassist_decisions", "Decisions by action and where they went",
                                 ["action", "route"], registry=self.registry)
        self.grouped = Counter("liveassist_messages_grouped", "Messages that joined a group's answer",
                               registry=self.registry)
        self.fast_path = Counter("liveassist_fast_path", "Messages decided at the door, without the queue: "
                                 "chit-chat ignored, repeats of an answered question grouped", ["kind"],
                                 registry=self.registry)
        self.posts = Counter("liveassist_outbox_posts", "Replies posted to the chat", ["source"],
                             registry=self.registry)
        self.queue_depth = Gauge("liveassist_queue_depth", "Messages waiting to be answered", registry=self.registry)
        self.latency = Histogram("liveassist_answer_seconds", "From receiving a message to its decision",
                                 buckets=(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
                                 registry=self.registry)
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}

    def count(self, counter: Counter, *labels: str, amount: float = 1) -> None:
        """``counter.labels(*labels).inc(amount)``, with the labelled child kept: the door counts every
        message, and looking a child up by its labels costs more than the rest of a repeat's handling."""
        if not labels:
            counter.inc(amount)
            return
        key = (id(counter), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children.setdefault(key, counter.labels(*labels))
        child.inc(amount)
