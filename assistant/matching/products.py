"""Which product a text names: a link number, a SKU, a title or alias, or a fuzzy match.

Exact names win. The fuzzy match weighs the parts of each name a text contains (Han character
pairs, English words, typos forgiven by rapidfuzz), each weighted by how rare it is across the
store, with the head noun counting double, because Chinese product names end in what the thing is
("加绒连帽**卫衣**") and English ones mostly do too ("Office **Chair**").
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from assistant.catalog.snapshot import StoreSnapshot
from assistant.matching.sizes_colours import all_colour_words
from assistant.matching.terms import TermIndex
from assistant.text import chinese_numeral

_CN_NUM = "零一二两三四五六七八九十"
_LINK = re.compile(
    rf"(?:(?P<a>\d{{1,4}}|[{_CN_NUM}]{{1,3}})\s*号\s*(?:链接|链|link|宝贝|商品|产品|车)"
    rf"|(?:链接|link|no\.|number|num\.?)\s*#?\s*(?P<b>\d{{1,4}}|[{_CN_NUM}]{{1,3}})(?!\d)(?:\s*[号个])?"
    rf"|(?<![\w#])[#＃]\s*(?P<c>\d{{1,4}})(?!\d))",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"[（(【\[].*?[)）】\]]")
_WORD = re.compile(r"[a-z0-9]{2,}")
_STOP_WORDS = {"the", "and", "for", "with", "set", "new", "pro", "you", "have", "still", "any", "what",
               "how", "when", "ship", "size", "color", "colour", "much", "price", "this", "that", "one",
               # question words that must never be "corrected" into a product name ("stock" is not "socks")
               "stock", "left", "available", "shipping", "order", "orders", "deliver", "delivery", "does", "come",
               "sizes", "colors", "colours", "there", "they", "long", "days", "today", "tomorrow", "where", "which",
               "more", "other", "some", "want", "need", "please", "thanks", "cost", "many", "sold", "out"}
_FUZZY_ACCEPT = 0.4
_FUZZY_MARGIN = 0.15


@dataclass(frozen=True)
class ProductMention:
    sku: str | None
    """None when a link number was named that the catalog does not have."""
    via: str
    said: str
    span: tuple[int, int]
    score: float
    link_no: int | None = None


def chinese_number(text: str) -> int | None:
    """"3" → 3, "十二" → 12, "二十" → 20, "两" → 2."""
    return int(text) if text.isdigit() else chinese_numeral(text)


def find_link_no(text: str) -> tuple[int, tuple[int, int]] | None:
    match = _LINK.search(text)
    if not match:
        return None
    raw = match.group("a") or match.group("b") or match.group("c")
    number = chinese_number(raw)
    return (number, match.span()) if number is not None else None


def _bigrams(text: str) -> set[str]:
    han = re.sub(r"[^\u4e00-\u9fff]+", " ", text)
    return {chunk[i:i + 2] for chunk in han.split() for i in range(len(chunk) - 1)}


def _parts(name: str) -> list[str]:
    """A name's parts, in order: Han pairs and English words (lower-case)."""
    name = _BRACKETS.sub(" ", name.lower())
    parts: list[str] = []
    for chunk in re.findall(r"[\u4e00-\u9fff]+|[a-z0-9]+", name):
        if "\u4e00" <= chunk[0] <= "\u9fff":
            parts.extend(chunk[i:i + 2] for i in range(len(chunk) - 1))
        elif len(chunk) >= 2 and chunk not in _STOP_WORDS and not chunk.isdigit():
            parts.append(chunk)
    return parts


class ProductVocabulary:
    def __init__(self, store: StoreSnapshot) -> None:
        self.store = store
        self.exact: TermIndex[tuple[str, str]] = TermIndex()
        names: dict[str, list[list[str]]] = defaultdict(list)
        for product in store.products.values():
            self.exact.add(product.sku, (product.sku, "sku"))
            for name, via in [(product.title, "title"), (product.title_en or "", "title"),
                              *[(alias, "alias") for alias in product.aliases]]:
                if len(name.strip()) >= 2:
                    self.exact.add(name, (product.sku, via))
                    if _plural(name) is not None:
                        self.exact.add(_plural(name), (product.sku, via))  # type: ignore[arg-type]
                    parts = _parts(name)
                    if parts:
                        names[product.sku].append(parts)
        self.exact.compile()
        self.names = dict(names)
        noise = {w for w, _ in all_colour_words() if len(w) == 2}
        document_frequency: dict[str, int] = defaultdict(int)
        for name_parts in self.names.values():
            for part in {p for parts in name_parts for p in parts}:
                document_frequency[part] += 1
        total = max(1, len(self.names))
        self.weight = {p: 0.0 if p in noise else math.log(1 + total / n) for p, n in document_frequency.items()}
        self.words = sorted({p for p in self.weight if p.isascii() and len(p) >= 4})
        # Part → (product, name number, the part's weight in that name); and each name's total.
        self.postings: dict[str, list[tuple[str, int, float]]] = defaultdict(list)
        self.totals: dict[tuple[str, int], float] = {}
        for sku, name_parts in self.names.items():
            for n, parts in enumerate(name_parts):
                weights = [self.weight[p] * (2.0 if i == len(parts) - 1 else 1.0) for i, p in enumerate(parts)]
                self.totals[(sku, n)] = sum(weights)
                for part, weight in zip(parts, weights, strict=True):
                    self.postings[part].append((sku, n, weight))

    def find(self, text: str, exclude: list[tuple[int, int]]) -> ProductMention | None:
        link = find_link_no(text)
        unknown_link: ProductMention | None = None
        if link and not any(link[1][0] < e and s < link[1][1] for s, e in exclude):
            number, span = link
            sku = self.store.by_link_no.get(number)
            mention = ProductMention(sku, "link_no", text[span[0]:span[1]], span, 1.0 if sku else 0.0, number)
            if sku is not None or text[span[0]] not in "#＃":
                return mention
            # "唇釉 #6有吗" where no link 6 exists: a name said beside it is the product, "#6" its shade.
            unknown_link = mention
        hits = self.exact.find(text, exclude)
        if hits:
            best = max(hits, key=lambda h: (h.end - h.start, h.payload[1] == "sku"))
            skus = {h.payload[0] for h in hits if h.term == best.term}
            if len(skus) == 1:
                return ProductMention(best.payload[0], best.payload[1], text[best.start:best.end],
                                      (best.start, best.end), 1.0)
        if unknown_link is not None:
            return unknown_link
        masked = _mask(text.lower(), exclude)
        return self._fuzzy(masked)

    def search(self, query: str, limit: int = 5) -> list[tuple[str, float, str]]:
        """Products for a free-text query: ``(sku, score, via)``, best first."""
        query = query.strip()
        if not query:
            return []
        by_sku = self.store.products.get(query) or next(
            (p for p in self.store.products.values() if p.sku.lower() == query.lower()), None)
        if by_sku:
            return [(by_sku.sku, 1.0, "sku")]
        found = self.find(query, [])
        results: list[tuple[str, float, str]] = []
        if found and found.sku:
            results.append((found.sku, found.score, found.via))
        for sku, score in self._scores(query.lower()):
            if score >= _FUZZY_ACCEPT and all(sku != r[0] for r in results):
                results.append((sku, round(score, 3), "fuzzy"))
        return results[:limit]

    def _scores(self, text: str) -> list[tuple[str, float]]:
        """Each product's best name score: the weighted share of the name's parts the text contains."""
        got: dict[tuple[str, int], float] = defaultdict(float)
        for part in _bigrams(text) | self._words(text):
            for sku, n, weight in self.postings.get(part, ()):
                got[(sku, n)] += weight
        best: dict[str, float] = {}
        for key, value in got.items():
            total = self.totals[key]
            if total > 0 and value > 0:
                best[key[0]] = max(best.get(key[0], 0.0), value / total)
        return sorted(best.items(), key=lambda s: s[1], reverse=True)

    def _words(self, text: str) -> set[str]:
        words = set(_WORD.findall(text)) - _STOP_WORDS
        corrected = set(words)
        for word in words:
            if len(word) >= 5 and word not in self.weight:
                # A typo keeps its first letter and most of the rest: "speker" → "speaker", but
                # "heights" is not "weights".
                match = process.extractOne(word, [w for w in self.words if w[0] == word[0]],
                                           scorer=fuzz.ratio, score_cutoff=85)
                if match:
                    corrected.add(match[0])
            if word.endswith("s") and word[:-1] in self.weight:
                corrected.add(word[:-1])  # "bottles" → "bottle"
        return corrected

    def _fuzzy(self, text: str) -> ProductMention | None:
        scores = self._scores(text)
        if not scores or scores[0][1] < _FUZZY_ACCEPT:
            return None
        if len(scores) > 1 and scores[1][1] > scores[0][1] - _FUZZY_MARGIN:
            return None
        sku, score = scores[0]
        return ProductMention(sku, "fuzzy", "", (0, 0), round(min(0.85, 0.5 + score / 2), 3))


def _plural(name: str) -> str | None:
    """An English name's plural, so "chargers" names the charger as exactly as "charger" does
    ("battery" → "batteries"); None for a name that does not end in an English word or is plural already."""
    name = name.strip()
    if not re.search(r"[a-z]{3}$", name, re.IGNORECASE) or name.lower().endswith("s"):
        return None
    lowered = name.lower()
    if lowered.endswith(("x", "ch", "sh", "z")):
        return name + "es"
    if lowered.endswith("y") and lowered[-2] not in "aeiou":
        return name[:-1] + "ies"
    return name + "s"


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)
