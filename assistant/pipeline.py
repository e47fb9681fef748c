"""The path of one viewer message, top to bottom:

receive → understand → plan → call tools → compose → guard → route → record.

Each stage is a named function in its own module; this file only wires them. Whatever happens on
the way (a hostile message, a database that drops out), the message is recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from assistant import transcripts
from assistant.catalog.snapshot import StoreSnapshot, get_snapshot
from assistant.compose import Draft, compose, knowledge_draft, pick_passage
from assistant.config import Settings
from assistant.db import storage_errors
from assistant.errors import StorageError
from assistant.guard import Verdict, guard
from assistant.ids import new_id
from assistant.live_state import room_state
from assistant.llm.responder import LLMResponder, LLMUnavailable
from assistant.llm.responder import configured as llm_configured
from assistant.planner import Plan, Planner, RulePlanner, Step
from assistant.prompts import reason as reason_text
from assistant.prompts import render
from assistant.text import strip_control
from assistant.understand import Understanding, understand
from tools.base import ToolCall, ToolContext, ToolFailure
from tools.registry import TOOLS

LLM = LLMResponder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Heard:
    """What speech recognition made of a spoken question (the text path never sees audio)."""

    text: str
    language: str
    confidence: float
    """0..1, from the recogniser's token probabilities."""
    duration_s: float
    model: str = ""

    def record(self) -> dict[str, Any]:
        return {"transcript": self.text, "language": self.language, "confidence": round(self.confidence, 3),
                "duration_s": round(self.duration_s, 2), "model": self.model}


@dataclass(frozen=True)
class Message:
    room_id: str
    user_id: str
    text: str
    now: dt.datetime | None = None
    """Fixes the clock (ship dates are computed for this instant); None means the real time."""
    nickname: str | None = None
    channel: str = "api"
    heard: Heard | None = None
    """Set when the question was spoken: ``text`` is then what was heard."""


@dataclass
class Decision:
    action: str
    reply: str
    intent: str
    tool_calls: list[dict[str, Any]]
    confidence: float
    reason: str
    reason_code: str
    lang: str
    planner: str
    latency_ms: float = 0.0
    transcript_id: int | None = None
    message_id: str = ""
    body: str = ""
    """The reply before it is addressed to anyone (what a group of viewers shares)."""
    usage: dict[str, Any] | None = None
    """When an LLM was asked: tokens in and out, estimated cost, and what went wrong if anything."""

    def contract(self) -> dict[str, Any]:
        """The JSON the outside contract promises (and a few extra fields)."""
        return {
            "action": self.action, "reply": self.reply, "intent": self.intent, "tool_calls": self.tool_calls,
            "confidence": self.confidence, "reason": self.reason, "reason_code": self.reason_code,
            "lang": self.lang, "planner": self.planner, "latency_ms": round(self.latency_ms, 3),
            "transcript_id": self.transcript_id, "message_id": self.message_id,
        } | ({"llm": self.usage} if self.usage else {})


@dataclass
class Turn:
    """One message on its way through the stages; a live room runs the stages one by one."""

    msg: Message
    received: dt.datetime
    started: float
    message_id: str
    clock: dt.datetime | None = None
    store: StoreSnapshot | None = None
    on_air_sku: str | None = None
    understood: Understanding | None = None
    plan: Plan | None = None
    decision: Decision | None = None
    """Set as soon as the answer is known (early for over-long messages or a failed database)."""
    error: str | None = None


class Assistant:
    """Answers viewer messages for one store database."""

    def __init__(self, engine: Engine, settings: Settings, planner: Planner | None = None,
                 recorder: transcripts.Recorder | None = None, llm: LLM | None = None,
                 cache_seconds: float = 0.0) -> None:
        self.engine = engine
        self.settings = settings
        self.planner = planner or RulePlanner()
        self.spool = transcripts.Spool(settings.data_dir)
        self.recorder = recorder or transcripts.DirectRecorder(engine, self.spool)
        self.routing = routing_policy(settings)
        self.llm = llm if llm is not None else (_make_llm(settings) if self.routing != "offline" else None)
        self.cache_seconds = cache_seconds
        """0: read the catalog version and the room's product on air for every message (the contract's
        synchronous path: the very next answer sees a change). A live stream may reuse them this long."""
        self._rooms: dict[str, tuple[float, str | None]] = {}
        self._store: tuple[float, StoreSnapshot] | None = None
        self._understood: OrderedDict[tuple[str, str | None, int], Understanding] = OrderedDict()

    def handle(self, msg: Message) -> Decision:
        turn = self.begin(msg)             # receive → understand → plan
        if turn.decision is None:
            self.answer(turn)              # call tools → compose → guard → route
        return self.record(turn)           # record

    def begin(self, msg: Message, message_id: str | None = None) -> Turn:
        """Receive, understand and plan: cheap, no tool runs yet (a live room groups on this)."""
        turn = Turn(msg=msg, received=dt.datetime.now(dt.UTC), started=time.perf_counter(),
                    message_id=message_id or new_id())
        text = strip_control(msg.text)                                            # receive
        try:
            store, turn.on_air_sku = self._store_and_room(msg.room_id)
        except StorageError as exc:
            self._failed(turn, exc)
            return turn
        turn.store, turn.clock = store, _clock(msg.now, turn.received, store.zone)
        if len(text) > self.settings.max_message_chars:
            turn.decision = _decision("ignore", "", "other", [], 1.0, "too_long", {"chars": len(text)},
                                      "zh" if store.language == "zh" else "en", self.planner.name)
            return turn
        turn.understood = self._understand(text, store, turn.on_air_sku, msg.user_id)  # understand
        turn.plan = self.planner.plan(turn.understood)                            # plan
        return turn

    def _store_and_room(self, room_id: str) -> tuple[StoreSnapshot, str | None]:
        now = time.monotonic()
        cached_store = self._store if self._store and now - self._store[0] < self.cache_seconds else None
        cached_room = self._rooms.get(room_id)
        if cached_store and cached_room and now - cached_room[0] < self.cache_seconds:
            return cached_store[1], cached_room[1]
        with storage_errors(), self.engine.connect() as conn:
            store = get_snapshot(self.engine, conn)
            on_air = room_state(conn, room_id).on_air_sku
        if self.cache_seconds:
            self._store, self._rooms[room_id] = (now, store), (now, on_air)
        return store, on_air

    def forget_room(self, room_id: str | None = None) -> None:
        """The product on air (or the catalog) changed here: read it again for the next message."""
        if room_id is None:
            self._rooms.clear()
            self._store = None
        else:
            self._rooms.pop(room_id, None)

    def _understand(self, text: str, store: StoreSnapshot, on_air: str | None, user_id: str) -> Understanding:
        """Understanding depends on the words, the product on air and the catalog; a live stream asks the
        same things in the same words again and again, so with caching on it is read once."""
        if not self.cache_seconds or ":" in text:  # an account id in the text is compared with the asker's
            return understand(text, store, on_air, user_id)
        key = (text, on_air, store.version)
        found = self._understood.get(key)
        if found is None:
            found = understand(text, store, on_air, user_id)
            self._understood[key] = found
            if len(self._understood) > 20_000:
                self._understood.popitem(last=False)
        return found

    def answer(self, turn: Turn, *, variant: int = 0) -> None:
        """Call the tools, compose, guard and route: the decision for this turn.

        ``variant`` picks another wording of the same facts (for repeated posts in one room).
        """
        assert turn.store is not None and turn.understood is not None and turn.plan is not None
        store, understood, plan = turn.store, turn.understood, turn.plan
        clock = turn.clock or turn.received
        try:
            with storage_errors(), self.engine.connect() as conn:
                ctx = ToolContext(conn=conn, store=store, now=clock, user_id=turn.msg.user_id,
                                  room_id=turn.msg.room_id, on_air_sku=turn.on_air_sku, settings=self.settings)
                calls = [run_step(step, ctx) for step in plan.steps]             # call tools
        except StorageError as exc:
            self._failed(turn, exc)
            return
        draft = compose(plan, calls, understood, today=clock.astimezone(store.zone).date(),
                        currency=store.currency, variant=variant)                 # compose
        if draft.action == "escalate" and draft.reason in KNOWLEDGE_WORTHY:       # what the rules missed
            draft = self._from_knowledge(turn, draft, calls)
        verdict = guard(draft, calls, plan.confidence, self.settings.answer_confidence, understood.lang)  # guard
        heard = turn.msg.heard
        if heard is not None and verdict.action == "answer" and heard.confidence < self.settings.voice_min_confidence:
            # Unsure what was said: the host hears it and decides, with the answer as a draft.
            verdict.action, verdict.reason = "escalate", "unclear_audio"
            verdict.reason_vars = {"heard": heard.text, "confidence": f"{heard.confidence:.2f}"}
        planner_name, usage = plan.planner, None
        if self.llm is not None and self._llm_wanted(plan, verdict):                  # the long tail
            verdict, calls, planner_name, usage = self._ask_llm(turn, verdict, calls)
        reply = route(verdict.action, verdict.reply, turn.msg.nickname, understood.lang)  # route
        intent = draft.intent if draft.intent and verdict.action == "answer" else plan.intent
        turn.decision = _decision(verdict.action, reply, intent, [c.record() for c in calls],
                                  verdict.confidence, verdict.reason, verdict.reason_vars, understood.lang,
                                  planner_name)
        turn.decision.body = verdict.reply
        turn.decision.usage = usage

    def _from_knowledge(self, turn: Turn, draft: Draft, calls: list[ToolCall]) -> Draft:
        """Search the knowledge index (facts, FAQs, corrections by meaning); answer from a passage that
        clearly stands out, else give the host the best passage as the draft."""
        assert turn.understood is not None and turn.store is not None
        understood, store = turn.understood, turn.store
        sku = understood.product_sku if understood.product_sku in store.products else None
        try:
            with storage_errors(), self.engine.connect() as conn:
                ctx = ToolContext(conn=conn, store=store, now=turn.clock or turn.received, user_id=turn.msg.user_id,
                                  room_id=turn.msg.room_id, on_air_sku=turn.on_air_sku, settings=self.settings)
                search = run_step(Step("search_knowledge", {"query": understood.text, "product_sku": sku},
                                       "knowledge"), ctx)
                calls.append(search)
                pick = pick_passage(search)
                if pick is None:
                    return draft
                facts = None
                if pick.kind == "fact" and pick.product_sku and pick.fact_key:
                    facts = run_step(Step("product_facts", {"product_sku": pick.product_sku, "topic": pick.fact_key},
                                          "knowledge"), ctx)
                    calls.append(facts)
        except StorageError:
            return draft
        answer = knowledge_draft(pick, facts, understood, today=(turn.clock or turn.received).astimezone(
            store.zone).date(), currency=store.currency) if pick.confident else None
        if answer is not None:
            return answer
        return Draft("escalate", pick.quote, draft.reason, draft.reason_vars)  # the host sees what was found

    def _llm_wanted(self, plan: Plan, verdict: Verdict) -> bool:
        """hybrid: only what the offline planner could not answer; llm: every shop question."""
        if plan.action != "answer":
            return False  # ignored chatter and what must go to a person are decided before any model
        if self.routing == "llm":
            return True
        return verdict.action == "escalate" and verdict.reason in LLM_WORTHY

    def _ask_llm(self, turn: Turn, offline: Verdict, offline_calls: list[ToolCall]
                 ) -> tuple[Verdict, list[ToolCall], str, dict[str, Any] | None]:
        """Ask the model within the deadline; its reply must pass the same guard, else the offline
        answer (or escalation) stands."""
        assert self.llm is not None and turn.understood is not None and turn.store is not None
        understood, store = turn.understood, turn.store
        name = "llm" if self.routing == "llm" else "hybrid:llm"
        try:
            with storage_errors(), self.engine.connect() as conn:
                ctx = ToolContext(conn=conn, store=store, now=turn.clock or turn.received, user_id=turn.msg.user_id,
                                  room_id=turn.msg.room_id, on_air_sku=turn.on_air_sku, settings=self.settings)
                reply = self.llm.respond(understood, ctx, lang=understood.lang)
        except LLMUnavailable as exc:
            log.warning("LLM unavailable (%s); keeping the offline decision", exc.kind)
            usage = getattr(exc, "usage", None)
            calls = offline_calls + list(getattr(exc, "calls", []))
            return offline, calls, name + ":unavailable", usage.record() if usage else {"error": exc.kind}
        calls = offline_calls + reply.calls
        usage = reply.usage.record() if reply.usage else None
        if reply.escalate:
            if offline.action == "answer":
                return offline, calls, name + ":declined", usage
            return (Verdict("escalate", offline.reply, "llm_escalated", {"why": reply.reason[:100]},
                            offline.confidence), calls, name, usage)
        checked = guard(Draft("answer", reply.text, "answered_llm"), calls, 0.8,
                        self.settings.answer_confidence, understood.lang)
        if checked.action == "answer":
            return checked, calls, name, usage
        # The model wrote a figure no tool returned, or a claim that may not be posted: never to the
        # viewer. The offline answer (built from tool results) stands if there is one.
        if offline.action == "answer":
            return offline, calls, name + ":rejected", usage
        return checked, calls, name + ":rejected", usage

    def record(self, turn: Turn, *, group_id: str | None = None, route_to: str | None = None,
               joined: bool = False) -> Decision:
        """Write the transcript row (or spool it) and return the decision.

        ``joined``: the message joined a group that was already answered; it made no tool calls of its
        own, so its row points at the group (whose first row holds the calls) instead of copying them.
        """
        decision = turn.decision
        assert decision is not None
        decision.message_id = turn.message_id
        decision.latency_ms = (time.perf_counter() - turn.started) * 1000
        understood = turn.understood
        row = transcripts.row_for(                                                # record
            room_id=turn.msg.room_id, user_id=turn.msg.user_id, text=turn.msg.text, received_at=turn.received,
            clock=turn.clock or turn.received, channel=turn.msg.channel, lang=decision.lang, intent=decision.intent,
            action=decision.action, reply=decision.reply, confidence=decision.confidence, reason=decision.reason,
            understanding=understood.record() if understood else {"reason_code": decision.reason_code},
            tool_calls=[] if joined else decision.tool_calls, planner=decision.planner, latency_ms=decision.latency_ms,
            error=turn.error, message_id=turn.message_id, group_id=group_id, route=route_to,
            audio=turn.msg.heard.record() if turn.msg.heard else None, usage=decision.usage,
        )
        decision.transcript_id = self.recorder.record(row)
        return decision

    def _failed(self, turn: Turn, exc: StorageError) -> None:
        log.error("answering failed, database unavailable: %s", exc)
        turn.error = str(exc)
        lang = turn.understood.lang if turn.understood else "zh"
        turn.decision = _decision("escalate", "", turn.plan.intent if turn.plan else "other", [], 0.0,
                                  "storage_error", {}, lang, self.planner.name)


# What the rules could not answer but the knowledge index might: no fact key, no FAQ fitted, no rule.
KNOWLEDGE_WORTHY = {"no_such_fact", "no_faq", "ambiguous_faq", "unknown_question"}

# What the offline planner could not answer and a model might: no rule recognised the question, no
# FAQ or fact fitted it, the reading was unsure, or the product was not clear.
LLM_WORTHY = {"unknown_question", "no_faq", "ambiguous_faq", "no_such_fact", "low_confidence", "ambiguous_product",
              "no_product", "tool_error", "unverified_figure", "other_language"}


def routing_policy(settings: Settings) -> str:
    if settings.planner == "auto":
        return "hybrid" if llm_configured(settings) else "offline"
    return settings.planner


def _make_llm(settings: Settings) -> LLM | None:
    if not llm_configured(settings):
        log.warning("planner %r asked for, but no LLM endpoint is configured: answering offline only",
                    settings.planner)
        return None
    return LLMResponder(settings)


def run_step(step: Step, ctx: ToolContext) -> ToolCall:
    """Call one planned tool. A tool's data problem is a result; an unknown tool name is too."""
    tool = TOOLS.get(step.tool)
    if tool is None:
        failure = ToolFailure("unknown_tool", f"there is no tool named {step.tool!r}")
        return ToolCall(step.tool, step.args, failure.as_result(), ok=False)
    args = {k: v for k, v in step.args.items() if v is not None}
    return tool.invoke(ctx, args)


def route(action: str, reply: str, nickname: str | None, lang: str) -> str:
    """Address an answer to the viewer; drafts for the host stay as they are."""
    if action == "answer" and nickname and reply:
        return render(lang, "address", name=nickname) + reply
    return reply


def _clock(now: dt.datetime | None, received: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if now is None:
        return received
    # A time given without an offset is the store's local time.
    return now.replace(tzinfo=zone) if now.tzinfo is None else now


def _decision(action: str, reply: str, intent: str, calls: list[dict[str, Any]], confidence: float, code: str,
              variables: dict[str, Any], lang: str, planner: str) -> Decision:
    return Decision(action=action, reply=reply, intent=intent, tool_calls=calls, confidence=round(confidence, 3),
                    reason=reason_text(lang, code, **variables), reason_code=code, lang=lang, planner=planner)


__all__ = ["Assistant", "Decision", "Message", "Turn", "run_step"]
