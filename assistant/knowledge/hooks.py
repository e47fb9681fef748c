"""Re-indexing after the data changes (a catalog import, a correction), without ever failing it.

The index is derived data: when it cannot be updated, the import or the correction that has
already been committed stands, the failure is logged with its traceback, and the caller reports
it (``{"ok": false, "error": …}``). The next sync, or the first search, catches up. This module
does not import chromadb itself, so a broken chromadb install is reported the same way.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine

from assistant.config import Settings
from assistant.errors import LiveAssistError

log = logging.getLogger(__name__)


def index_after_change(engine: Engine, settings: Settings, what: str) -> dict[str, Any]:
    """Sync the knowledge index; return its report, or ``{"ok": False, "error": …}``.

    Args:
        engine: the database just written.
        settings: whose ``data_dir`` holds the index.
        what: what changed, for the log ("catalog import", "correction 12").
    """
    try:
        from assistant.knowledge.index import sync

        return sync(engine, settings).as_dict()
    except Exception as exc:  # derived data: a failure here must not undo or hide the committed change
        log.exception("knowledge index not updated after %s", what)
        message = str(exc) if isinstance(exc, LiveAssistError) else f"{type(exc).__name__}: {exc}"
        return {"ok": False, "error": message}


def describe(result: dict[str, Any], saved: str = "the import") -> str:
    """One line for a person: the sync counts, or why the index was not updated.

    Args:
        result: what :func:`index_after_change` returned.
        saved: what was saved all the same ("the import", "the correction").
    """
    if result.get("ok"):
        return (f"knowledge index: {result['passages']} passages ({result['added']} added, {result['updated']} "
                f"updated, {result['removed']} removed, {result['unchanged']} unchanged) in {result['seconds']:.2f} s")
    return f"knowledge index NOT updated ({saved} itself succeeded): {result.get('error')}"
