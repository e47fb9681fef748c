"""Where an answer goes: straight to the chat, or to the host first.

The merchant sets per room whether safe answers post by themselves (``auto_post``) or are only
suggested. Escalations always go to the host. An answer that would arrive after its moment (later
than ``late_after_seconds`` after the viewer asked) is not posted: it goes to the host. When a person
in the room has already answered these viewers, the assistant stands down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, Engine, select

from assistant import models
from assistant.db import storage_errors
from assistant.errors import InvalidInput
from assistant.live_state import check_room_id

Route = Literal["chat", "host", "none"]


@dataclass(frozen=True)
class Policy:
    auto_post: bool = False
    late_after_seconds: int = 60
    webhook_url: str | None = None


def load_policy(conn: Connection, room_id: str) -> Policy:
    table = models.RoomPolicy.__table__
    row = conn.execute(select(table).where(table.c.room_id == room_id)).first()
    if row is None:
        return Policy()
    return Policy(auto_post=bool(row.auto_post), late_after_seconds=row.late_after_seconds,
                  webhook_url=row.webhook_url)


def save_policy(engine: Engine, room_id: str, policy: Policy) -> Policy:
    check_room_id(room_id)
    if policy.late_after_seconds < 1 or policy.late_after_seconds > 3600:
        raise InvalidInput("late_after_seconds must be between 1 and 3600")
    if policy.webhook_url and not policy.webhook_url.startswith(("http://", "https://")):
        raise InvalidInput("webhook_url must be an http(s) URL")
    table = models.RoomPolicy.__table__
    values = {"auto_post": policy.auto_post, "late_after_seconds": policy.late_after_seconds,
              "webhook_url": policy.webhook_url, "updated_at": dt.datetime.now(dt.UTC)}
    with storage_errors(), engine.begin() as conn:
        done = conn.execute(table.update().where(table.c.room_id == room_id).values(**values))
        if done.rowcount == 0:
            conn.execute(table.insert().values(room_id=room_id, **values))
    return policy


def route(action: str, policy: Policy, *, asked_at: dt.datetime, now: dt.datetime,
          stood_down: bool) -> tuple[Route, str]:
    """(where it goes, the board status): chat/posted, host/suggested|late|escalated, none/answered|ignored."""
    if action == "ignore":
        return "none", "ignored"
    if stood_down:
        return "none", "answered"
    if action == "escalate":
        return "host", "escalated"
    if (now - asked_at).total_seconds() > policy.late_after_seconds:
        return "host", "late"
    if not policy.auto_post:
        return "host", "suggested"
    return "chat", "posted"
