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
            thickness, taste, size_info, skin, battery); empty for all facts.
    """
    product = ctx.store.products.get(product_sku)
    if product is None:
        raise ToolFailure("unknown_product", f"unknown product SKU {product_sku!r}")
    facts = product.facts
    if topic:
        keys = fact_keys_for(topic, list(facts))
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
    """(topic, word, pattern) for every asking word of the lexicon. An English word must stand as a
    word ("charge", "charges", not inside "chargers"): its pattern says so; Han words match anywhere."""
    found = []
    for name, entry in lexicon.topics().items():
        for word in entry["ask"]:
            word = word.lower()
            english = word[-1:].isascii() and word[-1:].isalpha()
            pattern = re.compile(rf"(?<![a-z]){re.escape(word)}(?:s|es|d|ed|ing)?(?![a-z])") if english else None
            found.append((name, word, pattern))
    return found


def fact_keys_for(topic: str, keys: list[str]) -> list[str]:
    """The keys (fact keys or option names) a topic or a viewer's words name ("多大" → "尺寸")."""
    topics = lexicon.topics()
    if topic in keys and topic not in topics:
        return [topic]  # the catalog's own key, named by the viewer ("鞋面", "keeps_cold")
    name = topic if topic in topics else topic_of(topic)
    hints = [h.lower() for h in topics[name]["keys"]] if name else [topic.lower()]
    found = []
    for key in keys:
        key_lower = key.lower()
        words = set(key_lower.replace("-", "_").split("_"))
        if key_lower in hints or words & set(hints) or any(h in key_lower for h in hints if len(h) >= 3 or not h.isascii()):
            found.append(key)
    return found
