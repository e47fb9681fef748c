"""What the host sees, built from the room's events: questions grouped and ranked by how many ask,
each with its suggested reply; escalations with their drafts; live stock of the product on air;
low-stock and "asked for but sold out" alerts; and the demand figures.

The board is a plain state machine fed by events (:meth:`Board.apply`), so every server process
that receives a room's events (in-process, or through Redis) shows the same board.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

_KEEP_SECONDS = 600.0
_MAX_ITEMS = 200


@dataclass
class BoardItem:
    group_id: str
    kind: str
    """answer or escalate."""
    intent: str
    question: str
    reply: str
    reason: str
    reason_code: str
    """Why it went to the host (bargain, complaint, health, …): pages colour by it."""
    status: str
    """posted (auto), suggested, accepted, edited, dismissed, answered (by a person), late."""
    product_sku: str | None
    label: str
    count: int = 1
    askers: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    first_at: float = 0.0
    last_at: float = 0.0

    def view(self) -> dict[str, Any]:
        return {
            "group_id": self.group_id, "kind": self.kind, "intent": self.intent, "question": self.question,
            "reply": self.reply, "reason": self.reason, "reason_code": self.reason_code, "status": self.status,
            "product_sku": self.product_sku,
            "label": self.label, "count": self.count, "askers": self.askers[-5:], "samples": self.samples[-3:],
            "first_at": self.first_at, "last_at": self.last_at,
        }


class Board:
    """One room's teleprompter state and demand figures."""

    def __init__(self, room_id: str, low_stock_threshold: int = 5) -> None:
        self.room_id = room_id
        self.low_threshold = low_stock_threshold
        self.items: dict[str, BoardItem] = {}
        self.on_air: dict[str, Any] | None = None
        self.stock: dict[str, int] = {}
        """Variant SKU → units, for the product on air."""
        self.asks: deque[tuple[float, str, dict[str, list[str]], list[str], str]] = deque()
        """(time, intent, options asked, sold-out variant labels met, action) per question."""
        self.actions: Counter[str] = Counter()
        self.shed: Counter[str] = Counter()
        self.latencies: deque[float] = deque(maxlen=2000)
        self._pruned_at = 0.0
        self._lock = threading.Lock()

    # --- events in ------------------------------------------------------------------------------

    def apply(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        with self._lock:
            if kind == "turn":
                self._turn(event)
            elif kind == "group":
                self._group_update(event)
            elif kind == "stock":
                for change in event.get("changes", []):
                    if change["variant_sku"] in self.stock:
                        self.stock[change["variant_sku"]] = change["total"]
            elif kind == "on_air":
                self.on_air = event.get("product")
                self.stock = dict(event.get("stock") or {})
            elif kind == "joined":
                self._joined(event)
            elif kind == "tally":
                for reason, count in (event.get("shed") or {}).items():
                    self.shed[reason] += int(count)
                    self.actions["ignore"] += int(count)
                for count in (event.get("ignored") or {}).values():
                    self.actions["ignore"] += int(count)

    def _turn(self, event: dict[str, Any]) -> None:
        now = float(event.get("at") or time.time())
        decision = event["decision"]
        action = decision["action"]
        self.actions[action] += 1
        if event.get("latency_ms") is not None:
            self.latencies.append(float(event["latency_ms"]))
        if action == "ignore":
            return
        self.asks.append((now, decision["intent"], event.get("options") or {}, event.get("sold_out") or [], action))
        group_id = event.get("group_id")
        if not group_id:
            return
        item = self.items.get(group_id)
        asker = event.get("asker") or ""
        if item is None:
            item = BoardItem(
                group_id=group_id, kind=action, intent=decision["intent"], question=event.get("text", ""),
                reply=decision["reply"], reason=decision.get("reason", ""), reason_code=decision.get("reason_code", ""),
                status=event.get("status", "suggested"),
                product_sku=event.get("product_sku"), label=event.get("label", ""), count=0, first_at=now,
            )
            self.items[group_id] = item
        item.count += 1
        item.last_at = now
        if asker:
            item.askers.append(asker)
        if event.get("text") and event["text"] not in item.samples:
            item.samples.append(event["text"])
        self._prune(now)

    def _joined(self, event: dict[str, Any]) -> None:
        """Viewers who asked what a group already answered, counted in one event per frame."""
        now = float(event.get("at") or time.time())
        count = int(event.get("count", 0))
        decision = event.get("decision") or {}
        self.actions[decision.get("action", "answer")] += count
        for latency in event.get("latencies_ms", []):
            self.latencies.append(float(latency))
        for _ in range(count):
            self.asks.append((now, decision.get("intent", "other"), event.get("options") or {},
                              event.get("sold_out") or [], decision.get("action", "answer")))
        item = self.items.get(event.get("group_id", ""))
        if item is not None:
            item.count += count
            item.last_at = now
            item.askers.extend(event.get("askers", [])[-5:])
            del item.askers[:-10]
            for sample in event.get("samples", []):
                if sample not in item.samples:
                    item.samples.append(sample)
        self._prune(now)

    def _group_update(self, event: dict[str, Any]) -> None:
        item = self.items.get(event.get("group_id", ""))
        if item is None:
            return
        if "reply" in event and event["reply"] is not None:
            item.reply = event["reply"]
        if "status" in event:
            item.status = event["status"]

    def _prune(self, now: float, force: bool = False) -> None:
        while self.asks and now - self.asks[0][0] > _KEEP_SECONDS:
            self.asks.popleft()
        if not force and now - self._pruned_at < 2.0:
            return  # the items are few; looking at all of them on every message is not
        self._pruned_at = now
        if len(self.items) > _MAX_ITEMS:
            stale = sorted(self.items.values(), key=lambda i: i.last_at)[: len(self.items) - _MAX_ITEMS]
            for item in stale:
                del self.items[item.group_id]
        for item in [i for i in self.items.values() if now - i.last_at > _KEEP_SECONDS]:
            del self.items[item.group_id]

    # --- what the page shows ------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            now = time.time()
            self._prune(now, force=True)
            ranked = sorted(self.items.values(), key=lambda i: (i.status in ("dismissed", "answered", "accepted",
                                                                               "edited"), -i.count, -i.last_at))
            return {
                "room": self.room_id,
                "on_air": self._on_air_view(),
                "questions": [i.view() for i in ranked if i.kind == "answer"][:40],
                "escalations": [i.view() for i in ranked if i.kind == "escalate"][:20],
                "alerts": self._alerts(now),
                "demand": self._demand(now),
            }

    def _on_air_view(self) -> dict[str, Any] | None:
        if not self.on_air:
            return None
        variants = [dict(v, total=self.stock.get(v["sku"], 0)) for v in self.on_air.get("variants", [])]
        for variant in variants:
            variant["status"] = ("sold_out" if variant["total"] <= 0 else
                                 "low" if variant["total"] <= self.low_threshold else "in_stock")
        return {k: v for k, v in self.on_air.items() if k != "variants"} | {"variants": variants}

    def _alerts(self, now: float) -> list[dict[str, Any]]:
        alerts = []
        sold_out_asks: Counter[str] = Counter()
        for at, _intent, _options, sold_out, _action in self.asks:
            if now - at <= _KEEP_SECONDS:
                sold_out_asks.update(sold_out)
        for label, count in sold_out_asks.most_common(5):
            alerts.append({"kind": "asked_sold_out", "label": label, "count": count})
        if self.on_air:
            for variant in self.on_air.get("variants", []):
                total = self.stock.get(variant["sku"], 0)
                if 0 < total <= self.low_threshold:
                    alerts.append({"kind": "low_stock", "label": variant.get("label", variant["sku"]),
                                   "sku": variant["sku"], "count": total})
        return alerts

    def _demand(self, now: float) -> dict[str, Any]:
        last_minute = [a for a in self.asks if now - a[0] <= 60]
        by_option: dict[str, Counter[str]] = {}
        for _at, _intent, options, _sold_out, _action in self.asks:
            for name, values in options.items():
                by_option.setdefault(name, Counter()).update(values)
        total = sum(self.actions.values()) or 1
        return {
            "questions_last_minute": len(last_minute),
            "by_intent_last_minute": dict(Counter(a[1] for a in last_minute)),
            "by_option": {name: dict(counter.most_common(12)) for name, counter in by_option.items()},
            "asked_sold_out": sum(len(a[3]) > 0 for a in self.asks),
            "shares": {action: round(self.actions[action] / total, 3) for action in ("answer", "escalate", "ignore")},
            "counts": dict(self.actions),
            "shed": dict(self.shed),
            "latency_ms": self._latency_ms(),
        }

    def latency_ms(self) -> dict[str, float | None]:
        """Answer latency p50 and p95 over the room's last 2,000 decisions."""
        with self._lock:
            return self._latency_ms()

    def _latency_ms(self) -> dict[str, float | None]:
        latencies = sorted(self.latencies)
        return {
            "p50": round(statistics.median(latencies), 2) if latencies else None,
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else None,
        }
