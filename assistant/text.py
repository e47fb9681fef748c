"""Normalising what viewers type, before anything tries to understand it.

Full-width → half-width and compatibility forms (NFKC), traditional → simplified Chinese (OpenCC),
control characters and emoji removed, runs of repeated characters collapsed, colloquial forms
mapped to plain ones ("有木有" → "有没有"). Latin text is lower-cased for matching; the original
stays alongside for things where case matters (US state codes, single-letter sizes).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from assistant.lexicon import colloquial_rules

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
# Emoji, pictographs, dingbats, variation selectors and platform emoticon codes like [赞] or [doge].
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f1e6-\U0001f1ff\ufe0f\u20e3\u2b50\u2b55\u3030\u303d]"
)
_PLATFORM_EMOTE = re.compile(r"\[[^\[\]\s]{1,8}\]")
# Three or more of the same Han character or punctuation mark: "有有有" → "有", "？？？" → "？".
# Latin letters are left alone ("XXXL" is a size) and so are digits ("1000ml", "666").
_REPEAT = re.compile(r"([\u4e00-\u9fff!?！？~。，,.…\-—=])\1{2,}")
_SPACES = re.compile(r"\s+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-zA-Z]{2,}")


@dataclass(frozen=True)
class Normalised:
    original: str
    """The text as received, minus control characters and surrounding space."""
    text: str
    """Simplified, half-width, emoji-free, colloquialisms mapped; original case."""
    lower: str
    """``text`` lower-cased: what matchers scan."""

    @property
    def empty(self) -> bool:
        return not self.lower.strip(" ?？!！.。,，~、")


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def strip_control(text: str) -> str:
    return _CONTROL.sub("", text).strip()


def normalise(raw: str) -> Normalised:
    original = strip_control(raw)
    text = unicodedata.normalize("NFKC", original)
    text = _converter().convert(text)
    text = _PLATFORM_EMOTE.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = _REPEAT.sub(r"\1", text)
    for pattern, replacement in colloquial_rules():
        text = pattern.sub(replacement, text)
    text = _SPACES.sub(" ", text).strip()
    return Normalised(original=original, text=text, lower=text.lower())


def han_count(text: str) -> int:
    return len(_HAN.findall(text))


def latin_words(text: str) -> list[str]:
    return _LATIN_WORD.findall(text)


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None
