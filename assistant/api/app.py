"""The FastAPI application: settings and engine on ``app.state``, small routers, one error mapping.

Our exceptions become HTTP statuses in one place (:func:`_install_error_handlers`); a request that
cannot even be read as a message still reaches the transcript.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant import transcripts
from assistant.api.routes import catalog, health, live, metrics, pages, rooms, stock, voice
from assistant.api.routes import transcripts as transcript_routes
from assistant.config import Settings, get_settings
from assistant.db import get_engine, upgrade
from assistant.errors import CatalogError, InvalidInput, LiveAssistError, NotFound, SpeechUnavailable, StorageError
from assistant.knowledge.hooks import index_after_change
from assistant.live.events import EventHub
from assistant.live.service import LiveService
from assistant.pipeline import Assistant, Message

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, warm_up: bool = True) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = get_engine(settings.resolved_database_url)
        upgrade(engine)
        app.state.settings = settings
        app.state.engine = engine
        app.state.assistant = Assistant(engine, settings)
        app.state.hub = EventHub()
        app.state.hub.bind(asyncio.get_running_loop())
        app.state.live = LiveService.from_settings(app.state.assistant, app.state.hub)
        if warm_up:
            _warm_up(app.state.assistant)
            # Product knowledge is derived data: bring it up to date without delaying the first answer.
            threading.Thread(target=index_after_change, args=(engine, settings, "server start"),
                             name="knowledge-index", daemon=True).start()
        app.state.live.start()
        try:
            yield
        finally:
            app.state.live.stop()

    app = FastAPI(
        title="liveassist",
        version="0.1.0",
        description="Answers live-room viewers' questions about stock, shipping and orders from live data.",
        lifespan=lifespan,
    )
    for module in (health, catalog, stock, rooms, live, voice, metrics, transcript_routes):
        app.include_router(module.router)
    pages.install(app)
    _install_error_handlers(app)
    return app


# One question of each common kind, in both languages: answering them once (unrecorded) builds the
# vocabularies, compiles the queries and templates and loads the knowledge model, which otherwise
# cost the first viewers of the night about a second each (measured by benchmarks/load_live.py).
_WARM_UP_QUESTIONS = ("XL还有吗", "黑色L码有货不", "发到成都几天", "我的订单发了吗", "170 60kg穿什么码", "包邮吗",
                      "什么面料", "这个怎么洗", "still have XL?", "how long to ship to Texas", "where is my order",
                      "what is it made of")


def _warm_up(assistant: Assistant) -> None:
    """Answer a few questions nobody asked, before the first viewer does (nothing is recorded)."""
    from assistant.catalog.snapshot import get_snapshot
    from assistant.matching import prepare
    from assistant.pipeline import Message

    started = time.perf_counter()
    try:
        with assistant.engine.connect() as conn:
            store = get_snapshot(assistant.engine, conn)
        prepare(store)
        for product in list(store.products.values())[:1]:
            for text in _WARM_UP_QUESTIONS:  # about a named product: nothing is on air in this room
                turn = assistant.begin(Message("warm-up", "warm-up:0", f"{product.title} {text}"))
                if turn.decision is None:
                    assistant.answer(turn)
    except LiveAssistError as exc:
        log.warning("warm-up skipped: %s", exc)
        return
    log.info("warmed up in %.2f s", time.perf_counter() - started)


def _error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(InvalidInput)
    async def invalid(_: Request, exc: InvalidInput) -> JSONResponse:
        return _error(422, str(exc))

    @app.exception_handler(CatalogError)
    async def bad_catalog(_: Request, exc: CatalogError) -> JSONResponse:
        problems = [{"path": path, "message": message} for path, message in exc.problems]
        return _error(422, "catalog refused, nothing was written", problems=problems)

    @app.exception_handler(StorageError)
    async def storage(_: Request, exc: StorageError) -> JSONResponse:
        return _error(503, str(exc))

    @app.exception_handler(SpeechUnavailable)
    async def no_speech(_: Request, exc: SpeechUnavailable) -> JSONResponse:
        return _error(503, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def unreadable(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"path": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]}
                    for e in exc.errors()]
        if request.method == "POST" and request.url.path.endswith("/messages"):
            await _record_unreadable(request, problems)
        return _error(422, "request refused: " + "; ".join(f"{p['path'] or 'body'}: {p['message']}"
                                                              for p in problems), problems=problems)


async def _record_unreadable(request: Request, problems: list[dict[str, str]]) -> None:
    """A message the API could not read still reaches the transcript, as received."""
    raw = (await request.body()).decode("utf-8", errors="replace")
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    user = parsed.get("user_id") if isinstance(parsed, dict) and isinstance(parsed.get("user_id"), str) else "?"
    text = parsed.get("text") if isinstance(parsed, dict) and isinstance(parsed.get("text"), str) else raw
    room = request.path_params.get("room", "?")
    assistant: Assistant = request.app.state.assistant
    now = dt.datetime.now(dt.UTC)
    reason = "invalid request: " + "; ".join(f"{p['path']}: {p['message']}" for p in problems)
    row = transcripts.row_for(room_id=str(room), user_id=user or "?", text=text, received_at=now, clock=now,
                              channel="http", lang=None, intent=None, action="ignore", reply="", confidence=0.0,
                              reason=reason, understanding={}, tool_calls=[], planner=assistant.planner.name,
                              latency_ms=0.0, error=reason)
    transcripts.record(assistant.engine, row, assistant.spool)


__all__ = ["Message", "create_app"]
