"""Customer service review: one exchange in full, corrections, and corrections as new eval cases.

Personal data — user ids, order and tracking numbers, addresses — is masked for roles that may not
see it (see ``auth.CAN["personal_data"]``): the review page shows enough to tell exchanges apart,
not to identify a viewer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from sqlalchemy import Engine, func, select

from assistant import models
from assistant.db import storage_errors
from assistant.errors import InvalidInput, NotFound
from assistant.live.service import mask_user

_LONG_NUMBER = re.compile(r"[A-Za-z#]{0,4}\d{6,}[A-Za-z0-9]*")
_PERSONAL_KEYS = {"tracking_no", "order_id", "asked_order_id", "ship_to_city", "ship_to_province", "user_id"}
ACTIONS = ("answer", "escalate", "ignore")


def mask_text(text: str) -> str:
    """Order and tracking numbers inside free text: keep the last 4 characters."""
    return _LONG_NUMBER.sub(lambda m: "****" + m.group(0)[-4:], text)


def _mask_value(key: str, value: Any) -> Any:
    if isinstance(value, str) and key in _PERSONAL_KEYS:
        if key == "user_id":
            return mask_user(value)
        if key in ("ship_to_city", "ship_to_province"):
            return "***"
        return "****" + value[-4:]
    return _mask(value)


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask_value(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def mask_row(row: dict[str, Any]) -> dict[str, Any]:
    """A transcript row as a role without personal-data access sees it."""
    masked = dict(row)
    masked["user_id"] = mask_user(row.get("user_id") or "")
    for key in ("text", "reply"):
        if isinstance(masked.get(key), str):
            masked[key] = mask_text(masked[key])
    masked["tool_calls"] = _mask(row.get("tool_calls") or [])
    understanding = dict(row.get("understanding") or {})
    if understanding.get("order_id"):
        understanding["order_id"] = "****" + str(understanding["order_id"])[-4:]
    if isinstance(understanding.get("text"), str):
        understanding["text"] = mask_text(understanding["text"])
    masked["understanding"] = understanding
    return masked


def exchange(engine: Engine, transcript_id: int) -> dict[str, Any]:
    """One message in full: the row, what the host did with its group, and any corrections."""
    table = models.Transcript.__table__
    with storage_errors(), engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == transcript_id)).first()
        if row is None:
            raise NotFound(f"no transcript {transcript_id}")
        data = dict(row._mapping)
        actions = []
        if row.group_id:
            acts = models.HostAction.__table__
            actions = [dict(a._mapping) for a in conn.execute(
                select(acts.c.role, acts.c.action, acts.c.text, acts.c.at).where(acts.c.group_id == row.group_id)
                .order_by(acts.c.id))]
            data["group_size"] = conn.execute(select(func.count()).select_from(table)
                                              .where(table.c.group_id == row.group_id)).scalar()
        fixes = models.Correction.__table__
        corrections = [dict(c._mapping) for c in conn.execute(
            select(fixes).where(fixes.c.transcript_id == transcript_id).order_by(fixes.c.id))]
    data["host_actions"] = actions
    data["corrections"] = corrections
    return _jsonable(data)


def correct(engine: Engine, transcript_id: int, *, right_action: str, right_reply: str, note: str,
            role: str) -> dict[str, Any]:
    """Mark a reply wrong and record the right one."""
    if right_action not in ACTIONS:
        raise InvalidInput(f"right_action must be one of {', '.join(ACTIONS)}")
    if right_action == "answer" and not right_reply.strip():
        raise InvalidInput("give the right reply for an answer")
    now = dt.datetime.now(dt.UTC)
    with storage_errors(), engine.begin() as conn:
        table = models.Transcript.__table__
        if conn.execute(select(table.c.id).where(table.c.id == transcript_id)).first() is None:
            raise NotFound(f"no transcript {transcript_id}")
        result = conn.execute(models.Correction.__table__.insert().values(
            transcript_id=transcript_id, right_action=right_action, right_reply=right_reply.strip()[:2000],
            note=note.strip()[:2000], role=role, created_at=now))
    return {"id": int(result.inserted_primary_key[0]), "transcript_id": transcript_id, "right_action": right_action,
            "right_reply": right_reply, "note": note, "role": role, "created_at": now.isoformat()}


def corrections_as_eval_cases(engine: Engine, store: str = "live") -> list[dict[str, Any]]:
    """Every correction as an eval case (``evals/README.md`` format), for a person to label facts and keep.

    The case carries the room's product and clock from the transcript; the expected action is the
    corrected one and the right reply is kept for the labeller (facts are not guessed from prose).
    """
    fixes, table = models.Correction.__table__, models.Transcript.__table__
    with storage_errors(), engine.connect() as conn:
        rows = conn.execute(select(fixes, table.c.text, table.c.user_id, table.c.clock, table.c.room_id,
                                   table.c.action, table.c.reply, table.c.intent, table.c.understanding)
                            .join(table, table.c.id == fixes.c.transcript_id).order_by(fixes.c.id)).all()
    cases = []
    for r in rows:
        understanding = r.understanding or {}
        product = understanding.get("product") or {}
        on_air = product.get("sku") if understanding.get("product_source") == "on_air" else None
        cases.append({
            "id": f"correction-{r.id}", "store": store, "on_air": on_air, "user": r.user_id,
            "now": r.clock.isoformat(), "text": r.text,
            "expect": {"action": r.right_action, **({"intent": r.intent} if r.intent else {})},
            "right_reply": r.right_reply, "was": {"action": r.action, "reply": r.reply}, "note": r.note,
            "tags": ["correction", r.room_id],
        })
    return cases


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))
