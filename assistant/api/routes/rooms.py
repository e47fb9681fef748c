"""Rooms: the product on air, and the messages viewers send."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, model_validator

from assistant.api.deps import EngineDep
from assistant.api.security import allowed
from assistant.errors import InvalidInput, NotFound
from assistant.live_state import check_room_id, clear_on_air, room_state, set_on_air
from assistant.pipeline import Message

router = APIRouter(prefix="/v1/rooms", tags=["rooms"])


class OnAir(BaseModel):
    product: str | None = Field(default=None, description="a product SKU (or, if no SKU matches, a link number)")
    link_no: int | None = None

    @model_validator(mode="after")
    def _one(self) -> OnAir:
        if (self.product is None) == (self.link_no is None):
            raise ValueError('give exactly one of "product" or "link_no"')
        return self


class ViewerMessage(BaseModel):
    user_id: str = Field(min_length=1, max_length=128, description="platform:id, e.g. douyin:7712")
    text: str = Field(description="what the viewer wrote")
    now: dt.datetime | None = Field(default=None, description="fixes the clock (ISO 8601)")
    nickname: str | None = Field(default=None, max_length=64)


def _room(room: str) -> str:
    return check_room_id(room)


@router.get("/{room}", dependencies=[Depends(allowed("teleprompter"))])
def get_room(room: str, engine: EngineDep) -> dict[str, Any]:
    """What a room is presenting."""
    with engine.connect() as conn:
        state = room_state(conn, _room(room))
    if not state.exists:
        raise NotFound(f"unknown room {room!r}")
    return {"room": state.room_id, "on_air": state.on_air_sku}


@router.put("/{room}/on-air", dependencies=[Depends(allowed("on_air"))])
def put_on_air(room: str, body: OnAir, engine: EngineDep, request: Request) -> dict[str, Any]:
    """Set the product the host is presenting; questions that name none are about it."""
    state = set_on_air(engine, _room(room), either=body.product, link_no=body.link_no)
    request.app.state.live.refresh_on_air(room)
    return {"room": state.room_id, "on_air": state.on_air_sku}


@router.delete("/{room}/on-air", dependencies=[Depends(allowed("on_air"))])
def delete_on_air(room: str, engine: EngineDep, request: Request) -> dict[str, Any]:
    """Nothing on air."""
    state = clear_on_air(engine, _room(room))
    request.app.state.live.refresh_on_air(room)
    return {"room": state.room_id, "on_air": None}


@router.post("/{room}/messages", dependencies=[Depends(allowed("ask"))])
def post_message(room: str, body: ViewerMessage, request: Request) -> dict[str, Any]:
    """Answer one viewer message: answer, escalate (with a draft for the host) or ignore.

    The decision is this message's own; the room's board and outbox see it too.
    """
    _room(room)
    if not body.user_id.strip():
        raise InvalidInput("user_id must not be blank")
    decision = request.app.state.live.ask(Message(room_id=room, user_id=body.user_id, text=body.text, now=body.now,
                                                  nickname=body.nickname, channel="http"))
    return decision.contract()
