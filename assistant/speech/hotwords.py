"""The room's vocabulary as Whisper hotwords, and the check that they never put words in a mouth.

Hotwords are given to the decoder as previous-text context: it then prefers "XL" to "excel" and
"hoodie" to "hobby". The same context makes it *repeat* them when it cannot make out the audio —
the prompt echo MODELS.md warns of: "黑色 灰色 M L XL" for a robotic "黑色XL还有吗", "5号链接 5号" for
"什么时候发货", "177cm" for "170 cm". So the list is short (the product on air only: its names and
its option values) and every biased transcript is checked against a plain decode of the same audio
(:func:`check_hotwords`). On the voice eval's 72 clips, hotwords without the check put words nobody
said into 11 transcripts (26 with link numbers in the list) and doubled the wrong answers (12
against 6); with the check, none of the wrong answers or stray hotwords comes from the bias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.catalog.snapshot import ProductInfo, StoreSnapshot
from assistant.text import normalise

if TYPE_CHECKING:
    from assistant.speech.recognise import Decoded

MAX_TERMS = 12
_HAN = re.compile(r"[\u4e00-\u9fff]")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Hotwords:
    terms: tuple[str, ...]

    @property
    def prompt(self) -> str:
        return " ".join(self.terms)


def room_hotwords(store: StoreSnapshot, on_air_sku: str | None, *, max_terms: int = MAX_TERMS,
                  links: bool = False) -> Hotwords:
    """The words worth biasing towards in this room: the product on air's.

    Its shortest Chinese and English names, then its option values (colours, sizes, shades) and,
    with ``links``, its "N号链接" and the other products' (off by default: digits in the context
    made the decoder change numbers it heard, "170" → "177", on the voice eval).
    """
    terms: list[str] = []
    product = store.products.get(on_air_sku) if on_air_sku else None
    if product is not None:
        terms += _names(product)
        for name in product.option_names:
            terms += [_spoken(v) for v in product.option_values(name)]
    if links:
        on_air_link = product.link_no if product is not None else None
        terms += [f"{n}号链接" for n in sorted(store.by_link_no, key=lambda n: (n != on_air_link, n))]
    unique = list(dict.fromkeys(t.strip() for t in terms if t and t.strip()))
    return Hotwords(tuple(unique[:max_terms]))


def _names(product: ProductInfo) -> list[str]:
    han = sorted((a for a in product.aliases if _HAN.search(a)), key=len)
    latin = sorted((a for a in product.aliases if not _HAN.search(a)), key=len)
    return han[:1] + latin[:1]


def _spoken(value: str) -> str:
    """An option value as said aloud: "01 正红" is "正红"; "XL" and "110" stay as they are."""
    words = value.split()
    han = [w for w in words if _HAN.search(w)]
    return han[-1] if han else value


def tokens(text: str) -> list[str]:
    """Words for comparing transcripts: Latin words and numbers whole, Han characters one by one."""
    return _TOKEN.findall(normalise(text).lower)


def check_hotwords(biased: Decoded, plain: Decoded, hotwords: Hotwords) -> Decoded:
    """The biased decode when the hotwords only *corrected* what the plain decode heard; else the plain one.

    Aligning the two transcripts word by word (characters for Chinese), every difference must be a
    replacement of something the plain decode heard, by hotwords: "black excel" → "black XL". The
    biased text is refused when it adds hotwords where the plain decode heard nothing; replaces a
    shop word — a hotword, any colour, a size, a number ("灰色M" → "黑色XL", "白色" → "灰色": the
    plain decoder heard a word that matters, and the bias would overrule it); changes any other word;
    or agrees with the plain transcript on fewer than half of its words (the prompt echoed back).
    """
    b, p = tokens(biased.text), tokens(plain.text)
    if b == p:
        return biased
    in_b, in_p = _marked(b, hotwords.terms), _marked(p, hotwords.terms + _shop_words())
    agreed = 0
    for tag, p1, p2, b1, b2 in SequenceMatcher(a=p, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            agreed += p2 - p1
        elif tag == "insert" or not all(in_b[b1:b2]) or any(in_p[p1:p2]):
            return plain
    return biased if agreed * 2 >= len(b) else plain


def _marked(words: list[str], terms: tuple[str, ...]) -> list[bool]:
    """For each word, whether it is part of one of ``terms``; sizes and numbers always are."""
    from assistant.matching.sizes_colours import size_key

    marks = [w.isdigit() or size_key(w) is not None for w in words]
    for term in {tuple(tokens(t)) for t in terms}:
        n = len(term)
        for i in range(len(words) - n + 1) if n else ():
            if tuple(words[i:i + n]) == term:
                marks[i:i + n] = [True] * n
    return marks


@lru_cache(maxsize=1)
def _shop_words() -> tuple[str, ...]:
    """Every colour word the lexicon knows, in both languages ("白色", "white", "酒红")."""
    from assistant.matching.sizes_colours import all_colour_words

    return tuple(word for word, _ in all_colour_words())
