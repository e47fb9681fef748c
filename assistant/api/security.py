"""Who is calling: ``Authorization: Bearer TOKEN`` (or the sign-in cookie the browser pages keep).

Every endpoint but the health checks declares the capability it needs, e.g.
``principal: Annotated[Principal, Depends(allowed("on_air"))]``. A missing or unknown token is a 401,
a token whose role may not do this a 403; both are logged (never the token itself).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import HTTPException, Request, WebSocket

from assistant.auth import CAN, Principal, authenticate

log = logging.getLogger("liveassist.auth")

COOKIE = "liveassist_token"


def bearer_token(headers: dict[str, str] | object, cookies: dict[str, str]) -> str | None:
    header = headers.get("authorization") if hasattr(headers, "get") else None  # type: ignore[union-attr]
    if header and header.lower().startswith("bearer "):
        return header[7:].strip()
    return cookies.get(COOKIE)


async def open_websocket(websocket: WebSocket, room: str, capability: str) -> bool:
    """Accept a room's WebSocket for a caller allowed ``capability``; else close it with a reason
    (4401: no valid token for this, 4422: a malformed room id) and return False."""
    from assistant.errors import InvalidInput
    from assistant.live_state import check_room_id

    if websocket_principal(websocket, capability) is None:
        await websocket.close(code=4401, reason=f"a token allowed to {capability} is required")
        return False
    try:
        check_room_id(room)
    except InvalidInput as exc:
        await websocket.close(code=4422, reason=str(exc))
        return False
    await websocket.accept()
    return True


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if not origin:
        return True  # not a browser
    host = websocket.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


def check(principal: Principal | None, capability: str, where: str) -> Principal:
    if principal is None:
        log.warning("401 %s: missing or invalid token", where)
        raise HTTPException(status_code=401, detail="a valid token is required (Authorization: Bearer TOKEN)",
                            headers={"WWW-Authenticate": "Bearer"})
    if not principal.may(capability):
        allowed_roles = ", ".join(sorted(CAN[capability]))
        log.warning("403 %s: role %s may not %s", where, principal.role, capability)
        raise HTTPException(status_code=403, detail=f"role {principal.role!r} may not do this (needs {allowed_roles})")
    return principal


def allowed(capability: str) -> Callable[[Request], Principal]:
    """A dependency that admits the roles that have ``capability``."""

    def dependency(request: Request) -> Principal:
        token = bearer_token(request.headers, request.cookies)
        principal = authenticate(request.app.state.engine, token)
        return check(principal, capability, f"{request.method} {request.url.path}")

    dependency.__name__ = f"allowed_{capability}"
    return dependency


def websocket_principal(websocket: WebSocket, capability: str) -> Principal | None:
    """For WebSockets: the token may also come as ``?token=`` (browsers cannot set headers there).

    A browser sends the sign-in cookie with a WebSocket opened by any site's page; so when the cookie
    is what identifies the caller, the page must be one of ours (same Origin as the server).
    """
    header = websocket.headers.get("authorization", "")
    explicit = header.lower().startswith("bearer ") or websocket.query_params.get("token")
    if not explicit and websocket.cookies.get(COOKIE) and not _same_origin(websocket):
        log.warning("websocket %s refused: cookie sent from another site (%s)", websocket.url.path,
                    websocket.headers.get("origin"))
        return None
    token = bearer_token(websocket.headers, websocket.cookies) or websocket.query_params.get("token")
    principal = authenticate(websocket.app.state.engine, token)
    if principal is None or not principal.may(capability):
        log.warning("websocket %s refused: %s", websocket.url.path, "no valid token" if principal is None
                    else f"role {principal.role} may not {capability}")
        return None
    return principal
