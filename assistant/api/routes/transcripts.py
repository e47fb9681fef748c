"""Transcripts over HTTP: list, filter, export (JSON, JSONL, CSV)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse

from assistant import transcripts
from assistant.api.deps import EngineDep
from assistant.api.security import allowed

router = APIRouter(prefix="/v1", tags=["transcripts"], dependencies=[Depends(allowed("review"))])


@router.get("/transcripts", response_model=None)
def get_transcripts(
    engine: EngineDep,
    room: str | None = None,
    user: str | None = None,
    action: Literal["answer", "escalate", "ignore"] | None = None,
    intent: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = Query(100, ge=1, le=10_000),
    offset: int = Query(0, ge=0),
    format: Literal["json", "jsonl", "csv"] = "json",  # noqa: A002
) -> dict[str, Any] | PlainTextResponse:
    """Every message with its understanding, tool calls and results, reply, action and reason."""
    rows = transcripts.search(engine, transcripts.TranscriptQuery(
        room=room, user=user, action=action, intent=intent, since=since, until=until, limit=limit, offset=offset))
    if format == "csv":
        return PlainTextResponse(transcripts.to_csv(rows), media_type="text/csv; charset=utf-8")
    if format == "jsonl":
        return PlainTextResponse(transcripts.to_jsonl(rows), media_type="application/x-ndjson")
    return {"count": len(rows), "transcripts": rows}
