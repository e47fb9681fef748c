"""Store policy, answered from the merchant's own FAQ and nothing else."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from rapidfuzz import fuzz

from assistant import lexicon
from assistant.catalog.snapshot import StoreSnapshot
from assistant.matching import vocabulary
from assistant.text import normalise
from tools.base import ToolContext, ToolFailure, ToolResult, tool

_MIN_SCORE = 0.4
"""A question already read as store policy ("do you take paypal") needs less of the entry's words."""
_WORD = re.compile(r"[a-z0-9]{2,}")
_STOP = {"do", "you", "your", "the", "is", "are", "can", "to", "a", "an", "of", "for", "it", "we", "i", "my",
         "what", "how", "does", "there", "any", "in", "on", "if", "be", "have", "has", "will", "and", "or"}
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_PIECE_WEIGHT = {"·": 0.5, "§": 3.0}
"""A single character weighs half a pair ("用" says less than "试用"); a policy topic ("§returns") says
most of all what a question is about."""


class FaqMatch(ToolResult):
    question: str
    answer: str
    score: float
    mentions_place: bool = False
    """The entry names a place the question names (e.g. both say Hong Kong / 香港)."""
    topical: bool = True
    """The entry shares what the question is about (a word beyond question words, a policy topic or
    a place); an entry sharing only "多少" or "when … ship" is not an answer, whatever its score."""


class PolicyAnswer(ToolResult):
    asked: str
    match: FaqMatch | None
    """The FAQ entry that answers the question, when one clearly does."""
    candidates: list[FaqMatch]


def _has_han(text: str) -> bool:
    return _HAN.search(text) is not None


def _stem(word: str) -> str:
    """Enough English stemming for FAQ matching: "internationally" ~ "international", "orders" ~ "order"."""
    for suffix, keep in (("ally", "al"), ("ies", "y"), ("ing", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + keep
    return word


def _features(text: str) -> set[str]:
    """Han character pairs and single characters (Chinese has no spaces to split words on; pairs catch
    words, characters catch what pairs split), and English word stems."""
    lowered = normalise(text).lower
    chunks = _HAN.findall(lowered)
    grams = {chunk[i:i + 2] for chunk in chunks for i in range(len(chunk) - 1)}
    grams |= {"·" + ch for chunk in chunks for ch in chunk}
    # The rule both sides are about, whatever their words ("能退吗" and "七天无理由退换"): one feature each.
    topics = {"§" + name for name, words in lexicon.policy_topics().items()
              if any(_says(lowered, word.lower()) for word in words)}
    return grams | topics | {_stem(w) for w in _WORD.findall(lowered) if w not in _STOP}


@lru_cache(maxsize=1)
def _question_words() -> tuple[frozenset[str], frozenset[str]]:
    """Han characters and English stems that say how a question is asked, not what it is about."""
    data = lexicon.question_words()
    chars = set(data["zh_chars"]) | {ch for word in data["zh_words"] for ch in word}
    # Pairs run across words ("什么时候发货" has "候发"): a pair of two such characters says nothing either.
    return frozenset(chars), frozenset(_stem(w) for w in data["en_words"]) | frozenset(_STOP)


def _is_topic(feature: str) -> bool:
    """Whether a shared feature says what a question is about: a policy topic, a Han pair that is not
    a question word ("礼品", "电池", not "多少"), an English word that is not one ("receipt", not "ship")."""
    if feature.startswith("§"):
        return True
    if feature.startswith("·"):
        return False
    chars, words = _question_words()
    if _HAN.fullmatch(feature):
        return not all(ch in chars for ch in feature)
    return feature not in words and not feature.isdigit()


def _says(lowered: str, word: str) -> bool:
    if word.isascii():
        return re.search(rf"\b{re.escape(word)}\b", lowered) is not None
    return word in lowered


class FaqIndex:
    """The FAQ as weighted word pieces (Han character pairs, English words), rare pieces weighing most.

    A question matches an entry by how much of what it asks the entry's question covers, with the
    entry's answer counting half (a viewer asking "可以发顺丰吗" is answered by the entry that says
    顺丰 in its answer, whatever its question's wording); a place named on both sides counts extra.
    """

    def __init__(self, store: StoreSnapshot) -> None:
        self.faqs = store.faqs
        self.questions = [_features(f.question) for f in store.faqs]
        self.answers = [_features(f.answer) - q for f, q in zip(store.faqs, self.questions, strict=True)]
        frequency = Counter(g for q, a in zip(self.questions, self.answers, strict=True) for g in q | a)
        count = max(1, len(self.faqs))
        self.idf = {g: math.log(1 + count / n) for g, n in frequency.items()}
        # A piece no entry has says little either way (many are pairs across two words: "以发").
        self.unseen = sorted(self.idf.values())[len(self.idf) // 2] if self.idf else 1.0
        places = vocabulary(store).places
        self.places = [self._regions(places, f.question + " " + f.answer) for f in store.faqs]
        self.place_words = places

    @staticmethod
    def _regions(places, text: str) -> set[str]:  # type: ignore[no-untyped-def]
        found, spans = set(), []
        lowered = normalise(text).text
        if "港澳台" in lowered:  # one word for three regions
            found |= {"香港", "澳门", "台湾"}
        while True:
            hit = places.find(lowered, spans, shipping_context=True)
            if hit is None:
                return found
            found.add(hit.region)
            spans.append(hit.span)

    def rank(self, question: str) -> list[FaqMatch]:
        asked = _features(question)
        if not asked:
            return []
        weight = {g: self.idf.get(g, self.unseen) * _PIECE_WEIGHT.get(g[0], 1.0) for g in asked}
        total = sum(weight.values())
        asked_places = self._regions(self.place_words, question)
        plain = normalise(question).lower
        scored = []
        for i, faq in enumerate(self.faqs):
            in_question = sum(weight[g] for g in asked & self.questions[i]) / total
            in_answer = sum(weight[g] for g in asked & self.answers[i]) / total
            # The answer's words count less than the question's, unless they are what decides it
            # ("do you take paypal": the payment entry's answer lists PayPal).
            score = max(in_question + 0.5 * in_answer, 0.8 * (in_question + in_answer))
            if len(plain) >= 8:
                # Close wording helps, but only a little: "ship to Canada" is not "ship to Alaska".
                score = max(score, fuzz.partial_ratio(plain, normalise(faq.question).lower) / 100 * 0.5)
            if any(g.startswith("§") for g in asked & self.questions[i]):
                score = max(score, 0.45)  # the entry's question is about the rule asked of ("能退吗")
            same_place = bool(asked_places & self.places[i])
            if same_place:
                score = max(score, 0.5) + 0.3
            # Only question words in common ("多少钱" and "运费多少"): not an answer, however close.
            topical = same_place or any(_is_topic(g) for g in asked & (self.questions[i] | self.answers[i]))
            if _has_han(question) != _has_han(faq.question + faq.answer):
                score -= 0.1  # of two entries that fit, the one in the viewer's language
            scored.append(FaqMatch(question=faq.question, answer=faq.answer, score=round(min(score, 1.0), 3),
                                   mentions_place=same_place, topical=topical))
        scored.sort(key=lambda m: (m.topical, m.score), reverse=True)
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
    return PolicyAnswer(asked=question, match=_best(ranked), candidates=ranked[:3])


def faq_answer(store: StoreSnapshot, question: str) -> FaqMatch | None:
    """The FAQ entry that answers ``question``, as :func:`store_policy` would pick it; None if none does."""
    return _best(store.derived("faq_index", FaqIndex).rank(question)) if store.faqs else None


def faq_topical(text: str, match: FaqMatch) -> bool:
    """Whether ``text`` shares something it is about with an FAQ entry (not only question words)."""
    return any(_is_topic(g) for g in _features(text) & _features(match.question + " " + match.answer))


def _best(ranked: list[FaqMatch]) -> FaqMatch | None:
    best = ranked[0] if ranked and ranked[0].topical and ranked[0].score >= _MIN_SCORE else None
    if best and len(ranked) > 1 and ranked[1].topical and ranked[1].score > best.score - 0.05 \
            and ranked[1].answer != best.answer:
        best = None  # two different answers fit about equally: a person should choose
    return best
