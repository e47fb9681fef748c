"""Spoken questions: an uploaded clip, or a live PCM stream cut into utterances, answered like text.

Speech recognition is imported when audio arrives, never at start-up: a server that hears no audio
never loads faster-whisper. The model runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, WebSocket, WebSocketDisconnect

from assistant.api.security import allowed, websocket_principal
from assistant.errors import InvalidInput, LiveAssistError
from assistant.live_state import check_room_id
from assistant.pipeline import Heard, Message

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/rooms", tags=["voice"])

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""An uploaded clip (a 30-second question is 1 MB as WAV, far less compressed)."""
MAX_FRAME_BYTES = 1024 * 1024
"""One binary WebSocket frame: about 32 s of 16 kHz 16-bit PCM."""
_FORM_OVERHEAD = 64 * 1024

_UPLOAD_SCHEMA = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "user_id"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "the question: wav, mp3, m4a, ogg/opus, webm… (at most 30 s, 10 MB)"},
        "user_id": {"type": "string", "description": "platform:id, e.g. douyin:7712"},
        "now": {"type": "string", "format": "date-time", "description": "fixes the clock (ISO 8601)"},
        "nickname": {"type": "string", "maxLength": 64}}}}}}}


@router.post("/{room}/audio", dependencies=[Depends(allowed("ask"))], openapi_extra=_UPLOAD_SCHEMA)
async def post_audio(room: str, request: Request) -> dict[str, Any]:
    """Answer one spoken question: the transcript (``heard``) and the same decision JSON as a text message.

    A low-confidence transcription is escalated to the host with the answer as a draft; audio that
    is empty, silent, too long, damaged or not audio is refused with a 4xx saying which.
    """
    check_room_id(room)
    form = await _read_form(request)
    try:
        user_id, nickname, now = _viewer_fields(form)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput('send the audio as a file in the multipart field "file"')
        data = await upload.read()
    finally:
        await form.close()

    from assistant.speech.listen import hear

    app = request.app
    heard = await asyncio.to_thread(hear, app.state.engine, app.state.settings, room, data)
    decision = await asyncio.to_thread(app.state.live.ask, Message(
        room_id=room, user_id=user_id, text=heard.text, now=now, nickname=nickname, channel="http-audio",
        heard=heard))
    return {"heard": heard.record(), **decision.contract()}


async def _read_form(request: Request) -> Any:
    """The multipart form, read with a size limit (413) before anything is parsed or spooled."""
    from starlette.formparsers import MultiPartException, MultiPartParser

    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput('send multipart/form-data with the audio in the field "file" and a "user_id"')
    limit = MAX_UPLOAD_BYTES + _FORM_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large()
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise _too_large()

    async def once() -> AsyncIterator[bytes]:
        yield bytes(body)

    try:
        return await MultiPartParser(request.headers, once(), max_files=1, max_fields=10).parse()
    except MultiPartException as exc:
        raise InvalidInput(f"the upload is not a readable multipart form: {exc.message}") from None


def _viewer_fields(form: Any) -> tuple[str, str | None, dt.datetime | None]:
    user_id = form.get("user_id")
    if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > 128:
        raise InvalidInput("user_id is required (platform:id, at most 128 characters)")
    nickname = form.get("nickname") or None
    if nickname is not None and (not isinstance(nickname, str) or len(nickname) > 64):
        raise InvalidInput("nickname must be text of at most 64 characters")
    return user_id.strip(), nickname, _parse_now(form.get("now"))


def _too_large() -> HTTPException:
    megabytes = MAX_UPLOAD_BYTES // (1024 * 1024)
    return HTTPException(status_code=413, detail=f"the audio file is larger than {megabytes} MB; "
                                                 "a spoken question lasts at most 30 s")


def _parse_now(raw: Any) -> dt.datetime | None:
    if raw in (None, ""):
        return None
    try:
        return dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"now must be an ISO 8601 time such as 2026-11-22T20:00:00+08:00 (got {raw!r})") from None


@router.websocket("/{room}/voice")
async def voice(websocket: WebSocket, room: str) -> None:
    """A live microphone: speech in, a decision per utterance out.

    First a JSON text frame ``{"user_id": "douyin:7712", "nickname": "小鹿"}``; then binary frames of
    16 kHz mono 16-bit little-endian PCM. Each utterance (speech, then half a second of silence, or
    the rest when the client sends ``{"end": true}``) is answered with
    ``{"heard": {...}, "decision": {...}}``; one that cannot be heard with ``{"error": "..."}``.
    After ``{"end": true}`` the server sends ``{"done": true}`` and closes.
    """
    if websocket_principal(websocket, "ask") is None:
        await websocket.close(code=4401, reason="a token allowed to ask is required")
        return
    try:
        check_room_id(room)
    except InvalidInput as exc:
        await websocket.close(code=4422, reason=str(exc))
        return
    await websocket.accept()
    with contextlib.suppress(WebSocketDisconnect):
        viewer = await _viewer(websocket)
        if viewer is None:
            return
        await _listen(websocket, room, *viewer)


async def _viewer(websocket: WebSocket) -> tuple[str, str | None] | None:
    try:
        first = json.loads(await websocket.receive_text())
        user_id = str(first["user_id"]).strip()
        nickname = first.get("nickname")
        if not user_id or len(user_id) > 128:
            raise ValueError
    except (ValueError, KeyError, TypeError, AttributeError):
        await websocket.send_json({"error": 'first send {"user_id": "platform:id", "nickname": "..."} as text'})
        await websocket.close(code=4422)
        return None
    return user_id, str(nickname)[:64] if nickname else None


async def _listen(websocket: WebSocket, room: str, user_id: str, nickname: str | None) -> None:
    from assistant.speech.audio import from_pcm16, max_seconds
    from assistant.speech.vad import UtteranceSegmenter

    settings = websocket.app.state.settings
    segmenter = UtteranceSegmenter(max_seconds(settings.max_audio_seconds))
    leftover = b""
    while True:
        frame = await websocket.receive()
        if frame["type"] == "websocket.disconnect":
            return
        if frame.get("bytes") is not None:
            if len(frame["bytes"]) > MAX_FRAME_BYTES:
                await websocket.send_json({"error": f"a frame may carry at most {MAX_FRAME_BYTES} bytes of PCM"})
                continue
            data = leftover + frame["bytes"]
            usable = len(data) - len(data) % 2  # a sample may straddle two frames
            leftover = data[usable:]
            utterances = await asyncio.to_thread(segmenter.feed, from_pcm16(data[:usable]))
        else:
            try:
                message = json.loads(frame.get("text") or "")
            except ValueError:
                message = None
            if not (isinstance(message, dict) and message.get("end")):
                await websocket.send_json({"error": 'text frames other than {"end": true} are not understood'})
                continue
            for utterance in await asyncio.to_thread(segmenter.finish):
                await websocket.send_json(await _answer(websocket, room, user_id, nickname, utterance))
            await websocket.send_json({"done": True})
            await websocket.close()
            return
        for utterance in utterances:
            await websocket.send_json(await _answer(websocket, room, user_id, nickname, utterance))


async def _answer(websocket: WebSocket, room: str, user_id: str, nickname: str | None,
                  utterance: Any) -> dict[str, Any]:
    from assistant.speech.listen import hear

    app = websocket.app
    try:
        heard: Heard = await asyncio.to_thread(hear, app.state.engine, app.state.settings, room, utterance)
        decision = await asyncio.to_thread(app.state.live.ask, Message(
            room_id=room, user_id=user_id, text=heard.text, nickname=nickname, channel="voice-ws", heard=heard))
    except LiveAssistError as exc:  # this utterance could not be heard or answered; the stream goes on
        return {"error": str(exc)}
    return {"heard": heard.record(), "decision": decision.contract()}
