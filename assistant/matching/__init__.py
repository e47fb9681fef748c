"""Matching viewer words to the catalog: products, option values, places, body measures.

:func:`vocabulary` gives the matchers for a store snapshot; they are built once per catalog
version (a snapshot never changes) and shared by understanding and the tools, so a word means the
same thing to both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.catalog.snapshot import StoreSnapshot
from assistant.matching.asked import OptionQuestions
from assistant.matching.options import OptionMentions, OptionValue, OptionVocabulary
from assistant.matching.places import PlaceVocabulary
from assistant.matching.product_types import ProductTypes
from assistant.matching.products import ProductMention, ProductVocabulary
from assistant.matching.sizes_colours import all_colour_words, size_key
from assistant.matching.terms import TermIndex


@dataclass(frozen=True)
class ImpliedProduct:
    product: ProductMention
    options: OptionMentions


@dataclass
class Vocabulary:
    store: StoreSnapshot
    products: ProductVocabulary
    places: PlaceVocabulary
    _options: dict[str, OptionVocabulary] = field(default_factory=dict)
    _questions: dict[str, OptionQuestions] = field(default_factory=dict)
    _distinctive: TermIndex[tuple[str, OptionValue]] | None = None
    _types: ProductTypes | None = None

    @property
    def types(self) -> ProductTypes:
        """Kinds of product viewers ask for by name, and which of this store's products are of each."""
        if self._types is None:
            self._types = ProductTypes(self.store)
        return self._types

    def options(self, sku: str) -> OptionVocabulary:
        vocabulary = self._options.get(sku)
        if vocabulary is None:
            vocabulary = OptionVocabulary(self.store.product(sku))
            self._options[sku] = vocabulary
        return vocabulary

    def questions(self, sku: str) -> OptionQuestions:
        """How a viewer asks for product ``sku``'s option values to be listed ("有哪些颜色")."""
        questions = self._questions.get(sku)
        if questions is None:
            questions = OptionQuestions(self.store.product(sku), self.options(sku).kinds)
            self._questions[sku] = questions
        return questions

    def implied_product(self, text: str, exclude: list[tuple[int, int]]) -> ImpliedProduct | None:
        """The one product whose own option values a text names, when no product was named.

        Only distinctive words count (a shade "豆沙", a flavour "香辣", "128G"), not colour words or
        sizes, which many products share: "紫色有吗" is about the product on air, not any purple thing.
        """
        if self._distinctive is None:
            index: TermIndex[tuple[str, OptionValue]] = TermIndex()
            generic = {word for word, _ in all_colour_words()}
            for sku in self.store.products:
                words = self.options(sku)
                for term, payloads in words.index.entries.items():
                    # Only strong words: a bare number ("110") must not move a question to another product.
                    check = words.index.weak.get(term)
                    decimal = check is not None and re.fullmatch(r"\d+\.\d+", term) is not None
                    if not decimal and (term not in words.distinctive or term in generic
                                        or size_key(term) is not None or check is not None):
                        continue
                    for payload in payloads:
                        # "1.8" (a 1.8m bed) counts where it does not read as money or weight
                        index.add(term, (sku, payload), weak_check=check if decimal else None)
            index.compile()
            self._distinctive = index
        skus = {hit.payload[0] for hit in self._distinctive.find(text, exclude)}
        if len(skus) != 1:
            return None
        sku = skus.pop()
        mentions = self.options(sku).find(text, exclude)
        return ImpliedProduct(ProductMention(sku, "option", "", (0, 0), 0.85), mentions)


def _build(store: StoreSnapshot) -> Vocabulary:
    destinations = sorted({row.to_province for row in store.transit if row.to_province != "*"})
    return Vocabulary(store=store, products=ProductVocabulary(store), places=PlaceVocabulary(destinations))


def vocabulary(store: StoreSnapshot) -> Vocabulary:
    return store.derived("vocabulary", _build)


def prepare(store: StoreSnapshot) -> Vocabulary:
    """Build every matcher of this catalog now (each product's options, the distinctive option words,
    the kinds of product), so that the first viewers after a start or an import do not wait for them."""
    words = vocabulary(store)
    words.implied_product("", [])
    for sku in store.products:
        words.questions(sku)
    _ = words.types
    return words
