"""Roles and their bearer tokens.

Four roles, each with its own tokens: ``ingest`` (platform connectors pushing danmaku), ``host``
(the teleprompter), ``cs`` (customer service reviewing transcripts) and ``admin`` (everything).
Tokens are random, shown once at creation, and stored only as a SHA-256 hash: they carry 256 bits of
randomness, so a fast hash is as safe as a slow one and costs nothing per request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine, select, update

from assistant import models
from assistant.db import storage_errors
from assistant.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

Role = Literal["ingest", "host", "cs", "admin"]
ROLES: tuple[Role, ...] = ("ingest", "host", "cs", "admin")

# Who may do what. Admin may do everything.
CAN: dict[str, frozenset[str]] = {
    "ask": frozenset({"ingest", "host", "admin"}),          # the contract's synchronous messages
    "ingest": frozenset({"ingest", "admin"}),               # the danmaku stream and batches
    "stock": frozenset({"ingest", "admin"}),                # a connector reports a sale; operators set stock
    "catalog": frozenset({"admin"}),
    "on_air": frozenset({"host", "admin"}),
    "teleprompter": frozenset({"host", "admin"}),
    "review": frozenset({"cs", "admin"}),
    "personal_data": frozenset({"admin"}),                  # see user ids, tracking numbers, addresses unmasked
    "metrics": frozenset({"host", "cs", "admin"}),
    "room_policy": frozenset({"admin"}),
}

_PREFIX = "la_"
_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Principal:
    role: Role
    token_id: int

    def may(self, capability: str) -> bool:
        return self.role in CAN[capability]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(engine: Engine, role: str, name: str = "") -> str:
    """Create a token for ``role`` and return it (the only time it is ever visible)."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)} (got {role!r})")
    token = f"{_PREFIX}{role}_{secrets.token_urlsafe(32)}"
    with storage_errors(), engine.begin() as conn:
        conn.execute(models.ApiToken.__table__.insert().values(
            role=role, name=name[:100], token_hash=_hash(token), created_at=dt.datetime.now(dt.UTC)))
    return token


def revoke_token(engine: Engine, token_id: int) -> None:
    table = models.ApiToken.__table__
    with storage_errors(), engine.begin() as conn:
        done = conn.execute(update(table).where(table.c.id == token_id, table.c.revoked_at.is_(None))
                            .values(revoked_at=dt.datetime.now(dt.UTC)))
    if done.rowcount == 0:
        raise NotFound(f"no active token with id {token_id}")
    _cache.clear()


def list_tokens(engine: Engine) -> list[dict[str, object]]:
    table = models.ApiToken.__table__
    with storage_errors(), engine.connect() as conn:
        rows = conn.execute(select(table.c.id, table.c.role, table.c.name, table.c.created_at, table.c.revoked_at)
                            .order_by(table.c.id)).all()
    return [dict(r._mapping) for r in rows]


_cache: dict[str, tuple[float, Principal | None]] = {}
_cache_lock = threading.Lock()


def authenticate(engine: Engine, token: str | None) -> Principal | None:
    """The principal a token stands for, or None for a missing, unknown or revoked token."""
    if not token or not token.startswith(_PREFIX) or len(token) > 200:
        return None
    digest = _hash(token)
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(digest)
    if cached and now - cached[0] < _CACHE_SECONDS:
        return cached[1]
    table = models.ApiToken.__table__
    with storage_errors(), engine.connect() as conn:
        row = conn.execute(select(table.c.id, table.c.role)
                           .where(table.c.token_hash == digest, table.c.revoked_at.is_(None))).first()
    principal = Principal(role=row.role, token_id=row.id) if row else None
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[digest] = (now, principal)
    return principal
