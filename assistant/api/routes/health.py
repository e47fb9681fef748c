"""Liveness and readiness: the only endpoints that never need a token."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from assistant.api.deps import EngineDep
from assistant.db import storage_errors

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(engine: EngineDep) -> dict[str, str]:
    """The process can reach its database."""
    with storage_errors(), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ready"}
