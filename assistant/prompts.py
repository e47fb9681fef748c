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
def _template(lang: str, name: str, key: str) -> jinja2.Template:
    node: Any = _document(lang, name)
    for part in key.split("."):
        node = node[part]
    if not isinstance(node, str):
        raise KeyError(f"{lang}/{name}.yaml: {key} is not a template")
    return _env.from_string(node)


def render(lang: str, key: str, document: str = "replies", **variables: Any) -> str:
    """Render ``key`` (dotted, e.g. "stock.low") from ``prompts/<lang>/<document>.yaml``."""
    return _template(lang if lang in LANGS else "zh", document, key).render(**variables)


def text(lang: str, key: str, document: str = "replies") -> Any:
    """A raw entry (a mapping or a string) from a prompts file."""
    node: Any = _document(lang if lang in LANGS else "zh", document)
    for part in key.split("."):
        node = node[part]
    return node


def reason(lang: str, key: str, **variables: Any) -> str:
    return render(lang, key, document="reasons", **variables)
