"""Built-in word lists: colloquial forms, colours, sizes, intent cues, fact topics, kinds of product, places,
the words for kinds of option and how their values are asked to be listed.

These are data the matchers read (not text shown to people, which lives in ``prompts/``). Each is
loaded once per process, on first use. The catalog adds its own words on top (see
``assistant/vocabulary.py``); nothing here names a product or a store.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent


def _yaml(name: str) -> Any:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def colloquial_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), replacement) for pattern, replacement in _yaml("colloquial.yaml"))


@lru_cache(maxsize=1)
def colours() -> dict[str, dict[str, list[str]]]:
    return _yaml("colours.yaml")


@lru_cache(maxsize=1)
def sizes() -> dict[str, Any]:
    return _yaml("sizes.yaml")


@lru_cache(maxsize=1)
def intents() -> dict[str, Any]:
    return _yaml("intents.yaml")


@lru_cache(maxsize=1)
def topics() -> dict[str, dict[str, list[str]]]:
    return _yaml("topics.yaml")


@lru_cache(maxsize=1)
def policy_topics() -> dict[str, list[str]]:
    return _yaml("policy_topics.yaml")


@lru_cache(maxsize=1)
def product_types() -> dict[str, list[str]]:
    return _yaml("product_types.yaml")


@lru_cache(maxsize=1)
def places() -> dict[str, Any]:
    return json.loads((HERE / "places.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def question_words() -> dict[str, Any]:
    return _yaml("question_words.yaml")


@lru_cache(maxsize=1)
def option_words() -> dict[str, Any]:
    return _yaml("option_words.yaml")
