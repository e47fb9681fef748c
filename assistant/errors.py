"""The project's exceptions, one tree, so adapters (CLI, HTTP) translate them in one place each.

::

    LiveAssistError                 base; carries a message a user can act on
    ├── CatalogError                 a catalog file is refused whole; .problems lists (json_path, message)
    ├── NotFound                     an unknown room, SKU, warehouse or link number (HTTP 404)
    ├── InvalidInput                 a value a user typed is unusable (HTTP 422)
    ├── StorageError                 the database failed or is unreachable (HTTP 503)
    └── KnowledgeUnavailable         the knowledge index (chromadb) or the embedding model failed

Outside libraries' errors become ours at exactly one point: SQLAlchemy's in ``db.py``, chromadb's
and the embedding model's in ``knowledge/index.py``.
Data problems inside a tool ("no such SKU") are not exceptions for the pipeline: the tool boundary
turns :class:`tools.base.ToolFailure` into a result the planner can act on.
"""

from __future__ import annotations


class LiveAssistError(Exception):
    """Base class; ``str(error)`` is shown to users as is."""


class CatalogError(LiveAssistError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        lines = [f"{path}: {message}" if path else message for path, message in problems[:20]]
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__("catalog refused, nothing was written:\n  " + "\n  ".join(lines) + more)


class NotFound(LiveAssistError):
    pass


class InvalidInput(LiveAssistError):
    pass


class StorageError(LiveAssistError):
    pass


class KnowledgeUnavailable(LiveAssistError):
    """The knowledge index cannot be built or searched; catalog data and the text path are unaffected."""


class SpeechUnavailable(LiveAssistError):
    pass
