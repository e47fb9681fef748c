"""Store policy, answered from the merchant's own FAQ and nothing else."""

from __future__ import annotations

import math
import re
from collections import Counter

from rapidfuzz import fuzz

from assistant.catalog.snapshot import StoreSnapshot
from assistant.matching import vocabulary
from assistant.text import normalise
from tools.base import ToolContext, ToolFailure, ToolResult, tool

_MIN_SCORE = 0.45
_WORD = re.compile(r"[a-z0-9]{2,}")
_STOP = {"do", "you", "your", "the", "is", "are", "can", "to", "a", "an", "of", "for", "it", "we", "i", "my",
         "what", "how", "does", "there", "any", "in", "on", "if", "be", "have", "has", "will", "and", "or"}
_HAN = re.compile(r"[\u4e00-\u9fff]+")


class FaqMatch(ToolResult):
    question: str
    answer: str
    score: float
    mentions_place: bool = False
    """The entry names a place the question names (e.g. both say Hong Kong / 香港)."""


class PolicyAnswer(ToolResult):
    asked: str
    match: FaqMatch | None
    """The FAQ entry that answers the question, when one clearly does."""
    candidates: list[FaqMatch]


def _features(text: str) -> set[str]:
    lowered = normalise(text).lower
    grams = {chunk[i:i + 2] for chunk in _HAN.findall(lowered) for i in range(len(chunk) - 1)}
    grams |= {chunk for chunk in _HAN.findall(lowered) if len(chunk) == 1}
    return grams | (set(_WORD.findall(lowered)) - _STOP)


class FaqIndex:
    def __init__(self, store: StoreSnapshot) -> None:
        self.faqs = store.faqs
        self.features = [_features(f.question) for f in store.faqs]
        self.answer_features = [_features(f.answer) for f in store.faqs]
        frequency = Counter(g for fs in self.features for g in fs)
        count = max(1, len(self.faqs))
        self.idf = {g: math.log(1 + count / n) for g, n in frequency.items()}
        places = vocabulary(store).places
        self.places = [self._regions(places, f.question + " " + f.answer) for f in store.faqs]
        self.place_words = places

    @staticmethod
    def _regions(places, text: str) -> set[str]:  # type: ignore[no-untyped-def]
        found, spans = set(), []
        lowered = normalise(text).text
        while True:
            hit = places.find(lowered, spans, shipping_context=True)
            if hit is None:
                return found
            found.add(hit.region)
            spans.append(hit.span)

    def rank(self, question: str) -> list[FaqMatch]:
        asked = _features(question)
        asked_places = self._regions(self.place_words, question)
        scored = []
        for i, faq in enumerate(self.faqs):
            common = asked & self.features[i]
            weight = sum(self.idf.get(g, 1.0) for g in asked) or 1.0
            cover = sum(self.idf.get(g, 1.0) for g in common) / weight
            in_answer = len(asked & self.answer_features[i]) / max(1, len(asked)) * 0.6
            fuzzy = fuzz.partial_ratio(normalise(question).lower, normalise(faq.question).lower) / 100 * 0.8
            score = max(cover, in_answer, fuzzy if len(question) >= 4 else 0.0)
            same_place = bool(asked_places & self.places[i])
            if same_place:
                score = max(score, 0.5) + 0.3
            scored.append(FaqMatch(question=faq.question, answer=faq.answer, score=round(min(score, 1.0), 3),
                                   mentions_place=same_place))
        scored.sort(key=lambda m: m.score, reverse=True)
        return scored


@tool
def store_policy(ctx: ToolContext, question: str) -> PolicyAnswer:
    """Answer a store-policy question (returns, shipping fees, invoices, authenticity…) from the FAQ.

    Args:
        question: the viewer's question, in their words.
    """
    if not ctx.store.faqs:
        raise ToolFailure("no_faqs", "this store has no FAQ")
    ranked = ctx.store.derived("faq_index", FaqIndex).rank(question)
    best = ranked[0] if ranked and ranked[0].score >= _MIN_SCORE else None
    if best and len(ranked) > 1 and ranked[1].score > best.score - 0.05 and ranked[1].answer != best.answer:
        best = None  # two different answers fit about equally: a person should choose
    return PolicyAnswer(asked=question, match=best, candidates=ranked[:3])
