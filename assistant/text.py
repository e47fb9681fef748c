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
# A quantity in Chinese numerals, as option values are written in digits: "一百毫升" is "100毫升",
# "五百片" "500片", "三到六岁" "3到6岁", "一百二十斤" "120斤". Not 米, whose digits after it are
# decimals (_CN_METRES), not money or counts of items ("一件", "一百块"), which are no option value.
_CN_NUMERAL_RUN = "[零一二两三四五六七八九十百千]+"
_QUANTITY_UNIT = r"(?:毫升|千克|公斤|厘米|毫米|英寸|升|克|斤|片|岁|寸|瓦|袋|盒|瓶|粒|册|ml|kg|cm|mm|g|w)(?![a-z])"
_CN_QUANTITY = re.compile(
    rf"(?<![零一二两三四五六七八九十百千万亿第米])({_CN_NUMERAL_RUN})"
    rf"(?:(\s*[到至~\-]\s*)(?=(?:{_CN_NUMERAL_RUN}|\d+)\s*{_QUANTITY_UNIT})|(?=\s*{_QUANTITY_UNIT}))", re.IGNORECASE)
# A length in metres in Chinese numerals, as option values are written in digits: "一米" is "1米",
# "一米八" "1.8米", "两米二" "2.2米", "六十米" "60米" (the digits after 米 are decimals). A height
# reads the same way afterwards ("1.7米" is 170cm to the body reader).
_CN_DIGIT = "零一二三四五六七八九"
_CN_METRES = re.compile(
    rf"(?<![零一二两三四五六七八九十百千万亿第])({_CN_NUMERAL_RUN})米(?![色白黄])([{_CN_DIGIT}]{{1,2}})?"
    rf"(?![零一二两三四五六七八九十百千万])")  # not the colours 米色, 米白, 米黄 ("三米色的有吗")
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
    text = _CN_METRES.sub(_metres, text)
    text = _CN_QUANTITY.sub(_digits, text)
    text = _SPACES.sub(" ", text).strip()
    return Normalised(original=original, text=text, lower=text.lower())


def han_count(text: str) -> int:
    return len(_HAN.findall(text))


def latin_words(text: str) -> list[str]:
    return _LATIN_WORD.findall(text)


def has_han(text: str) -> bool:
    return _HAN.search(text) is not None


_UNIT_WORDS = frozenset(
    "mm cm km ml mg kg lb lbs oz ft in hr hrs min mins sec mah wh kwh hz khz mhz ghz db gb tb mb kb mp "
    "pcs pc bar psi dpi fps mbps nm lm".split())
"""Lower-case units and abbreviations that read the same in a Chinese sentence ("250 g", "5000mAh")."""


def other_language(text: str, lang: str) -> bool:
    """Whether ``text`` (the merchant's own words, as written) is in the other language for a viewer
    writing ``lang``, so that posting it inside their reply would not be in their language.

    Any Han character is Chinese to an English-speaking viewer. To a Chinese-speaking viewer, text
    with Han characters is Chinese (it may borrow a word: "落肩oversize版型"); text without any is
    English when it has an English word in lower case ("40 hours with ANC on", "2 years"); figures,
    units, codes and names read the same in both ("250 g", "IPX5", "SPF30 PA+++", "iPhone, MacBook").
    """
    if _HAN.search(text) is not None:
        return lang == "en"
    return lang == "zh" and any(word.islower() and word not in _UNIT_WORDS for word in _LATIN_WORD.findall(text))


def _digits(match: re.Match[str]) -> str:
    value = chinese_numeral(match.group(1))
    return (match.group(1) if value is None else str(value)) + (match.group(2) or "")


def _metres(match: re.Match[str]) -> str:
    whole = chinese_numeral(match.group(1))
    if whole is None:
        return match.group(0)
    decimals = "".join(str(_CN_DIGIT.index(char)) for char in match.group(2) or "")
    return f"{whole}.{decimals}米" if decimals else f"{whole}米"


def chinese_numeral(text: str) -> int | None:
    """"三" → 3, "二十三" → 23, "一百零五" → 105, "一百五" → 150; None for what is not a plain numeral."""
    digits = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    units = {"十": 10, "百": 100, "千": 1000, "万": 10000}
    total, current, last_unit = 0, 0, 0
    for char in text:
        if char in digits:
            if current:
                return None  # "一二" is two digits in a row, not a numeral
            current = digits[char]
        elif char in units:
            total += (current or 1) * units[char]
            current, last_unit = 0, units[char]
        else:
            return None
    if current and last_unit >= 100 and text[-2] in units:
        current *= last_unit // 10  # "一百五" is 150, "一千二" 1200
    return total + current
