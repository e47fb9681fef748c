"""Rendering the texts in ``prompts/`` (zh and en), strictly.

Templates are Jinja2 with ``StrictUndefined``: a template naming a variable the code did not pass
raises at once, so a wording change that breaks a reply fails a test, not a live answer.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
import yaml

from prompts import PROMPTS_DIR

LANGS = ("zh", "en")
_env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=16)
def _document(lang: str, name: str) -> dict[str, Any]:
    path = PROMPTS_DIR / lang / f"{name}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=2048)
def _templates(lang: str, name: str, key: str) -> tuple[jinja2.Template, ...]:
    node: Any = _document(lang, name)
    for part in key.split("."):
        node = node[part]
    wordings = node if isinstance(node, list) else [node]
    if not wordings or not all(isinstance(w, str) for w in wordings):
        raise KeyError(f"{lang}/{name}.yaml: {key} is not a template")
    return tuple(_env.from_string(w) for w in wordings)


def render(lang: str, key: str, document: str = "replies", *, variant: int = 0, **variables: Any) -> str:
    """Render ``key`` (dotted, e.g. "stock.low") from ``prompts/<lang>/<document>.yaml``.

    A key may hold a list of wordings with the same facts; ``variant`` picks one (repeated answers
    in a room vary their wording, because platforms block identical messages as spam).
    """
    wordings = _templates(lang if lang in LANGS else "zh", document, key)
    return wordings[variant % len(wordings)].render(**variables)


def wordings(lang: str, key: str, document: str = "replies") -> int:
    """How many wordings ``key`` has."""
    return len(_templates(lang if lang in LANGS else "zh", document, key))


def text(lang: str, key: str, document: str = "replies") -> Any:
    """A raw entry (a mapping or a string) from a prompts file."""
    node: Any = _document(lang if lang in LANGS else "zh", document)
    for part in key.split("."):
        node = node[part]
    return node


def reason(lang: str, key: str, **variables: Any) -> str:
    return render(lang, key, document="reasons", **variables)
