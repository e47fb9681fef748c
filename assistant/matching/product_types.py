"""Kinds of product a viewer asks for by name ("有没有面膜", "do you sell phone cases"), and which of
the store's products are of that kind.

"有没有XL" and "有货吗" ask about the product on air; "有没有面膜" asks whether the store sells face
masks at all. The difference is a word for a kind of product (``lexicon/product_types.yaml``): when
the text names one, the products that carry it are those whose catalog words (title, aliases, option
values, facts) use a word of the same kind. None of them → the store does not sell it, and the
product on air must not answer for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import lexicon
from assistant.catalog.snapshot import StoreSnapshot
from assistant.matching.terms import TermIndex

# A kind-of-product word followed by one of these names a part of a product, not the product:
# "耳机孔" (a headphone jack), "电脑包" (a laptop bag), "手机支架".
_PART_AFTER = set("孔口线壳套盒袋包架座头插膜贴链绳扣垫槽位")
# The text asks about the product in hand ("这个能放微波炉吗", "does it come with earbuds",
# "is it microwave safe"): a kind named there is a feature or an extra, not something to buy.
_ABOUT_THIS = re.compile(
    r"这(个|款|件|套|台|双|把|只|条|支|瓶|盒)?(能|可以|有|带|配|送|是|适合|的)|它|自带|带不带|配不配|送不送|附送|附带|包含|含不含|"
    r"适合|兼容|能放|能装|可以放|可以装|能用|可以用|"
    r"\b(it|this|that|these|those|they|its)\b|\b(come|comes|came) with\b|\binclud\w*|\bcompatible\b|\bsafe\b|\bproof\b|"
    r"\bwork(s)? with\b|\bfit(s)?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class KindMention:
    said: str
    span: tuple[int, int]
    carriers: frozenset[str]
    """The SKUs of the store's products of that kind (empty: the store does not sell it)."""


class ProductTypes:
    """The kinds of product a store carries, and the words for them."""

    def __init__(self, store: StoreSnapshot) -> None:
        groups: dict[str, list[str]] = lexicon.product_types()
        self.index: TermIndex[str] = TermIndex()
        for kind, words in groups.items():
            for word in words:
                for form in _forms(str(word)):
                    self.index.add(form, kind)
        self.index.compile()
        self.carriers: dict[str, set[str]] = {kind: set() for kind in groups}
        for product in store.products.values():
            words = [product.title, product.title_en or "", *product.aliases]
            words += [v for name in product.option_names for v in product.option_values(name)]
            words += [f"{key} {value}" for key, value in product.facts.items()]
            text = " ".join(words).lower()
            for hit in self.index.find(text):
                self.carriers[hit.payload].add(product.sku)

    def find(self, text: str, exclude: list[tuple[int, int]]) -> KindMention | None:
        """The first kind of product ``text`` asks for as something to buy, or None."""
        if _ABOUT_THIS.search(text):
            return None
        by_span: dict[tuple[int, int], set[str]] = {}
        for hit in self.index.find(text, exclude):
            if hit.end < len(text) and text[hit.end] in _PART_AFTER:
                continue
            by_span.setdefault((hit.start, hit.end), set()).add(hit.payload)
        if not by_span:
            return None
        spans = sorted(by_span)
        start, end = spans[0]
        kinds = set(by_span[spans[0]])
        for span in spans[1:]:  # "barbie dolls": one thing, in two words of the same kind
            if span[0] >= end and not text[end:span[0]].strip() and kinds & by_span[span]:
                end = span[1]
        carriers = frozenset(sku for kind in kinds for sku in self.carriers[kind])
        return KindMention(text[start:end], (start, end), carriers)


def _forms(word: str) -> list[str]:
    """An English word and its plural ("face mask" → "face masks"; "candy" → "candies")."""
    if not word.isascii() or not word[-1:].isalpha():
        return [word]
    if word.endswith("s"):
        return [word]
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return [word, word[:-1] + "ies"]
    if word.endswith(("ch", "sh", "x")):
        return [word, word + "es"]
    return [word, word + "s"]
