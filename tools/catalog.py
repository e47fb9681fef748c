"""Finding a product and reading what the catalog says about it."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from assistant import lexicon
from assistant.catalog.snapshot import ProductInfo, StoreSnapshot
from assistant.matching import vocabulary
from tools.base import ToolContext, ToolFailure, ToolResult, tool


class ProductSummary(ToolResult):
    sku: str
    title: str
    title_en: str | None
    link_no: int | None
    matched_by: str
    """link_no, sku, title, alias, fuzzy or on_air."""
    score: float
    price: float
    """The product's price; variants may differ (see price_min/price_max)."""
    price_min: float
    price_max: float
    currency: str
    presale_ship_date: dt.date | None
    ship_within_hours: int | None
    options: dict[str, list[str]]
    """Option name → the values this product comes in."""
    has_size_chart: bool


class ProductMatches(ToolResult):
    query: str | None
    link_no: int | None
    product: ProductSummary | None
    """The product meant, when one is clearly meant."""
    candidates: list[ProductSummary]
    """Other close matches, when the query was ambiguous."""


def money(cents: int) -> float:
    return round(cents / 100, 2)


def summarise(store: StoreSnapshot, product: ProductInfo, matched_by: str, score: float) -> ProductSummary:
    prices = [v.price_cents for v in product.variants] or [product.price_cents]
    return ProductSummary(
        sku=product.sku, title=product.title, title_en=product.title_en, link_no=product.link_no,
        matched_by=matched_by, score=score, price=money(product.price_cents), price_min=money(min(prices)),
        price_max=money(max(prices)), currency=store.currency, presale_ship_date=product.presale_ship_date,
        ship_within_hours=product.ship_within_hours,
        options={name: product.option_values(name) for name in product.option_names},
        has_size_chart=bool(product.size_chart),
    )


@tool
def find_product(ctx: ToolContext, query: str | None = None, link_no: int | None = None,
                 on_air: bool = False) -> ProductMatches:
    """Find the product a viewer means: by link number, SKU, title, alias or a fuzzy name match.

    Args:
        query: words naming the product ("卫衣", "hoodie", "Water Bottle", a SKU).
        link_no: the number the host calls out ("3号链接" → 3).
        on_air: true to take the product the host is presenting now.
    """
    store = ctx.store
    if link_no is not None:
        sku = store.by_link_no.get(link_no)
        if sku is None:
            raise ToolFailure("unknown_link_no", f"there is no link number {link_no}",
                              link_numbers=sorted(store.by_link_no))
        return ProductMatches(query=query, link_no=link_no,
                              product=summarise(store, store.products[sku], "link_no", 1.0), candidates=[])
    if query:
        found = vocabulary(store).products.search(query)
        if not found:
            raise ToolFailure("no_match", f"no product matches {query!r}")
        top_sku, top_score, via = found[0]
        others = [summarise(store, store.products[s], v, sc) for s, sc, v in found[1:]]
        clear = via != "fuzzy" or not others or top_score - others[0].score >= 0.15
        top = summarise(store, store.products[top_sku], via, top_score)
        return ProductMatches(query=query, link_no=None, product=top if clear else None,
                              candidates=others if clear else [top, *others])
    if on_air:
        if ctx.on_air_sku is None or ctx.on_air_sku not in store.products:
            raise ToolFailure("nothing_on_air", "no product is on air in this room")
        return ProductMatches(query=None, link_no=None,
                              product=summarise(store, store.products[ctx.on_air_sku], "on_air", 1.0),
                              candidates=[])
    raise ToolFailure("invalid_arguments", "give a query, a link_no, or on_air=true")


class ProductFacts(ToolResult):
    sku: str
    title: str
    topic: str | None
    facts: dict[str, Any]
    """The facts that answer the topic (all facts when no topic was given)."""
    all_fact_keys: list[str]
    options: dict[str, list[str]] = {}
    """When no fact answers the topic: the product's options that do, with their values ("多大" of a
    teddy bear that comes in 30/45/60cm)."""


@tool
def product_facts(ctx: ToolContext, product_sku: str, topic: str | None = None) -> ProductFacts:
    """What the catalog says about a product: material, care, shelf life, origin, net content…

    Args:
        product_sku: the product, from find_product.
        topic: what the viewer asks about, in their words or as a topic name
            (material, care, fit, shelf_life, net_content, origin, storage, ingredients, warranty,
            thickness, taste, size_info, skin, battery, water, noise); empty for all facts.
    """
    product = ctx.store.products.get(product_sku)
    if product is None:
        raise ToolFailure("unknown_product", f"unknown product SKU {product_sku!r}")
    facts = product.facts
    if topic:
        keys = fact_keys_for(topic, list(facts)) or facts_saying(topic, facts)
        if not keys:
            # The product's own options may be the answer: "多大" of a bear sold by 尺寸 30cm/45cm/60cm.
            names = fact_keys_for(topic, product.option_names)
            if names:
                return ProductFacts(sku=product.sku, title=product.title, topic=topic, facts={},
                                    all_fact_keys=list(product.facts),
                                    options={n: product.option_values(n) for n in names})
            raise ToolFailure("no_such_fact", f"the catalog says nothing about {topic!r} for {product.title}",
                              known=list(facts))
        facts = {k: product.facts[k] for k in keys}
    return ProductFacts(sku=product.sku, title=product.title, topic=topic, facts=facts, all_fact_keys=list(product.facts))


def topic_of(text: str) -> str | None:
    """The fact topic a question asks about ("什么材质" → "material"), or None."""
    found = topic_word(text)
    return found[0] if found else None


def topic_asked(text: str) -> str | None:
    """What a question asks about, as ``product_facts`` takes it: the topic's name, or the short form
    itself when the question used one ("does it have ANC" → "anc": ENC is another feature)."""
    found = topic_word(text)
    if found is None:
        return None
    name, word = found
    return word if word in _short_forms(name) else name


@lru_cache(maxsize=64)
def _short_forms(name: str) -> frozenset[str]:
    return frozenset(w.lower() for w in lexicon.topics()[name].get("short", []))


@lru_cache(maxsize=20_000)
def topic_word(text: str) -> tuple[str, str] | None:
    """The fact topic a question asks about and the word that says so ("什么材质" → material, 材质).

    Asked several times for each new message, over the whole topic lexicon: worked out once per text.
    """
    lowered = text.lower()
    best: tuple[str, str] | None = None
    for name, word, pattern in _topic_words():
        if word in lowered and (pattern is None or pattern.search(lowered)) \
                and (best is None or len(word) > len(best[1])):
            best = (name, word)
    return best


@lru_cache(maxsize=1)
def _topic_words() -> list[tuple[str, str, re.Pattern[str] | None]]:
    """(topic, word, pattern) for every asking word of the lexicon, short forms included. An English
    word must stand as a word ("charge", "charges", not inside "chargers"; "anc", not inside
    "ancient"): its pattern says so; Han words match anywhere."""
    found = []
    for name, entry in lexicon.topics().items():
        for word in [*entry["ask"], *entry.get("short", [])]:
            word = word.lower()
            english = word[-1:].isascii() and word[-1:].isalnum()
            pattern = re.compile(rf"(?<![a-z]){re.escape(word)}(?:s|es|d|ed|ing)?(?![a-z])") if english else None
            found.append((name, word, pattern))
    return found


def fact_keys_for(topic: str, keys: list[str]) -> list[str]:
    """The keys (fact keys or option names) a topic or a viewer's words name ("多大" → "尺寸").

    An English hint names a key when its words are whole words of the key, a key's word may be the
    hint's plural, and a long hint may begin a longer word ("colorfast" → "colorfastness"): "age" is
    no part of "storage", "net" none of "cabinet". A Chinese hint may stand anywhere in the key.
    """
    topics = lexicon.topics()
    if topic in keys and topic not in topics:
        return [topic]  # the catalog's own key, named by the viewer ("鞋面", "keeps_cold")
    name = topic if topic in topics else topic_of(topic)
    hints = _hints(name) if name else _hint_words([topic.lower()])
    return [key for key in keys if _names_key(key, hints)]


@lru_cache(maxsize=4096)
def key_topics(key: str) -> tuple[str, ...]:
    """The lexicon topics whose hints name a catalog key ("净含量" → net_content, "battery_life" → battery)."""
    return tuple(name for name in lexicon.topics() if _names_key(key, _hints(name)))


def gives_amount(key: str) -> bool:
    """Whether a fact key names a topic that gives an amount ("battery", "保修", "shelf_life_months"):
    a word in its value other than the amount qualifies it ("40 hours with ANC on")."""
    topics = lexicon.topics()
    return any(topics[name].get("amount") for name in key_topics(key))


def facts_saying(topic: str, facts: dict[str, Any]) -> list[str]:
    """When no key names a topic, the facts whose value says it in the topic's own words: a short
    form as a whole word in any case ("ANC" in "features: Hybrid ANC", "IPX5"), or a Chinese asking
    word ("主动降噪"); a short form the viewer used, only that one ("ANC" is not "ENC"). A fact
    giving an amount of something else is not about it ("battery: 40 hours with ANC on" does not
    say whether it has ANC; it says how long the battery lasts)."""
    topics = lexicon.topics()
    name = topic if topic in topics else topic_of(topic)
    if name is None:
        return []
    said = _saying(name, topic.lower() if topic.lower() in _short_forms(name) else None)
    if said is None:
        return []
    pattern, chinese = said
    found = []
    for key, value in facts.items():
        if not isinstance(value, (str, list)) or gives_amount(key):
            continue
        text = (value if isinstance(value, str) else " ".join(map(str, value))).lower()
        if (pattern is not None and pattern.search(text)) or any(word in text for word in chinese):
            found.append(key)
    return found


def says_something_asked(question: str, key: str, value: Any) -> bool:
    """Whether a question shares a word with a fact (its key, its value, or how viewers ask about its
    topic), beyond the words that only say how it is asked: a fact found by meaning must be about
    something the viewer said. "洗了会褪吗" shares 洗 with "care: 首次单独冷水洗涤，可能轻微掉色";
    "does it support aptx" shares nothing with "battery: 20 hours with ANC on"."""
    english, han = _asked_words(question.lower())
    fact_english, fact_han = _fact_words(key, str(value))
    return bool(english & fact_english or han & fact_han)


_EN_WORD = re.compile(r"[a-z][a-z0-9]{2,}")
_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=1)
def _how_asked() -> tuple[frozenset[str], frozenset[str]]:
    data = lexicon.question_words()
    english = {_stem(w) for w in data["en_words"]} | {
        _stem(w) for w in ("does", "did", "have", "has", "the", "and", "for", "with", "you", "your", "are", "was",
                           "its", "it's", "about", "from", "like", "just", "also", "really", "very", "work")}
    return frozenset(english), frozenset(data["zh_chars"])


def _asked_words(lowered: str) -> tuple[frozenset[str], frozenset[str]]:
    english, han = _how_asked()
    return (frozenset(_stem(w) for w in _EN_WORD.findall(lowered)) - english,
            frozenset(_HAN_CHAR.findall(lowered)) - han)


@lru_cache(maxsize=4096)
def _fact_words(key: str, value: str) -> tuple[frozenset[str], frozenset[str]]:
    topics = lexicon.topics()
    asked = [w for name in key_topics(key) for w in topics[name]["ask"]]
    return _asked_words(" ".join([key.replace("_", " "), value, *asked]).lower())


@lru_cache(maxsize=256)
def _saying(topic: str, only: str | None) -> tuple[re.Pattern[str] | None, tuple[str, ...]] | None:
    """(the pattern of the topic's short forms, its Chinese asking words), compiled once; ``only``:
    that short form and nothing else."""
    entry = lexicon.topics()[topic]
    short = [only] if only else [w.lower() for w in entry.get("short", [])]
    chinese = () if only else tuple(w for w in entry["ask"] if not w.isascii() and len(w) >= 2)
    if not short and not chinese:
        return None
    # "IPX5", "ANC": the short form, figures may follow, no letter or figure before or letter after.
    pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, short)) + r")\d*(?![a-z])") if short else None
    return pattern, chinese


@lru_cache(maxsize=64)
def _hints(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    entry = lexicon.topics()[name]
    return _hint_words([h.lower() for h in [*entry["keys"], *entry.get("short", [])]])


def _hint_words(hints: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each hint with its English words (none for a Chinese hint)."""
    return tuple((h, tuple(_WORD_SPLIT.split(h.strip("_- "))) if h.isascii() else ()) for h in hints)


_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def _key_words(key: str) -> tuple[str, tuple[str, ...]]:
    lowered = key.lower().strip()
    return lowered, tuple(w for w in _WORD_SPLIT.split(lowered) if w)


def _names_key(key: str, hints: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    lowered, words = _key_words(key)
    for hint, hint_words in hints:
        if lowered == hint or (not hint_words and not hint.isascii() and hint in lowered):
            return True
        n = len(hint_words)
        if n and any(all(_same_word(words[i + j], hint_words[j]) for j in range(n)) for i in range(len(words) - n + 1)):
            return True
    return False


def _same_word(word: str, hint: str) -> bool:
    return word == hint or word in (hint + "s", hint + "es") or (len(hint) >= 5 and word.startswith(hint))
