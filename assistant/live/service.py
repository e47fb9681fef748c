"""The live room engine: danmaku in, grouped answers out, every message accounted for.

Ingest never waits on answering. :meth:`LiveService.submit` decides in microseconds — a flooding
viewer or a repeat is shed, and under overload chit-chat is shed first and exact repeats of a
question already answered join its group at once — then puts the message on a bounded queue that
worker threads drain through the pipeline. Every message ends up answered, aggregated into a group,
or recorded as shed with the reason; ``/metrics`` and the board say how many of each.
"""

from __future__ import annotations

import copy
import datetime as dt
from functools import lru_cache
import logging
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from assistant import models, transcripts
from assistant.catalog.snapshot import get_snapshot
from assistant.db import storage_errors
from assistant.errors import InvalidInput, StorageError
from assistant.ids import new_id
from assistant.live import routing
from assistant.live.board import Board
from assistant.live.bus import Bus, Delivery, LocalBus, RedisBus
from assistant.live.danmaku import Danmaku
from assistant.live.events import EventHub, EventRelay
from assistant.live.grouping import Group, GroupWindows, LocalGroupWindows, Member, RedisGroupWindows, group_key
from assistant.live.limits import ViewerLimits
from assistant.live.metrics import LiveMetrics
from assistant.live.outbox import Outbox
from assistant.live.stats import OUTCOMES, LocalRoomCounts, RedisRoomCounts, RoomCounts
from assistant.pipeline import Assistant, Decision, Message, Turn
from assistant.prompts import render
from assistant.prompts import reason as reason_text
from assistant.text import has_han, normalise

log = logging.getLogger(__name__)

_CHITCHAT_FLAGS = {"chitchat", "spam", "empty", "emoji_only"}


def room_channel(room_id: str) -> str:
    return f"room:{room_id}"


def mask_user(user_id: str) -> str:
    """"douyin:7712345" → "douyin:77***45": enough to tell viewers apart on a page, not to find them."""
    platform, _, rest = user_id.rpartition(":")
    if len(rest) <= 4:
        return f"{platform}:{rest[:1]}***" if platform else f"{rest[:1]}***"
    masked = f"{rest[:2]}***{rest[-2:]}"
    return f"{platform}:{masked}" if platform else masked


@dataclass
class FrameTally:
    """What one frame of messages did at the door, told to the room and handed to the transcript writer
    once per frame (a busy room sends thousands a second; its pages need the sum, not every one)."""

    ignored: Counter[str] = field(default_factory=Counter)
    shed: Counter[str] = field(default_factory=Counter)
    joined: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Group id → one "joined" event for every viewer of this frame who joined that group."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    """Transcript rows of the messages decided at the door."""
    counts: Counter[tuple[Any, tuple[str, ...]]] = field(default_factory=Counter)
    """(metric, labels) → how much to add to it: ``/metrics`` is told once per frame."""

    def count(self, metric: Any, *labels: str) -> None:
        self.counts[(metric, labels)] += 1


@dataclass(frozen=True)
class Admission:
    accepted: bool
    outcome: str
    """queued, joined_queued, aggregated, ignored, person, or the shed reason (repeat, rate_limited,
    overload_chitchat, overload)."""
    message_id: str | None = None


@dataclass
class Rider:
    """A question in the same words as one still waiting in the queue: it waits with that one, without a
    place of its own, and takes its group's answer. When a host calls a link, hundreds of viewers type
    the same few spellings within a second, before the first of them is answered."""

    msg: Message
    message_id: str
    received: dt.datetime
    sent_at: dt.datetime
    started: float


@dataclass
class Waiting:
    """A queued question and the riders waiting with it."""

    words: tuple[str, str]
    """(room, normalised text)"""
    riders: list[Rider] = field(default_factory=list)


@dataclass
class Processed:
    """What answering one message gave: its decision, and the group it opened or joined."""

    decision: Decision
    group: Group | None


class LiveService:
    def __init__(self, assistant: Assistant, hub: EventHub, *, windows: GroupWindows | None = None,
                 bus: Bus | None = None, relay: EventRelay | None = None, queue_size: int = 2000,
                 workers: int = 1, window_seconds: float = 30.0, follow_up_seconds: float = 3.0,
                 limits: ViewerLimits | None = None, counts: RoomCounts | None = None) -> None:
        self.sync = assistant
        self.engine = assistant.engine
        self.settings = assistant.settings
        self.recorder = transcripts.BatchRecorder(assistant.engine, assistant.spool, on_written=self._written)
        # The stream may reuse the catalog version and the product on air for half a second (on-air
        # changes made here are seen at once; elsewhere within the stock-watch interval).
        self.stream = Assistant(assistant.engine, assistant.settings, assistant.planner, recorder=self.recorder,
                                llm=assistant.llm, cache_seconds=0.5)
        self.hub = hub
        self.bus: Bus = bus or LocalBus(queue_size)
        self.relay = relay
        self.windows = windows or LocalGroupWindows(window_seconds)
        self.window_seconds = window_seconds
        self.follow_up_seconds = follow_up_seconds
        self.limits = limits or ViewerLimits()
        self.metrics = LiveMetrics()
        self.counts: RoomCounts = counts or LocalRoomCounts()
        self.outbox = Outbox(assistant.engine, hub)
        self.high_water = int(queue_size * 0.5)
        self.capacity = queue_size
        self.boards: dict[str, Board] = {}
        self._groups_live: dict[str, tuple[Group, Turn]] = {}
        self._member_rows: dict[str, tuple[Decision, dict[str, Any]]] = {}
        """Group id → (its decision, the transcript row its joiners share): built once per decision."""
        self._last_post: dict[str, float] = {}
        """Group id → when its last post went out: posts to one group are spaced, not a burst."""
        self._recent_texts: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._recent_ignored: OrderedDict[tuple[str, str], tuple[float, float, Decision]] = OrderedDict()
        """(room, normalised text) → (when it was decided, when its reading began (wall clock), how): the
        pipeline ignored these words, so chatter the door's cues miss ("gogogo", "蹲蹲") is read once,
        not once per viewer who types it."""
        self._nicknames: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._policies: dict[str, tuple[float, routing.Policy]] = {}
        self._unacked: dict[str, Delivery] = {}
        self._waiting: dict[str, Waiting] = {}
        """Queued message id → the riders waiting with it (in-process bus only: a rider lives in memory)."""
        self._waiting_by_words: dict[tuple[str, str], str] = {}
        self._riding = 0
        """Riders taken in and not yet handed to the transcript writer."""
        self.riders_allowed = isinstance(self.bus, LocalBus) and isinstance(self.windows, LocalGroupWindows)
        self.stock_changed_at = 0.0
        """When stock last changed (wall clock): a group's answer from before then is not reused."""
        self.catalog_changed_at = 0.0
        self._on_air_changed_at: dict[str, float] = {}
        """Room → when its product on air last changed here (wall clock). Words are read against the
        catalog and the product on air: a group's answer or an ignore decided before either changed is
        not reused for the same words (see :meth:`_read_since`)."""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._work, name=f"answer-{i}", daemon=True) for i in range(workers)]
        self._threads.append(threading.Thread(target=self._follow_ups, name="follow-ups", daemon=True))
        self._threads.append(threading.Thread(target=self._watch_stock, name="stock-watch", daemon=True))

    @classmethod
    def from_settings(cls, assistant: Assistant, hub: EventHub) -> LiveService:
        """In-process queues by default; with ``LIVEASSIST_BUS_URL=redis://…`` the stream, the grouping
        windows and the rooms' events are shared with the other server processes."""
        settings = assistant.settings
        bus = windows = relay = counts = None
        if settings.bus_url:
            bus = RedisBus(settings.bus_url, claim_idle=settings.bus_claim_seconds)
            windows = RedisGroupWindows(settings.bus_url, settings.group_window_seconds)
            relay = EventRelay(settings.bus_url)
            counts = RedisRoomCounts(settings.bus_url)
        service = cls(assistant, hub, windows=windows, bus=bus, relay=relay, queue_size=settings.queue_size,
                      workers=settings.workers, window_seconds=settings.group_window_seconds,
                      follow_up_seconds=settings.follow_up_seconds, counts=counts)
        if relay is not None:
            relay.listen(service._apply)
        return service

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self.recorder.close()
        self.outbox.close()
        if self.relay is not None:
            self.relay.close()
        self.bus.close()
        self.counts.close()

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every message taken so far is answered and recorded (tests, replays, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                waiting = len(self._unacked) + self._riding
            if self.bus.depth() == 0 and waiting == 0:
                break
            time.sleep(0.01)
        self.recorder.flush()

    # --- messages in ----------------------------------------------------------------------------

    def submit_many(self, room_id: str, messages: list[Danmaku], *, source: str = "stream") -> Counter[str]:
        """Take a frame of messages; never blocks on answering. Returns how many went which way."""
        outcomes: Counter[str] = Counter()
        tally = FrameTally()
        # Counted before any is decided, so that pending (received less decided) is never below zero.
        self.counts.add_received(room_id, sum(danmaku.role == "viewer" for danmaku in messages))
        try:
            for danmaku in messages:
                admission = self.submit(room_id, danmaku, tally, source=source)
                outcomes[admission.outcome] += 1
        finally:  # what was decided before anything went wrong is still recorded and counted
            self._settle(room_id, tally)
        return outcomes

    def _settle(self, room_id: str, tally: FrameTally) -> None:
        """Hand a tally's rows to the transcript writer, its counts to ``/metrics``, its events to the room."""
        try:
            self.recorder.record_many(tally.rows)
            for (metric, labels), amount in tally.counts.items():
                self.metrics.count(metric, *labels, amount=amount)
        finally:
            if tally.ignored or tally.shed:
                self._publish(room_id, {"type": "tally", "ignored": dict(tally.ignored), "shed": dict(tally.shed)})
            for event in tally.joined.values():
                self._publish(room_id, event)

    def submit(self, room_id: str, danmaku: Danmaku, tally: FrameTally, *, source: str = "stream") -> Admission:
        """Take one chat message of a frame (see :meth:`submit_many`).

        Chit-chat, emoji and spam are recorded as ignored right here, and a question in the same words
        as one just answered joins its group: in a live room these are most messages, and neither needs
        the queue. A question in the same words as one still queued waits with it (a :class:`Rider`).
        Everything else is queued for the workers.
        """
        started = time.perf_counter()
        tally.count(self.metrics.received, source)
        now = dt.datetime.now(dt.UTC)
        msg = Message(room_id=room_id, user_id=danmaku.user_id, text=danmaku.text, nickname=danmaku.nickname,
                      channel=source)
        if danmaku.nickname:
            self._remember_nickname(room_id, danmaku.nickname, danmaku.user_id)
        if danmaku.role != "viewer":
            self.person_spoke(room_id, danmaku.text, role=danmaku.role)
            return Admission(True, "person")
        lowered = _normalised(danmaku.text)
        limited = self.limits.check(room_id, danmaku.user_id, lowered)
        if limited:
            return self._shed(msg, now, limited, tally)
        idle = _idle_reason(lowered) if len(danmaku.text) <= self.settings.max_message_chars else None
        if idle is not None:
            return self._ignore(msg, now, idle, tally)
        ignored = self._ignored_before(room_id, lowered)
        if ignored is not None:
            return self._ignore_like(msg, now, started, ignored, tally)
        aggregated = self._aggregate_repeat(msg, lowered, now, started, tally)
        if aggregated is not None:
            return aggregated
        message_id = new_id()
        sent_at = danmaku.sent_at(now)
        # Words naming an account are read against the asker (see Assistant._understand): never shared.
        words = (room_id, lowered) if self.riders_allowed and ":" not in lowered else None
        if words is not None and self._ride(words, Rider(msg, message_id, now, sent_at, started)):
            return Admission(True, "joined_queued", message_id)
        depth = self.bus.depth()
        if depth >= self.capacity:
            return self._shed(msg, now, "overload", tally)
        if words is not None:
            self._open_waiting(words, message_id)
        if not self.bus.put(self._payload(msg, sent_at, message_id)):
            self._shed_riders(room_id, self._close_waiting(message_id), "overload")
            return self._shed(msg, now, "overload", tally)
        self.metrics.queue_depth.set(depth + 1)
        return Admission(True, "queued", message_id)

    @staticmethod
    def _payload(msg: Message, sent_at: dt.datetime, message_id: str) -> dict[str, Any]:
        """A message as it waits on the bus."""
        return {"room": msg.room_id, "user_id": msg.user_id, "nickname": msg.nickname, "text": msg.text,
                "channel": msg.channel, "sent_at": sent_at.isoformat(), "message_id": message_id}

    # --- riders: the same words as a queued question ------------------------------------------------

    def _ride(self, words: tuple[str, str], rider: Rider) -> bool:
        with self._lock:
            head = self._waiting_by_words.get(words)
            waiting = self._waiting.get(head) if head else None
            if waiting is None:
                return False
            waiting.riders.append(rider)
            self._riding += 1
            return True

    def _open_waiting(self, words: tuple[str, str], message_id: str) -> None:
        with self._lock:
            self._waiting[message_id] = Waiting(words)
            self._waiting_by_words[words] = message_id

    def _close_waiting(self, message_id: str) -> list[Rider]:
        """The queued message is answered (or failed): no one else rides with it; those who did, go."""
        with self._lock:
            waiting = self._waiting.pop(message_id, None)
            if waiting is None:
                return []
            if self._waiting_by_words.get(waiting.words) == message_id:
                del self._waiting_by_words[waiting.words]
            return waiting.riders

    def _answer_riders(self, room_id: str, riders: list[Rider], head: Processed | None) -> None:
        """The message they rode with is answered: riders join its group, with no tool call of their own,
        or are ignored as it was. Where it formed no group (a viewer's own order) or the group can no
        longer be joined, each goes back to the queue to be answered on its own. Where it failed, they
        are recorded as shed (``error``), not answered again one by one: whatever failed would fail again."""
        if not riders:
            return
        tally = FrameTally()
        try:
            group = head.group if head else None
            ignored = head.decision if head and group is None and head.decision.action == "ignore" else None
            for rider in riders:
                rows = len(tally.rows)
                try:
                    if head is None:
                        self._shed(rider.msg, rider.received, "error", tally, rider.message_id)
                    elif ignored is not None:
                        self._ignore_like(rider.msg, rider.received, rider.started, ignored, tally,
                                          rider.message_id)
                    elif group is None or self._join_answered(group.id, rider.msg, rider.received, rider.started,
                                                              tally, rider.message_id) is None:
                        if not self.bus.put(self._payload(rider.msg, rider.sent_at, rider.message_id)):
                            self._shed(rider.msg, rider.received, "overload", tally, rider.message_id)
                except Exception:
                    log.exception("message %s in room %s could not join its group", rider.message_id, room_id)
                    del tally.rows[rows:]  # one row per message: the shed row replaces a half-made one
                    self._shed(rider.msg, rider.received, "error", tally, rider.message_id)
        finally:
            try:
                self._settle(room_id, tally)
            finally:
                with self._lock:
                    self._riding -= len(riders)

    def _shed_riders(self, room_id: str, riders: list[Rider], reason: str) -> None:
        if not riders:
            return
        tally = FrameTally()
        try:
            for rider in riders:
                self._shed(rider.msg, rider.received, reason, tally, rider.message_id)
            self._settle(room_id, tally)
        finally:
            with self._lock:
                self._riding -= len(riders)

    def ask(self, msg: Message) -> Decision:
        """The contract's synchronous path: this message's own decision, and the room sees it too."""
        self.counts.add_received(msg.room_id, 1)
        return self._process(self.sync, msg, dt.datetime.now(dt.UTC)).decision

    def stats(self, room_id: str) -> dict[str, Any]:
        """Every viewer message of the room by outcome: ``received`` equals the sum of the others."""
        counts: dict[str, Any] = dict(self.counts.counts(room_id))
        counts["pending"] = counts["received"] - sum(counts[name] for name in OUTCOMES)
        return {"room": room_id, **counts, "latency_ms": self.board(room_id).latency_ms(),
                "queue_depth": self.bus.depth()}

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                deliveries = self.bus.get(timeout=0.5)
            except Exception:  # the bus went away for a moment (Redis restarting): try again
                log.exception("reading the message bus failed")
                time.sleep(1.0)
                continue
            for delivery in deliveries:
                try:
                    self._answer_delivery(delivery)
                except Exception:  # the worker outlives any one message
                    log.exception("a queued message could not be handled")
            self.metrics.queue_depth.set(self.bus.depth())

    def _answer_delivery(self, delivery: Delivery) -> None:
        payload = delivery.payload
        message_id = payload["message_id"]
        processed: Processed | None = None
        msg: Message | None = None
        try:
            if delivery.redelivered and transcripts.recorded(self.engine, message_id):
                self.bus.ack([delivery])  # answered before its worker stopped: not again
                return
            with self._lock:
                self._unacked[message_id] = delivery
            msg = Message(room_id=payload["room"], user_id=payload["user_id"], text=payload["text"],
                          nickname=payload.get("nickname"), channel=payload.get("channel", "stream"))
            processed = self._process(self.stream, msg, dt.datetime.fromisoformat(payload["sent_at"]), message_id)
        except Exception:
            log.exception("answering failed for message %s in room %s", message_id, payload.get("room"))
            with self._lock:
                self._unacked.pop(message_id, None)
            # On the Redis bus it stays unacknowledged and another worker retries it. The in-process
            # queue has no retry: the message is recorded as shed, with the reason, not lost.
            if msg is not None and isinstance(self.bus, LocalBus):
                tally = FrameTally()
                self._shed(msg, dt.datetime.now(dt.UTC), "error", tally, message_id)
                self._settle(msg.room_id, tally)
        finally:
            self._answer_riders(payload["room"], self._close_waiting(message_id), processed)

    def _written(self, rows: list[dict[str, Any]]) -> None:
        """The recorder wrote (or spooled) these rows: their messages are done, count and acknowledge them."""
        try:
            self.counts.add_decided(rows)
        except Exception:  # Redis restarting: the counts lag, the messages are safe all the same
            log.exception("counting %d decided messages failed", len(rows))
        with self._lock:
            done = [self._unacked.pop(row["message_id"]) for row in rows if row.get("message_id") in self._unacked]
        if done:
            self.bus.ack(done)

    # --- one message ------------------------------------------------------------------------------

    def _process(self, assistant: Assistant, msg: Message, sent_at: dt.datetime,
                 message_id: str | None = None) -> Processed:
        turn = assistant.begin(msg, message_id)
        group: Group | None = None
        joined = False
        if turn.decision is None:
            key = group_key(turn)
            if key is not None:
                member = Member(msg.user_id, msg.nickname, turn.message_id, time.monotonic())
                group, new = self.windows.join_or_open(msg.room_id, key, member)
                fresh = group.decision is not None and group.decided_at >= self.stock_changed_at
                # The synchronous path owes its caller a decision made now, with live figures.
                if not new and fresh and assistant is self.stream:
                    turn.decision = _for_member(group.decision, msg.nickname,  # type: ignore[arg-type]
                                                turn.understood.lang if turn.understood else "zh")
                else:
                    assistant.answer(turn)
                    if new or not fresh:
                        self.windows.set_decision(group, turn.decision)  # type: ignore[arg-type]
                    if new:
                        with self._lock:
                            self._groups_live[group.id] = (group, turn)
                if not new:
                    joined = True
                    self.metrics.grouped.inc()
            else:
                assistant.answer(turn)
        decision = turn.decision
        assert decision is not None
        policy = self.policy(msg.room_id)
        now = dt.datetime.now(dt.UTC)
        where, status = routing.route(decision.action, policy, asked_at=sent_at, now=now,
                                      stood_down=bool(group and group.stood_down))
        if joined:
            where = "grouped"
        elif where == "chat":
            decision = self._vary(assistant, turn, msg.room_id)
            if group is not None:
                self.windows.set_decision(group, decision)
                self._post_group(group, decision, policy, first=True)
            else:
                self._post(msg.room_id, _address(decision.body, msg.nickname, decision.lang), [msg.user_id], None,
                           policy, body=decision.body)
        decision = assistant.record(turn, group_id=group.id if group else None, route_to=where, joined=joined)
        if assistant is not self.stream:  # the stream's rows are counted once written (see _written)
            self.counts.add_decided([{"room_id": msg.room_id, "action": decision.action, "route": where}])
        self.metrics.count(self.metrics.decisions, decision.action, where)
        self.metrics.latency.observe(decision.latency_ms / 1000)
        if group is not None and turn.understood is not None:
            with self._lock:
                self._recent_texts[(msg.room_id, turn.understood.text.lower())] = group.id
                while len(self._recent_texts) > 20_000:
                    self._recent_texts.popitem(last=False)
        elif decision.action == "ignore" and turn.understood is not None and assistant is self.stream \
                and ":" not in turn.understood.text:  # words naming an account are read against the asker
            with self._lock:
                self._recent_ignored[(msg.room_id, turn.understood.text.lower())] = (
                    time.monotonic(), turn.received.timestamp(), decision)
                while len(self._recent_ignored) > 20_000:
                    self._recent_ignored.popitem(last=False)
        self._publish_turn(turn, decision, group, status if not joined else None)
        return Processed(decision, group)

    def _aggregate_repeat(self, msg: Message, lowered: str, now: dt.datetime, started: float,
                          tally: FrameTally) -> Admission | None:
        """Under overload, the same words as a question just answered join its group without a queue."""
        if not isinstance(self.windows, LocalGroupWindows):
            return None  # shared windows: every message goes through the bus
        group_id = self._recent_texts.get((msg.room_id, lowered))
        return self._join_answered(group_id, msg, now, started, tally) if group_id else None

    def _join_answered(self, group_id: str, msg: Message, now: dt.datetime, started: float, tally: FrameTally,
                       message_id: str | None = None) -> Admission | None:
        """Join a group of this process whose answer still holds, or None: answer the message itself."""
        live = self._groups_live.get(group_id)
        if live is None:
            return None
        group, opener = live
        decision = group.decision
        if decision is None or group.stood_down or time.monotonic() - group.opened > self.window_seconds \
                or group.decided_at < max(self.stock_changed_at, self._read_since(group.room_id)):
            return None  # a stock change, another product on air or a new catalog: answer it afresh
        message_id = message_id or new_id()
        _, new = self.windows.join_or_open(msg.room_id, group.key,
                                           Member(msg.user_id, msg.nickname, message_id, time.monotonic()))
        if new:
            return None
        reply = _address(decision.body, msg.nickname, decision.lang) if decision.action == "answer" else decision.body
        latency_ms = (time.perf_counter() - started) * 1000
        tally.rows.append(transcripts.member_row(
            self._member_template(group, opener, decision), user_id=msg.user_id, text=msg.text, channel=msg.channel,
            received_at=now, reply=reply, latency_ms=latency_ms, message_id=message_id))
        tally.count(self.metrics.grouped)
        tally.count(self.metrics.fast_path, "aggregated")
        tally.count(self.metrics.decisions, decision.action, "grouped")
        self._count_joined(tally, msg, latency_ms, group, opener, decision)
        return Admission(True, "aggregated", message_id)

    def _member_template(self, group: Group, opener: Turn, decision: Decision) -> dict[str, Any]:
        """The transcript row a group's joiners share, made once per decision of the group. Joiners made
        no tool calls of their own: their rows point at the group, whose first row holds the calls."""
        cached = self._member_rows.get(group.id)
        if cached is not None and cached[0] is decision:
            return cached[1]
        u = opener.understood
        template = transcripts.row_for(
            room_id=group.room_id, user_id="", text="", received_at=opener.received,
            clock=opener.clock or opener.received, channel="", lang=decision.lang, intent=decision.intent,
            action=decision.action, reply="", confidence=decision.confidence, reason=decision.reason,
            understanding=u.record() if u else {"reason_code": decision.reason_code}, tool_calls=[],
            planner=decision.planner, latency_ms=0.0, group_id=group.id, route="grouped")
        self._member_rows[group.id] = (decision, template)
        return template

    def _count_joined(self, tally: FrameTally, msg: Message, latency_ms: float, group: Group, opener: Turn,
                      decision: Decision) -> None:
        event = tally.joined.get(group.id)
        if event is None:
            u = opener.understood
            event = {"type": "joined", "group_id": group.id, "count": 0, "askers": [], "samples": [],
                     "latencies_ms": [],
                     "decision": {"action": decision.action, "intent": decision.intent},
                     "options": u.options if u else {}, "sold_out": _sold_out(decision)}
            tally.joined[group.id] = event
        event["count"] += 1
        event["askers"].append(msg.nickname or mask_user(msg.user_id))
        if len(event["samples"]) < 3 and msg.text[:200] not in event["samples"]:
            event["samples"].append(msg.text[:200])
        event["latencies_ms"].append(round(latency_ms, 2))

    def _ignored_before(self, room_id: str, lowered: str) -> Decision | None:
        """How the pipeline ignored these same words lately in this room (the product on air unchanged)."""
        found = self._recent_ignored.get((room_id, lowered))
        if found is None or time.monotonic() - found[0] > self.window_seconds or found[1] < self._read_since(room_id):
            return None
        return found[2]

    def _ignore_like(self, msg: Message, now: dt.datetime, started: float, decision: Decision, tally: FrameTally,
                     message_id: str | None = None) -> Admission:
        """Ignored as the same words were a moment ago (the understanding of words is the same for all)."""
        tally.count(self.metrics.decisions, "ignore", "none")
        tally.count(self.metrics.fast_path, "ignored")
        row = transcripts.row_for(
            room_id=msg.room_id, user_id=msg.user_id, text=msg.text, received_at=now, clock=now, channel=msg.channel,
            lang=decision.lang, intent=decision.intent, action="ignore", reply="", confidence=decision.confidence,
            reason=decision.reason, understanding={"reason_code": decision.reason_code, "fast_path": True,
                                                   "same_words_as": decision.message_id},
            tool_calls=[], planner=decision.planner, latency_ms=(time.perf_counter() - started) * 1000,
            message_id=message_id, route="none")
        tally.rows.append(row)
        tally.ignored[decision.reason_code] += 1
        return Admission(True, "ignored", row["message_id"])

    def _shed(self, msg: Message, now: dt.datetime, reason: str, tally: FrameTally,
              message_id: str | None = None) -> Admission:
        """Not answered one by one; recorded all the same, with the reason."""
        tally.count(self.metrics.shed, reason)
        row = transcripts.row_for(
            room_id=msg.room_id, user_id=msg.user_id, text=msg.text, received_at=now, clock=now, channel=msg.channel,
            lang=None, intent=None, action="ignore", reply="", confidence=0.0, reason=f"shed: {reason}",
            understanding={}, tool_calls=[], planner="none", latency_ms=0.0, message_id=message_id, route="shed")
        tally.rows.append(row)
        tally.shed[reason] += 1
        return Admission(False, reason, row["message_id"])

    def _ignore(self, msg: Message, now: dt.datetime, reason: str, tally: FrameTally) -> Admission:
        """Chit-chat, emoji, spam: ignored, exactly as the pipeline would, without a place in the queue."""
        lang = "zh" if has_han(msg.text) else "en"
        tally.count(self.metrics.decisions, "ignore", "none")
        tally.count(self.metrics.fast_path, "ignored")
        row = transcripts.row_for(
            room_id=msg.room_id, user_id=msg.user_id, text=msg.text, received_at=now, clock=now, channel=msg.channel,
            lang=lang, intent="other", action="ignore", reply="", confidence=0.9,
            reason=_reason_text(lang, reason), understanding={"flags": [reason], "fast_path": True}, tool_calls=[],
            planner="offline", latency_ms=0.0, route="none")
        tally.rows.append(row)
        tally.ignored[reason] += 1
        return Admission(True, "ignored", row["message_id"])

    # --- people in the room -------------------------------------------------------------------------

    def person_spoke(self, room_id: str, text: str, *, role: str = "host") -> list[str]:
        """The host or an assistant answered in the chat: stand down on the viewers they @-mention."""
        import re

        stood: list[str] = []
        for name in re.findall(r"@([^\s@:：,，]+)", text):
            user_id = self._nicknames.get((room_id, name))
            if user_id:
                stood.extend(self.stand_down_viewer(room_id, user_id, role=role))
        return stood

    def stand_down_viewer(self, room_id: str, user_id: str, *, role: str = "host") -> list[str]:
        stood = []
        for group in self.windows.groups_of(room_id, user_id):
            self.stand_down_group(room_id, group.id, role=role)
            stood.append(group.id)
        return stood

    def stand_down_group(self, room_id: str, group_id: str, *, role: str = "host", text: str | None = None) -> None:
        self.windows.stand_down(group_id)
        self.record_action(room_id, role, "answered", group_id, text)
        self._publish(room_id, {"type": "group", "group_id": group_id, "status": "answered"})

    def _remember_nickname(self, room_id: str, nickname: str, user_id: str) -> None:
        self._nicknames[(room_id, nickname)] = user_id  # one dict write: atomic, no lock needed
        if len(self._nicknames) > 100_000:
            with self._lock:
                while len(self._nicknames) > 100_000:
                    self._nicknames.popitem(last=False)

    # --- the host's decisions ------------------------------------------------------------------------

    def accept(self, room_id: str, group_id: str, *, role: str, text: str | None = None) -> dict[str, Any]:
        """Post a suggestion (as written, or as the host edited it) to the chat."""
        item = self.board(room_id).items.get(group_id)
        reply = text if text is not None else (item.reply if item else "")
        if not reply.strip():
            raise InvalidInput("nothing to post: the suggestion is empty")
        group = self.windows.get(group_id)
        users = [m.user_id for m in group.members] if group else []
        nickname = group.members[0].nickname if group and group.members else None
        lang = group.decision.lang if group and group.decision else "zh"
        addressed = _address_group(reply, nickname, len(users), lang) if users else reply
        posted = self._post(room_id, addressed, users, group_id, self.policy(room_id), source="host")
        action = "accepted" if text is None else "edited"
        if group is not None:
            self.windows.stand_down(group_id)
        self.record_action(room_id, role, action, group_id, addressed)
        self._publish(room_id, {"type": "group", "group_id": group_id, "status": action, "reply": reply})
        return {"posted": posted.event()}

    def dismiss(self, room_id: str, group_id: str, *, role: str) -> None:
        self.windows.stand_down(group_id)
        self.record_action(room_id, role, "dismissed", group_id, None)
        self._publish(room_id, {"type": "group", "group_id": group_id, "status": "dismissed"})

    def record_action(self, room_id: str, role: str, action: str, group_id: str | None, text: str | None,
                      detail: dict[str, Any] | None = None) -> None:
        try:
            with storage_errors(), self.engine.begin() as conn:
                conn.execute(models.HostAction.__table__.insert().values(
                    room_id=room_id, role=role, action=action, group_id=group_id, text=text, detail=detail or {},
                    at=dt.datetime.now(dt.UTC)))
        except StorageError as exc:
            log.error("host action %s in %s not recorded: %s", action, room_id, exc)

    # --- posting ---------------------------------------------------------------------------------------

    def _vary(self, assistant: Assistant, turn: Turn, room_id: str) -> Decision:
        """Platforms block identical messages as spam: reword (same facts) what the room just saw."""
        decision = turn.decision
        assert decision is not None
        for variant in range(1, 4):
            if not self.outbox.recently_posted(room_id, decision.body):
                break
            assistant.answer(turn, variant=variant)
            decision = turn.decision or decision
        return decision

    def _post_group(self, group: Group, decision: Decision, policy: routing.Policy, *, first: bool) -> None:
        if group.stood_down:
            return
        new_members = self.windows.claim_unaddressed(group)
        if not new_members:
            return
        text = _address_group(decision.body, new_members[0].nickname, len(new_members), decision.lang)
        self._post(group.room_id, text, [m.user_id for m in new_members], group.id, policy, body=decision.body)
        self._last_post[group.id] = time.monotonic()

    def _post(self, room_id: str, text: str, users: list[str], group_id: str | None, policy: routing.Policy,
              source: str = "auto", body: str | None = None) -> Any:
        posted = self.outbox.post(room_id, text, users=users, group_id=group_id, source=source,
                                  webhook_url=policy.webhook_url, body=body)
        self.metrics.count(self.metrics.posts, source)
        return posted

    def _follow_ups(self) -> None:
        """Viewers who joined a posted group since its last post get one more post, with fresh facts."""
        while not self._stop.wait(min(self.follow_up_seconds, 1.0) / 2):
            with self._lock:
                live = list(self._groups_live.items())
            now = time.monotonic()
            for group_id, (local, turn) in live:
                if now - local.opened > self.window_seconds * 2:
                    with self._lock:
                        self._groups_live.pop(group_id, None)
                    self._last_post.pop(group_id, None)
                    self._member_rows.pop(group_id, None)
                    continue
                if now - self._last_post.get(group_id, 0.0) < self.follow_up_seconds:
                    continue
                group = self.windows.get(group_id) or local  # members may have joined in other processes
                if group.stood_down or group.posts == 0 or group.count <= group.addressed:
                    continue
                try:
                    self._refresh_and_post(group, turn)
                except Exception:
                    log.exception("follow-up post failed for group %s", group_id)

    def _refresh_and_post(self, group: Group, opener: Turn) -> None:
        policy = self.policy(group.room_id)
        if not policy.auto_post:
            return
        fresh = copy.copy(opener)
        fresh.decision = None
        if opener.msg.now is None:
            fresh.clock = dt.datetime.now(dt.UTC)
        self.stream.answer(fresh, variant=group.posts)
        decision = fresh.decision
        if decision is None or decision.action != "answer":
            self._publish(group.room_id, {"type": "group", "group_id": group.id, "status": "suggested"})
            return
        decision = self._vary(self.stream, fresh, group.room_id)
        self.windows.set_decision(group, decision)
        self._post_group(group, decision, policy, first=False)
        self._publish(group.room_id, {"type": "group", "group_id": group.id, "reply": decision.body})

    # --- rooms, boards, policies ---------------------------------------------------------------------

    def policy(self, room_id: str) -> routing.Policy:
        cached = self._policies.get(room_id)
        if cached and time.monotonic() - cached[0] < 2.0:
            return cached[1]
        try:
            with storage_errors(), self.engine.connect() as conn:
                policy = routing.load_policy(conn, room_id)
        except StorageError:
            policy = cached[1] if cached else routing.Policy()
        self._policies[room_id] = (time.monotonic(), policy)
        return policy

    def stock_changed(self) -> None:
        """A stock figure changed in this process: no group reuses an answer from before it."""
        self.stock_changed_at = time.time()

    def catalog_changed(self) -> None:
        """A catalog was imported here: answers and cached readings from before it are not reused."""
        self.stock_changed_at = self.catalog_changed_at = time.time()
        self.stream.forget_room()
        threading.Thread(target=self._prepare_catalog, name="prepare-catalog", daemon=True).start()

    def _prepare_catalog(self) -> None:
        from assistant.matching import prepare

        try:
            with storage_errors(), self.engine.connect() as conn:
                prepare(get_snapshot(self.engine, conn))
        except StorageError as exc:
            log.warning("matchers for the new catalog not prepared ahead: %s", exc)

    def _read_since(self, room_id: str) -> float:
        """Since when the room's words have been read as they are now (its product on air, the catalog)."""
        return max(self.catalog_changed_at, self._on_air_changed_at.get(room_id, 0.0))

    def forget_policy(self, room_id: str) -> None:
        self._policies.pop(room_id, None)

    def board(self, room_id: str) -> Board:
        board = self.boards.get(room_id)
        if board is None:
            board = Board(room_id, self.settings.low_stock_threshold)
            self.boards[room_id] = board
            self.refresh_on_air(room_id)
        return board

    def refresh_on_air(self, room_id: str) -> None:
        """Reload the product on air and its stock onto the room's board (after on-air changes)."""
        self.stream.forget_room(room_id)
        self._on_air_changed_at[room_id] = time.time()
        event = self._on_air_event(room_id)
        self._publish(room_id, event)

    def _on_air_event(self, room_id: str) -> dict[str, Any]:
        from assistant.live_state import room_state
        from tools.inventory import live_stock

        try:
            with storage_errors(), self.engine.connect() as conn:
                store = get_snapshot(self.engine, conn)
                sku = room_state(conn, room_id).on_air_sku
                product = store.products.get(sku) if sku else None
                stock = live_stock(conn, [v.sku for v in product.variants]) if product else {}
        except StorageError:
            return {"type": "noop"}
        if product is None:
            return {"type": "on_air", "product": None, "stock": {}}
        return {
            "type": "on_air",
            "product": {"sku": product.sku, "title": product.title, "link_no": product.link_no,
                        "price": product.price_cents / 100, "currency": store.currency,
                        "presale_ship_date": product.presale_ship_date.isoformat() if product.presale_ship_date else None,
                        "options": {n: product.option_values(n) for n in product.option_names},
                        "variants": [{"sku": v.sku, "options": v.options, "label": v.label(),
                                      "restock_date": v.restock_date.isoformat() if v.restock_date else None}
                                     for v in product.variants]},
            "stock": {sku: sum(by.values()) for sku, by in stock.items()},
        }

    def _watch_stock(self) -> None:
        """Every half second: stock rows changed since the last look, from any source, go to the boards."""
        since = dt.datetime.now(dt.UTC)
        table = models.Stock.__table__
        rooms = models.Room.__table__
        rooms_seen: dict[str, str | None] = {}
        while not self._stop.wait(0.5):
            try:
                with storage_errors(), self.engine.connect() as conn:
                    changed = conn.execute(select(table.c.variant_sku, table.c.updated_at)
                                           .where(table.c.updated_at > since)).all()
                    totals = {}
                    if changed:
                        since = max(r.updated_at for r in changed)
                        skus = sorted({r.variant_sku for r in changed})
                        totals = dict(conn.execute(select(table.c.variant_sku, func.sum(table.c.qty))
                                                   .where(table.c.variant_sku.in_(skus))
                                                   .group_by(table.c.variant_sku)).all())
                    on_air = dict(conn.execute(select(rooms.c.id, rooms.c.on_air_sku)
                                               .where(rooms.c.id.in_(list(self.boards) or [""]))).all())
            except StorageError as exc:
                log.warning("stock watch: %s", exc)
                continue
            if totals:
                self.stock_changed_at = max(self.stock_changed_at, since.timestamp())
                changes = [{"variant_sku": sku, "total": int(total or 0)} for sku, total in totals.items()]
                for room_id in list(self.boards):
                    self._publish(room_id, {"type": "stock", "changes": changes})
            for room_id, sku in on_air.items():
                if rooms_seen.get(room_id, "?") != sku:
                    if room_id in rooms_seen:
                        self.refresh_on_air(room_id)
                    rooms_seen[room_id] = sku

    # --- events ------------------------------------------------------------------------------------------

    def _publish(self, room_id: str, event: dict[str, Any]) -> None:
        """Tell the room: this process's board and pages, and through the relay every other process's."""
        if event.get("type") == "noop":
            return
        event.setdefault("room", room_id)
        event.setdefault("at", time.time())
        if self.relay is not None and event.get("type") not in ("on_air", "stock"):
            self.relay.publish(room_id, event)  # comes back to _apply here too, like everywhere else
        else:
            self._apply(room_id, event)

    def _apply(self, room_id: str, event: dict[str, Any]) -> None:
        self.board(room_id).apply(event)
        self.hub.publish(room_channel(room_id), event)

    def _publish_turn(self, turn: Turn, decision: Decision, group: Group | None, status: str | None) -> None:
        u = turn.understood
        sold_out = _sold_out(decision)
        event: dict[str, Any] = {
            "type": "turn", "group_id": group.id if group else None, "message_id": turn.message_id,
            "text": turn.msg.text[:200], "asker": turn.msg.nickname or mask_user(turn.msg.user_id),
            "decision": {"action": decision.action, "reply": decision.body, "intent": decision.intent,
                         "reason": decision.reason, "reason_code": decision.reason_code},
            "product_sku": u.product_sku if u else None,
            "label": " ".join(v for values in (u.options.values() if u else []) for v in values),
            "options": u.options if u else {}, "sold_out": sold_out, "latency_ms": round(decision.latency_ms, 2),
        }
        if status is not None:
            event["status"] = status
        self._publish(turn.msg.room_id, event)


def _sold_out(decision: Decision) -> list[str]:
    """Variants the answer found sold out: what viewers ask for that is gone (a restock signal)."""
    found = []
    for call in decision.tool_calls:
        if call["name"] == "check_stock" and "variants" in call.get("result", {}):
            for variant in call["result"]["variants"]:
                if variant["status"] == "sold_out":
                    found.append(" ".join(variant["options"].values()) or variant["sku"])
    return found


@lru_cache(maxsize=50_000)
def _normalised(text: str) -> str:
    """Normalised, lower-cased text; a storm repeats the same words, so each is worked out once."""
    return normalise(text).lower


@lru_cache(maxsize=50_000)
def _idle_reason(lowered: str) -> str | None:
    """Why a message is not for the shop (chitchat, spam, emoji_only, empty), or None: the same test
    the planner applies, done before the queue."""
    from assistant.understand import _cues

    if not lowered.strip(" ?？!！.。,，~"):
        return "emoji_only" if lowered else "empty"
    cues = _cues()
    for name in ("spam", "chitchat"):
        if any(p.search(lowered) for p in cues.ignore[name]):
            return name
    return None


def _address(reply: str, nickname: str | None, lang: str) -> str:
    if not nickname or not reply:
        return reply
    before, after = _addressing(lang)
    return f"{before}{nickname}{after}{reply}"


@lru_cache(maxsize=64)
def _reason_text(lang: str, reason: str) -> str:
    """Why a message was ignored, in the room's language (rendered once per reason, not per message)."""
    return reason_text(lang, reason)


@lru_cache(maxsize=4)
def _addressing(lang: str) -> tuple[str, str]:
    """The "@name " template rendered once, split around the name: every viewer has another name, and
    rendering a template per message costs more than answering some questions."""
    before, _, after = render(lang, "address", name="\x00").partition("\x00")
    return before, after


def _address_group(reply: str, nickname: str | None, count: int, lang: str) -> str:
    if count <= 1 or not nickname:
        return _address(reply, nickname, lang)
    return render(lang, "address_group", name=nickname, total=count, others=count - 1) + reply


def _for_member(decision: Decision, nickname: str | None, lang: str) -> Decision:
    """The group's decision for one more member (addressed to them when it is an answer)."""
    member = copy.copy(decision)
    member.reply = _address(decision.body, nickname, lang) if decision.action == "answer" else decision.body
    return member
