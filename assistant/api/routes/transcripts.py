"""Transcripts over HTTP: list, filter, export (JSON, JSONL, CSV); one exchange in full; corrections.

Personal data is masked unless the caller's role may see it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from assistant import review, transcripts
from assistant.api.deps import EngineDep, SettingsDep
from assistant.api.security import allowed
from assistant.auth import Principal
from assistant.knowledge.hooks import index_after_change

router = APIRouter(prefix="/v1", tags=["transcripts"])
Reviewer = Annotated[Principal, Depends(allowed("review"))]


def _visible(rows: list[dict[str, Any]], principal: Principal) -> list[dict[str, Any]]:
    return rows if principal.may("personal_data") else [review.mask_row(r) for r in rows]


@router.get("/transcripts", response_model=None)
def get_transcripts(
    engine: EngineDep,
    principal: Reviewer,
    room: str | None = None,
    user: str | None = None,
    action: Literal["answer", "escalate", "ignore"] | None = None,
    intent: str | None = None,
    route: Literal["chat", "host", "grouped", "shed", "none"] | None = Query(None, description="the outcome"),
    q: str | None = Query(None, max_length=100, description="words in the message or the reply"),
    corrected: bool | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = Query(100, ge=1, le=10_000),
    offset: int = Query(0, ge=0),
    format: Literal["json", "jsonl", "csv"] = "json",  # noqa: A002
) -> dict[str, Any] | PlainTextResponse:
    """Every message with its understanding, tool calls and results, reply, action, outcome and reason."""
    rows = _visible(transcripts.search(engine, transcripts.TranscriptQuery(
        room=room, user=user, action=action, intent=intent, route=route, text=q, corrected=corrected,
        since=since, until=until, limit=limit, offset=offset)), principal)
    if format == "csv":
        return PlainTextResponse(transcripts.to_csv(rows), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="transcripts.csv"'})
    if format == "jsonl":
        return PlainTextResponse(transcripts.to_jsonl(rows), media_type="application/x-ndjson")
    return {"count": len(rows), "transcripts": rows}


@router.get("/transcripts/{transcript_id}")
def get_exchange(transcript_id: int, engine: EngineDep, principal: Reviewer) -> dict[str, Any]:
    """One exchange: the message, what was understood, each tool call with its result, the reply, and who
    accepted, edited or corrected it."""
    data = review.exchange(engine, transcript_id)
    return data if principal.may("personal_data") else review.mask_row(data)


class CorrectionBody(BaseModel):
    right_action: Literal["answer", "escalate", "ignore"]
    right_reply: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)


@router.post("/transcripts/{transcript_id}/corrections")
def post_correction(transcript_id: int, body: CorrectionBody, engine: EngineDep, settings: SettingsDep,
                    principal: Reviewer) -> dict[str, Any]:
    """Mark a reply wrong, with the right answer; it becomes a new eval case and, when it is an answer,
    searchable knowledge (``knowledge`` reports the index update, or why it failed: the correction
    is saved either way)."""
    saved = review.correct(engine, transcript_id, right_action=body.right_action, right_reply=body.right_reply,
                           note=body.note, role=principal.role)
    return saved | {"knowledge": index_after_change(engine, settings, f"correction {saved['id']}")}


@router.get("/corrections/eval-cases", response_model=None)
def get_correction_cases(engine: EngineDep, principal: Reviewer, store: str = "live",
                         format: Literal["json", "jsonl"] = "jsonl") -> Any:  # noqa: A002
    """Corrections exported as eval cases (``evals/README.md`` format)."""
    cases = review.corrections_as_eval_cases(engine, store)
    if not principal.may("personal_data"):
        cases = [c | {"user": review.mask_user(c["user"]), "text": review.mask_text(c["text"])} for c in cases]
    if format == "json":
        return {"count": len(cases), "cases": cases}
    return PlainTextResponse(transcripts.to_jsonl(cases), media_type="application/x-ndjson",
                             headers={"Content-Disposition": 'attachment; filename="correction-cases.jsonl"'})
