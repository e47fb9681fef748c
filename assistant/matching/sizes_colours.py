"""What a size or a colour value means, whichever way a catalog or a viewer spells it."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant import lexicon

_LETTER_SIZE = re.compile(r"^(?:(\d)\s*)?(x*)\s*(s|m|l)$")


def size_key(value: str) -> str | None:
    """A spelling-independent key for letter sizes: "XXL", "2XL", "xxl" → "2XL"; "M" → "0XM".

    Returns None for values that are not letter sizes (numeric sizes, "1.5m床", shades…), except
    one-size values, which all share the key "ONE".
    """
    text = value.strip().lower().replace("码", "").replace("号", "").replace(" ", "")
    if text.upper() in _one_size_values():
        return "ONE"
    word = lexicon.sizes()["words"].get(value.strip().lower())
    if word:
        return word
    match = _LETTER_SIZE.match(text)
    if not match:
        return None
    digit, xs, letter = match.groups()
    if digit and xs and len(xs) != 1:
        return None  # "2XXL" is not a size anyone sells
    count = int(digit) if digit else len(xs)
    if letter == "m" and count:
        return None  # "XM" is not a size
    return f"{count}X{letter.upper()}"


def size_spellings(key: str) -> list[str]:
    """Every way a viewer may write the size with this key (lower-case)."""
    if key == "ONE":
        return [v.lower() for v in _one_size_values() if len(v) > 2] + [
            w for w, k in lexicon.sizes()["words"].items() if k == "ONE"
        ]
    count, letter = int(key[0]), key[-1].lower()
    spellings = [("x" * count) + letter] if count else [letter]
    if count >= 2:
        spellings.append(f"{count}x{letter}")
    if count == 1:
        spellings.append(f"1x{letter}")
    spellings.extend(w for w, k in lexicon.sizes()["words"].items() if k == key)
    return spellings


@lru_cache(maxsize=1)
def _one_size_values() -> frozenset[str]:
    return frozenset(v.upper() for v in lexicon.sizes()["one_size"])


@lru_cache(maxsize=1)
def _colour_words() -> tuple[tuple[str, str], ...]:
    """(word, concept) pairs, longest word first, so "酒红" is tried before "红"."""
    pairs = [
        (word.lower(), concept)
        for concept, languages in lexicon.colours().items()
        for words in languages.values()
        for word in words
    ]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


def colour_concepts(value: str) -> set[str]:
    """The colour concepts a catalog value belongs to: "曜石黑" → {"black"}; "酒红色" → {"wine"}."""
    text = value.lower()
    found: set[str] = set()
    consumed: list[tuple[int, int]] = []
    for word, concept in _colour_words():
        start = text.find(word)
        while start != -1:
            end = start + len(word)
            if not any(start < e and s < end for s, e in consumed):
                if word.isascii() and not _ascii_word_at(text, start, end):
                    start = text.find(word, start + 1)
                    continue
                found.add(concept)
                consumed.append((start, end))
            start = text.find(word, start + 1)
    return found


def _ascii_word_at(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum() or not before.isascii() or not after.isascii()


def colour_words_for(concept: str) -> list[str]:
    return [w for w, c in _colour_words() if c == concept]


def all_colour_words() -> list[tuple[str, str]]:
    return list(_colour_words())


def colour_name_en(concept: str) -> str:
    return lexicon.colours()[concept]["en"][0]


def is_size_option(name: str, values: list[str]) -> bool:
    if name.lower() in {"size", "尺码", "码数", "尺寸", "size_cn", "sizes"}:
        return True
    keyed = sum(1 for v in values if size_key(v))
    return bool(values) and keyed >= max(2, len(values) * 0.6)


# Options that are never colours whatever their values hold: "白桃乌龙" is a flavour, not white.
_NOT_COLOUR_NAMES = {"flavor", "flavour", "flavors", "flavours", "taste", "scent", "口味", "味道", "风味", "香型",
                     "规格", "型号", "model", "capacity", "容量", "material", "材质", "length", "长度", "weight",
                     "重量", "pack", "包装", "版本", "version", "storage", "内存"}


def is_colour_option(name: str, values: list[str]) -> bool:
    lowered = name.lower().strip()
    if lowered in {"色", "色系"} or any(word in lowered for word in ("color", "colour", "颜色")):
        return True  # "Colorway", "颜色分类", "lens color"
    if lowered in _NOT_COLOUR_NAMES:
        return False
    coloured = sum(1 for v in values if colour_concepts(v))
    return bool(values) and coloured >= max(2, len(values) * 0.6)
