"""Which of a product's options a viewer asks to have listed: "what colours do you have", "有哪些色号",
"how many sizes", "颜色有几个", "jacket sizes?".

The words for each kind of option and the cues that ask for a list are data
(``lexicon/option_words.yaml``); the product's own option names are words for them too ("Wattage",
"图案"). A kind of option the product does not have ("what colours" of a charger sold by wattage) is
found as well, so that the reply can say it does not come in colours. The patterns are built once
per product; a message costs a few searches of compiled patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant import lexicon
from assistant.catalog.snapshot import ProductInfo

_GENERIC_NAME_WORDS = {"size", "type", "color", "colour"}
_PARTICLES = "呢吗呀啊嘛"


@dataclass(frozen=True)
class AskedOption:
    option: str | None
    """The product's option whose values to list; None when it has no option of the kind asked about."""
    kind: str
    """The kind of option asked about ("color", "size", "shade", …), or the option's own name."""
    said: str
    """The word the viewer used ("colours", "色号")."""


class OptionQuestions:
    """Listing questions about one product's options."""

    def __init__(self, product: ProductInfo, kinds: dict[str, str]) -> None:
        """``kinds``: option name → "size", "colour" or "other", as its values read (OptionVocabulary)."""
        data = lexicon.option_words()
        self.terms: dict[str, tuple[str | None, str]] = {}
        """A word for an option (lower case) → (the product's option or None, the kind of option)."""
        for name in product.option_names:
            key = name.lower().strip()
            own = {key, key + "s", key + "es"}
            own |= {w for w in key.split() if len(w) >= 4 and w not in _GENERIC_NAME_WORDS}  # "screen size"
            for term in own:
                self.terms.setdefault(term, (name, name))
        for kind, words in data["kinds"].items():
            option = _option_of_kind(product, kind, [w.lower() for w in words], kinds, data["size_like"])
            for word in words:
                self.terms.setdefault(word.lower(), (option, kind))
        cues = data["listing"]
        ascii_terms = _alternation(t for t in self.terms if t.isascii())
        han_terms = _alternation(t for t in self.terms if not t.isascii())
        english = rf"(?<![a-z])(?P<term>{ascii_terms})(?:e?s)?(?![a-z])"
        either = rf"(?:(?P<term>{han_terms})|(?<![a-z])(?P<ascii>{ascii_terms})(?:e?s)?(?![a-z]))"
        # One space between words: the text is normalised, so a wider gap is a value blanked out
        # ("size 8 left?" is a size named, not "sizes left?").
        between = rf"(?: (?:{_alternation(cues['en_between'])})){{0,3}}"
        # The cue before the word is tried first: "这个色有哪些码" asks for sizes ("哪些码"), not colours.
        self._patterns = [re.compile(p, re.IGNORECASE) for p in (
            rf"(?<![a-z])(?:{_alternation(cues['en_before'])}){between} {english}",
            rf"(?:{_alternation(cues['zh_before'])})的?{either}",
            rf"{english} (?:{_alternation(cues['en_after'])})(?![a-z])",
            rf"{either} ?(?:{_alternation(cues['zh_after'])})",
        )]

    def others(self, masked: str) -> bool:
        """Whether the values named are the ones not wanted ("除了黑色还有什么颜色", "other colors than black")."""
        return _others().search(masked) is not None

    def find(self, masked: str, bare: str | None = None) -> AskedOption | None:
        """The option ``masked`` asks to have listed (lower case, the product's name and option values
        blanked out), or None. ``bare``: the one word asked beside the product's name ("sizes?",
        "颜色"), which must name an option on its own."""
        if _judging().search(masked):
            return None
        for pattern in self._patterns:
            match = pattern.search(masked)
            if match:
                return self._asked(match.group("term") or match.group("ascii"))
        if bare:
            word = bare.rstrip(_PARTICLES)
            for term in (word, word[:-1] if word.endswith("s") else None, word[:-2] if word.endswith("es") else None):
                if term and term in self.terms:
                    return self._asked(term)
        return None

    def _asked(self, term: str) -> AskedOption:
        option, kind = self.terms[term.lower()]
        return AskedOption(option, kind, term)


@lru_cache(maxsize=1)
def _judging() -> re.Pattern[str]:
    words = lexicon.option_words()["listing"]["judging"]
    ascii_words = _alternation(w.lower() for w in words if w.isascii())
    han_words = _alternation(w for w in words if not w.isascii())
    return re.compile(rf"(?<![a-z])(?:{ascii_words})(?![a-z])|{han_words}")


@lru_cache(maxsize=1)
def _others() -> re.Pattern[str]:
    words = lexicon.option_words()["listing"]["others"]
    return re.compile(rf"(?<![a-z])(?:{_alternation(w.lower() for w in words)})(?![a-z])")


def _option_of_kind(product: ProductInfo, kind: str, words: list[str], kinds: dict[str, str],
                    size_like: list[str]) -> str | None:
    """The product's option of a kind: named for it ("Colorway", "颜色"), else holding its values (a
    colour option called "款色"), else, for sizes, one that sizes the product ("Capacity", "长度")."""
    names = {name: name.lower().strip() for name in product.option_names}
    for name, key in names.items():
        if kind in key or key in words:
            return name
    wanted = {"color": "colour", "size": "size"}.get(kind)
    for name in names:
        if wanted is not None and kinds.get(name) == wanted:
            return name
    if kind == "size":
        for name, key in names.items():
            if key in size_like or any(word in key for word in size_like if word.isascii()):
                return name
    return None


def _alternation(words) -> str:  # type: ignore[no-untyped-def]
    """Literal words as one alternation, longest first ("colours" before "colour")."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) or r"(?!x)x"
