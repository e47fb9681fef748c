"""Prometheus metrics (text format) for the live room."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from assistant.api.security import allowed

router = APIRouter(tags=["metrics"])


@router.get("/metrics", dependencies=[Depends(allowed("metrics"))])
def metrics(request: Request) -> Response:
    """Messages received, shed (by reason), decided (by action and route), grouped, posted; queue depth;
    answer latency."""
    return Response(generate_latest(request.app.state.live.metrics.registry), media_type=CONTENT_TYPE_LATEST)
