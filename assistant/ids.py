"""Message ids: unique across processes, and cheap (no system call per id, unlike uuid4, which reads
os.urandom and lets the GIL go for every message of a busy stream)."""

from __future__ import annotations

import itertools
import secrets

_PREFIX = secrets.token_hex(4)
_COUNTER = itertools.count()


def new_id() -> str:
    """32 hex characters: a random prefix for this process, then a counter."""
    return f"{_PREFIX}{next(_COUNTER):024x}"
