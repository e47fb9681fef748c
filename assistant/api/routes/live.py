"""The live room over HTTP and WebSocket: danmaku in, the board and its events out, host actions,
the outbox connectors read, the room's policy, demand figures."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, ValidationError

from assistant.api.security import allowed, open_websocket
from assistant.auth import Principal
from assistant.live import routing
from assistant.live.danmaku import Danmaku
from assistant.live.outbox import outbox_channel
from assistant.live.service import LiveService, room_channel
from assistant.live_state import check_room_id

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/rooms", tags=["live room"])

_MAX_BATCH = 5000


def service(request: Request) -> LiveService:
    return request.app.state.live


LiveDep = Annotated[LiveService, Depends(service)]


# --- messages in ---------------------------------------------------------------------------------------

@router.post("/{room}/danmaku")
def post_danmaku(room: str, live: LiveDep, _: Annotated[Principal, Depends(allowed("ingest"))],
                 messages: list[dict[str, Any]] = Body(..., max_length=_MAX_BATCH)) -> dict[str, Any]:  # noqa: B008
    """A batch of chat messages. Returns at once: answers follow on the board and in the outbox."""
    check_room_id(room)
    return _admit(live, room, messages, source="batch")


def _admit(live: LiveService, room: str, messages: list[Any], *, source: str) -> dict[str, Any]:
    valid: list[Danmaku] = []
    invalid: list[dict[str, Any]] = []
    for index, raw in enumerate(messages):
        if index >= _MAX_BATCH:
            invalid.append({"index": index, "error": f"a frame holds at most {_MAX_BATCH} messages"})
            continue
        try:
            valid.append(Danmaku.model_validate(raw))
        except ValidationError as exc:
            invalid.append({"index": index, "error": "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())})
    outcomes = live.submit_many(room, valid, source=source)
    return {"received": len(messages), "outcomes": dict(outcomes), "invalid": invalid}


@router.websocket("/{room}/stream")
async def stream(websocket: WebSocket, room: str) -> None:
    """A connector keeps this open and pushes danmaku: one JSON object or a list per frame.

    Each frame is acknowledged with ``{"received": n, "outcomes": {...}, "invalid": [...]}``.
    """
    if not await open_websocket(websocket, room, "ingest"):
        return
    live: LiveService = websocket.app.state.live
    try:
        while True:
            frame = await websocket.receive_text()
            try:
                payload = json.loads(frame)
            except ValueError:
                await websocket.send_json({"received": 0, "outcomes": {}, "invalid": [{"index": 0, "error": "not JSON"}]})
                continue
            messages = payload if isinstance(payload, list) else [payload]
            # Off the event loop, so pages following the room keep getting their events meanwhile.
            await websocket.send_json(await asyncio.to_thread(_admit, live, room, messages, source="stream"))
    except WebSocketDisconnect:
        return


# --- the board -----------------------------------------------------------------------------------------

@router.get("/{room}/board", dependencies=[Depends(allowed("teleprompter"))])
def get_board(room: str, live: LiveDep) -> dict[str, Any]:
    """What the host's teleprompter shows: product on air with live stock, ranked questions, escalations,
    alerts, demand."""
    check_room_id(room)
    return live.board(room).snapshot()


@router.get("/{room}/demand", dependencies=[Depends(allowed("metrics"))])
def get_demand(room: str, live: LiveDep) -> dict[str, Any]:
    """Questions per minute, by option value; asks for sold-out variants; answered/escalated/ignored
    shares; answer latency."""
    check_room_id(room)
    snapshot = live.board(room).snapshot()
    return {"room": room, "demand": snapshot["demand"], "alerts": snapshot["alerts"]}


class RoomStats(BaseModel):
    """Every viewer message of the room accounted for: ``received`` always equals answered + grouped +
    escalated + ignored + shed + pending."""

    room: str
    received: int = Field(description="viewer messages taken in (stream, batches, synchronous and voice questions)")
    answered: int = Field(description="answered on their own, or the question that opened a group")
    grouped: int = Field(description="answered as part of a group another viewer's question opened")
    escalated: int = Field(description="sent to the host (alone or with a group)")
    ignored: int = Field(description="chit-chat, spam, emoji: nothing to answer")
    shed: int = Field(description="not answered one by one (overload, rate limit, repeat); the reason is "
                                  "in each transcript row")
    pending: int = Field(description="taken in, not yet decided and recorded")
    latency_ms: dict[str, float | None] = Field(description="answer latency p50 and p95, last 2,000 decisions")
    queue_depth: int = Field(description="messages waiting for an answering worker")


@router.get("/{room}/stats", dependencies=[Depends(allowed("metrics"))])
def get_stats(room: str, live: LiveDep) -> RoomStats:
    """Counts by outcome: how "nothing lost" is checked. A message counts under its outcome once its
    transcript row is stored."""
    check_room_id(room)
    return RoomStats(**live.stats(room))


@router.websocket("/{room}/events")
async def events(websocket: WebSocket, room: str) -> None:
    """The board's updates as they happen: the full board first, then each event."""
    await _follow(websocket, room, "teleprompter", room_channel(room), first=lambda live: {
        "type": "snapshot", "board": live.board(room).snapshot()})


@router.websocket("/{room}/outbox/stream")
async def outbox_stream(websocket: WebSocket, room: str) -> None:
    """Replies to post, for the platform connector: pending ones first (after ``?after=ID``), then live.
    Send ``{"ack": [ids]}`` once posted."""
    after = int(websocket.query_params.get("after", "0") or 0)

    def first(live: LiveService) -> dict[str, Any]:
        return {"type": "pending", "messages": [p.event() for p in live.outbox.pending(room, after)]}

    await _follow(websocket, room, "ingest", outbox_channel(room), first=first, on_message=lambda live, data: (
        live.outbox.acknowledge(room, [int(i) for i in data.get("ack", [])]) if isinstance(data, dict) else None))


async def _follow(websocket: WebSocket, room: str, capability: str, channel: str, *, first: Any,
                  on_message: Any = None) -> None:
    if not await open_websocket(websocket, room, capability):
        return
    live: LiveService = websocket.app.state.live
    queue = live.hub.subscribe(channel)
    try:
        await websocket.send_json(await asyncio.to_thread(first, live))
        receiver = asyncio.create_task(_receive(websocket, live, on_message))
        try:
            while True:
                getter = asyncio.create_task(queue.get())
                done, _ = await asyncio.wait({getter, receiver}, return_when=asyncio.FIRST_COMPLETED)
                if receiver in done:
                    getter.cancel()
                    return
                await websocket.send_json(getter.result())
                # A busy room: send what else is waiting now, without a round trip through the loop.
                for _ in range(200):
                    try:
                        await websocket.send_json(queue.get_nowait())
                    except asyncio.QueueEmpty:
                        break
        finally:
            receiver.cancel()
    except (WebSocketDisconnect, RuntimeError):
        return
    finally:
        live.hub.unsubscribe(channel, queue)


async def _receive(websocket: WebSocket, live: LiveService, on_message: Any) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            text = await websocket.receive_text()
            if on_message is not None:
                with contextlib.suppress(ValueError, TypeError):
                    await asyncio.to_thread(on_message, live, json.loads(text))


# --- the host's actions ----------------------------------------------------------------------------------

class Accept(BaseModel):
    text: str | None = Field(default=None, max_length=500, description="the edited reply; omit to post as suggested")


@router.post("/{room}/groups/{group_id}/accept")
def accept(room: str, group_id: str, live: LiveDep, principal: Annotated[Principal, Depends(allowed("teleprompter"))],
           body: Accept | None = None) -> dict[str, Any]:
    """Post a suggestion to the chat, as suggested or as edited; recorded."""
    check_room_id(room)
    text = body.text if body else None
    return live.accept(room, group_id, role=principal.role, text=text)


@router.post("/{room}/groups/{group_id}/dismiss")
def dismiss(room: str, group_id: str, live: LiveDep,
            principal: Annotated[Principal, Depends(allowed("teleprompter"))]) -> dict[str, Any]:
    """Nothing will be posted for this group; recorded."""
    check_room_id(room)
    live.dismiss(room, group_id, role=principal.role)
    return {"group_id": group_id, "status": "dismissed"}


class Answered(BaseModel):
    group_id: str | None = None
    user_ids: list[str] = Field(default_factory=list)
    text: str | None = Field(default=None, max_length=2000)


@router.post("/{room}/answered")
def answered(room: str, body: Answered, live: LiveDep,
             principal: Annotated[Principal, Depends(allowed("ask"))]) -> dict[str, Any]:
    """A person (host or assistant) answered these viewers or this group: the bot stands down on them."""
    check_room_id(room)
    stood: list[str] = []
    if body.group_id:
        live.stand_down_group(room, body.group_id, role=principal.role, text=body.text)
        stood.append(body.group_id)
    for user_id in body.user_ids:
        stood.extend(live.stand_down_viewer(room, user_id, role=principal.role))
    if body.text:
        stood.extend(live.person_spoke(room, body.text, role=principal.role))
    return {"stood_down": sorted(set(stood))}


# --- policy and outbox -----------------------------------------------------------------------------------

class PolicyBody(BaseModel):
    auto_post: bool = False
    late_after_seconds: int = 60
    webhook_url: str | None = None


@router.get("/{room}/policy", dependencies=[Depends(allowed("teleprompter"))])
def get_policy(room: str, live: LiveDep) -> dict[str, Any]:
    check_room_id(room)
    policy = live.policy(room)
    return {"room": room, "auto_post": policy.auto_post, "late_after_seconds": policy.late_after_seconds,
            "webhook_url": policy.webhook_url}


@router.put("/{room}/policy", dependencies=[Depends(allowed("room_policy"))])
def put_policy(room: str, body: PolicyBody, live: LiveDep) -> dict[str, Any]:
    """Auto-post safe answers or only suggest them; how late is too late; the connector's webhook."""
    routing.save_policy(live.engine, room, routing.Policy(body.auto_post, body.late_after_seconds, body.webhook_url))
    live.forget_policy(room)
    return get_policy(room, live)


@router.get("/{room}/outbox", dependencies=[Depends(allowed("ingest"))])
def get_outbox(room: str, live: LiveDep, after: int = 0) -> dict[str, Any]:
    """Replies waiting to be posted (oldest first)."""
    check_room_id(room)
    return {"messages": [p.event() for p in live.outbox.pending(room, after)]}


@router.post("/{room}/outbox/ack", dependencies=[Depends(allowed("ingest"))])
def ack_outbox(room: str, live: LiveDep, ids: list[int] = Body(..., embed=True)) -> dict[str, Any]:  # noqa: B008
    """Mark replies as posted by the connector."""
    return {"acknowledged": live.outbox.acknowledge(room, ids)}
