"""The browser pages: sign-in, the host's teleprompter, the customer-service review page.

The pages are plain files in ``assistant/web/`` (no build step, nothing fetched from outside); they
call the same JSON API as everyone else, authenticated by an httpOnly cookie that holds the role's
token. ``SameSite=Strict`` keeps other sites from riding on it, the WebSocket handshake included.
A page whose viewer is not signed in redirects to ``/login?next=...``; a signed-in role without the
page's capability gets a 403 page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from assistant.api.security import COOKIE, bearer_token
from assistant.auth import Principal, authenticate
from assistant.live_state import check_room_id

WEB = Path(__file__).resolve().parents[2] / "web"
router = APIRouter(tags=["pages"])

_COOKIE_DAYS = 7
# Pages run only their own files: a viewer's message that slipped into markup still could not run.
_PAGE_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                                "frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def install(app: FastAPI) -> None:
    """Add the pages and their static files to ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB), name="static")


def _page(name: str, status_code: int = 200) -> FileResponse:
    return FileResponse(WEB / name, status_code=status_code, media_type="text/html; charset=utf-8",
                        headers=_PAGE_HEADERS)


def _principal(request: Request) -> Principal | None:
    return authenticate(request.app.state.engine, bearer_token(request.headers, request.cookies))


def _gated(request: Request, name: str, capability: str) -> Response:
    principal = _principal(request)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if not principal.may(capability):
        return _page("forbidden.html", status_code=403)
    return _page(name)


@router.get("/", include_in_schema=False)
def index() -> Response:
    return _page("index.html")


@router.get("/login", include_in_schema=False)
def login() -> Response:
    return _page("login.html")


@router.get("/host/{room}", include_in_schema=False)
def teleprompter(room: str, request: Request) -> Response:
    check_room_id(room)
    return _gated(request, "host.html", "teleprompter")


@router.get("/review", include_in_schema=False)
def review_page(request: Request) -> Response:
    return _gated(request, "review.html", "review")


# --- the browser's session: a cookie holding the token -------------------------------------------

class SignIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)


@router.post("/v1/session", tags=["session"])
def sign_in(body: SignIn, request: Request, response: Response) -> dict[str, Any]:
    """Check a token and keep it in an httpOnly cookie for the pages."""
    token = body.token.strip()
    principal = authenticate(request.app.state.engine, token)
    if principal is None:
        raise HTTPException(status_code=401, detail="this token is not valid or has been revoked")
    response.set_cookie(COOKIE, token, max_age=_COOKIE_DAYS * 86400, path="/", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return {"role": principal.role}


@router.get("/v1/session", tags=["session"])
def who(request: Request) -> dict[str, Any]:
    """The role the browser is signed in as (401 when it is not)."""
    principal = _principal(request)
    if principal is None:
        raise HTTPException(status_code=401, detail="not signed in")
    return {"role": principal.role}


@router.post("/v1/session/logout", tags=["session"])
def sign_out(request: Request, response: Response) -> dict[str, Any]:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return {"signed_out": True}
