"""Many viewers, one question: messages that mean the same thing share a group and one answer.

"Means the same thing" is read from the understanding, not the words: the same intent about the same
product and variant (and destination, fact topic or body size, where those matter) in the same room
within a short window. "XL还有吗", "xl有货吗" and "还有XL吗？？" are one group; "黑色XL" and "灰色XL"
are two. A viewer's own order is never grouped with anyone's.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.pipeline import Decision, Turn

PERSONAL_INTENTS = {"order_status"}


def group_key(turn: Turn) -> str | None:
    """A stable key for what a message asks (the same in every process), or None: answer it alone."""
    u, plan = turn.understood, turn.plan
    if u is None or plan is None or plan.action == "ignore" or u.intent in PERSONAL_INTENTS:
        return None
    if "others_data" in u.flags:
        return None
    parts: dict[str, Any] = {"room": turn.msg.room_id, "action": plan.action, "intent": plan.intent,
                             "also": sorted(plan.also), "product": u.product_sku,
                             "options": {k: sorted(v) for k, v in sorted(u.options.items())},
                             "unavailable": sorted(u.unavailable.items())}
    if plan.action == "escalate":
        parts["reason"] = plan.reason
    if u.destination is not None:
        parts["destination"] = u.destination.region
    if u.topic:
        parts["topic"] = u.topic
    if u.body is not None:
        parts["body"] = [round(u.body.height_cm or 0), round(u.body.weight_kg or 0)]
    if plan.intent == "policy" or (plan.action == "escalate" and plan.reason == "unknown_question"):
        parts["text"] = u.text.lower()  # FAQ and unknown questions: only the same words are the same question
    if u.lang:
        parts["lang"] = u.lang
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return digest[:20]


@dataclass
class Member:
    user_id: str
    nickname: str | None
    message_id: str
    at: float


@dataclass
class Group:
    id: str
    key: str
    room_id: str
    opened: float
    decision: Decision | None = None
    members: list[Member] = field(default_factory=list)
    addressed: int = 0
    """How many members the posts so far were addressed to."""
    posts: int = 0
    stood_down: bool = False
    """A person answered these viewers: the assistant posts nothing more for this group."""
    stock_epoch: int = 0
    """The stock version the decision was made at; after any stock change a joiner re-answers."""

    @property
    def count(self) -> int:
        return len(self.members)


class GroupWindows(Protocol):
    def join_or_open(self, room_id: str, key: str, member: Member) -> tuple[Group, bool]: ...
    def get(self, group_id: str) -> Group | None: ...
    def set_decision(self, group: Group, decision: Decision) -> None: ...
    def stand_down(self, group_id: str) -> Group | None: ...
    def groups_of(self, room_id: str, user_id: str) -> list[Group]: ...


class LocalGroupWindows:
    """Grouping windows in this process (the default; the Redis bus shares them between processes)."""

    def __init__(self, window_seconds: float = 30.0, keep: int = 5000) -> None:
        self.window = window_seconds
        self.keep = keep
        self._open: dict[str, Group] = {}
        self._by_id: OrderedDict[str, Group] = OrderedDict()
        self._lock = threading.Lock()

    def join_or_open(self, room_id: str, key: str, member: Member) -> tuple[Group, bool]:
        """Join the open group for ``key`` or open a new one (True: the caller must answer it)."""
        now = member.at
        with self._lock:
            group = self._open.get(key)
            if group is not None and now - group.opened <= self.window and not group.stood_down:
                group.members.append(member)
                return group, False
            group = Group(id=uuid.uuid4().hex, key=key, room_id=room_id, opened=now, members=[member])
            self._open[key] = group
            self._by_id[group.id] = group
            while len(self._by_id) > self.keep:
                old_id, old = self._by_id.popitem(last=False)
                if self._open.get(old.key) is old:
                    del self._open[old.key]
            return group, True

    def get(self, group_id: str) -> Group | None:
        return self._by_id.get(group_id)

    def set_decision(self, group: Group, decision: Decision) -> None:
        group.decision = decision

    def stand_down(self, group_id: str) -> Group | None:
        with self._lock:
            group = self._by_id.get(group_id)
            if group is not None:
                group.stood_down = True
                if self._open.get(group.key) is group:
                    del self._open[group.key]
            return group

    def groups_of(self, room_id: str, user_id: str) -> list[Group]:
        """Open groups in a room that a viewer is in (to stand down when a person answers them)."""
        now = time.monotonic()
        with self._lock:
            return [g for g in self._open.values() if g.room_id == room_id and now - g.opened <= self.window
                    and any(m.user_id == user_id for m in g.members)]
