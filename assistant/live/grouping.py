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
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from assistant.ids import new_id
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
    decided_at: float = 0.0
    """When the decision was made (wall clock); after a stock change a joiner re-answers."""
    size: int | None = None
    """Members in all processes (shared windows); None: ``members`` is the whole list."""

    @property
    def count(self) -> int:
        return self.size if self.size is not None else len(self.members)


class GroupWindows(Protocol):
    def join_or_open(self, room_id: str, key: str, member: Member) -> tuple[Group, bool]: ...
    def get(self, group_id: str) -> Group | None: ...
    def set_decision(self, group: Group, decision: Decision) -> None: ...
    def stand_down(self, group_id: str) -> Group | None: ...
    def groups_of(self, room_id: str, user_id: str) -> list[Group]: ...
    def claim_unaddressed(self, group: Group) -> list[Member]:
        """The members no post has addressed yet, now counted as addressed by the caller's post: one
        claim per member, so two processes (or threads) never address a viewer twice."""
        ...


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
            group = Group(id=new_id(), key=key, room_id=room_id, opened=now, members=[member])
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
        group.decided_at = time.time()

    def claim_unaddressed(self, group: Group) -> list[Member]:
        with self._lock:
            claimed = group.members[group.addressed:]
            if claimed:
                group.addressed = len(group.members)
                group.posts += 1
            return claimed

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


_CLAIM_SCRIPT = """
local addressed = tonumber(redis.call('HGET', KEYS[1], 'addressed') or '0')
local posts = tonumber(redis.call('HGET', KEYS[1], 'posts') or '0')
local members = redis.call('LRANGE', KEYS[2], addressed, -1)
if #members > 0 then
  addressed = addressed + #members
  posts = posts + 1
  redis.call('HSET', KEYS[1], 'addressed', addressed, 'posts', posts)
end
return {addressed, posts, members}
"""


class RedisGroupWindows:
    """Grouping windows shared by every server process through Redis (``LIVEASSIST_BUS_URL``).

    ``la:gk:<room>:<key>`` names the open group for a key (set only if absent, so two processes
    never open two groups for one question); ``la:g:<id>`` holds the group and its decision;
    ``la:gm:<id>`` lists its members; ``la:ug:<room>:<user>`` the groups a viewer is in.
    """

    def __init__(self, url: str, window_seconds: float = 30.0) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=10)
        self.window = window_seconds
        self.ttl = max(60, int(window_seconds * 4))

    def join_or_open(self, room_id: str, key: str, member: Member) -> tuple[Group, bool]:
        slot = f"la:gk:{room_id}:{key}"
        member_json = json.dumps(member.__dict__, ensure_ascii=False)
        for _ in range(3):
            group_id = new_id()
            if self.redis.set(slot, group_id, nx=True, ex=max(1, int(self.window))):
                pipe = self.redis.pipeline()
                pipe.sadd(f"la:gmid:{group_id}", member.message_id)
                pipe.expire(f"la:gmid:{group_id}", self.ttl)
                pipe.hset(f"la:g:{group_id}", mapping={"key": key, "room": room_id, "opened": time.time(),
                                                        "addressed": 0, "posts": 0, "stood_down": 0})
                pipe.expire(f"la:g:{group_id}", self.ttl)
                pipe.rpush(f"la:gm:{group_id}", member_json)
                pipe.expire(f"la:gm:{group_id}", self.ttl)
                self._index_member(pipe, room_id, member.user_id, group_id)
                pipe.execute()
                return Group(id=group_id, key=key, room_id=room_id, opened=member.at, members=[member], size=1), True
            existing = self.redis.get(slot)
            if existing is None:
                continue  # the window closed between the two calls
            # A message taken over from a stopped process may have joined already: not twice.
            if self.redis.sadd(f"la:gmid:{existing}", member.message_id):
                pipe = self.redis.pipeline()
                pipe.expire(f"la:gmid:{existing}", self.ttl)
                pipe.rpush(f"la:gm:{existing}", member_json)
                self._index_member(pipe, room_id, member.user_id, existing)
                pipe.execute()
            group = self.get(existing)
            if group is not None:
                return group, False
        raise RuntimeError("could not open or join a group")

    def _index_member(self, pipe: Any, room_id: str, user_id: str, group_id: str) -> None:
        pipe.sadd(f"la:ug:{room_id}:{user_id}", group_id)
        pipe.expire(f"la:ug:{room_id}:{user_id}", self.ttl)

    def get(self, group_id: str) -> Group | None:
        pipe = self.redis.pipeline()
        pipe.hgetall(f"la:g:{group_id}")
        pipe.llen(f"la:gm:{group_id}")
        data, size = pipe.execute()
        if not data:
            return None
        decision = Decision(**json.loads(data["decision"])) if data.get("decision") else None
        return Group(id=group_id, key=data["key"], room_id=data["room"], opened=time.monotonic()
                     - (time.time() - float(data["opened"])), decision=decision, addressed=int(data["addressed"]),
                     posts=int(data["posts"]), stood_down=data.get("stood_down") == "1",
                     decided_at=float(data.get("decided_at") or 0), size=int(size))

    def set_decision(self, group: Group, decision: Decision) -> None:
        group.decision = decision
        group.decided_at = time.time()
        self.redis.hset(f"la:g:{group.id}", mapping={"decision": json.dumps(asdict(decision), ensure_ascii=False,
                                                                              default=str),
                                                      "decided_at": group.decided_at})

    def stand_down(self, group_id: str) -> Group | None:
        group = self.get(group_id)
        if group is None:
            return None
        self.redis.hset(f"la:g:{group_id}", "stood_down", 1)
        slot = f"la:gk:{group.room_id}:{group.key}"
        if self.redis.get(slot) == group_id:
            self.redis.delete(slot)
        group.stood_down = True
        return group

    def groups_of(self, room_id: str, user_id: str) -> list[Group]:
        found = []
        for group_id in self.redis.smembers(f"la:ug:{room_id}:{user_id}"):
            group = self.get(group_id)
            if group is not None and time.monotonic() - group.opened <= self.window:
                found.append(group)
        return found

    def claim_unaddressed(self, group: Group) -> list[Member]:
        # One script, so reading who is unaddressed and marking them addressed cannot interleave with
        # another process doing the same (which would post to the same viewers twice).
        addressed, posts, raw = self.redis.eval(_CLAIM_SCRIPT, 2, f"la:g:{group.id}", f"la:gm:{group.id}")
        group.addressed, group.posts = int(addressed), int(posts)
        return [Member(**json.loads(item)) for item in raw]
