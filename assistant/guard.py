"""The last check before anything is posted: every figure in a reply must come from a tool result.

A figure is any number written in digits or in Chinese numerals with a counter ("三件"), and any
calendar date ("12月1日", "Dec 1"), which must match a date a tool returned (month and day together,
not just two numbers that happen to appear somewhere). A reply with a figure no tool returned, or
one the planner was not confident enough about, goes to the host instead of the viewer. So does a
reply making a claim advertising law forbids (``compliance_problem``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from assistant.compose import Draft
from assistant.prompts import text
from assistant.text import chinese_numeral
from tools.base import ToolCall

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ZH_DATE = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_EN_DATE = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2})\b")
_EN_MONTHS = {m: i + 1 for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])}
_CN_NUMERAL = re.compile(r"([零一二两三四五六七八九十百千万]+)\s*(?=[件个天日号元块单双套盒支瓶包斤克号码次周月年%])")


@dataclass
class Verdict:
    action: str
    reply: str
    reason: str
    reason_vars: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.0
    blocked_figure: str | None = None


@dataclass(frozen=True)
class KnownFigures:
    numbers: frozenset[Decimal]
    dates: frozenset[tuple[int, int]]


def known_figures(calls: list[ToolCall]) -> KnownFigures:
    """Every number and date that any tool returned."""
    numbers: set[Decimal] = set()
    dates: set[tuple[int, int]] = set()

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            numbers.add(_decimal(str(value)))
        elif isinstance(value, str):
            for match in _NUMBER.finditer(value):
                numbers.add(_decimal(match.group(0)))
            for match in _ISO_DATE.finditer(value):
                dates.add((int(match.group(2)), int(match.group(3))))
            # A date written out in a tool's text (an FAQ answer: "有效期到12月31日") is returned as is.
            for match in _ZH_DATE.finditer(value):
                dates.add((int(match.group(1)), int(match.group(2))))
            for match in _EN_DATE.finditer(value):
                dates.add((_EN_MONTHS[match.group(1)[:3]], int(match.group(2))))
            for match in _CN_NUMERAL.finditer(value):
                number = chinese_numeral(match.group(1))
                if number is not None:
                    numbers.add(_decimal(str(number)))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    for call in calls:
        walk(call.result)
    return KnownFigures(frozenset(numbers), frozenset(dates))


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text).normalize()
    except InvalidOperation:
        return Decimal(0)


def unverified_figure(reply: str, known: KnownFigures) -> str | None:
    """The first figure in ``reply`` that no tool returned, or None when all are accounted for."""
    remaining = reply
    for match in _ZH_DATE.finditer(reply):
        if (int(match.group(1)), int(match.group(2))) not in known.dates:
            return match.group(0)
    remaining = _ZH_DATE.sub(" ", remaining)
    for match in _EN_DATE.finditer(remaining):
        if (_EN_MONTHS[match.group(1)[:3]], int(match.group(2))) not in known.dates:
            return match.group(0)
    remaining = _EN_DATE.sub(" ", remaining)
    for match in _NUMBER.finditer(remaining):
        if _decimal(match.group(0)) not in known.numbers:
            return match.group(0)
    for match in _CN_NUMERAL.finditer(remaining):
        value = chinese_numeral(match.group(1))
        if value is not None and _decimal(str(value)) not in known.numbers:
            return match.group(0)
    return None


def _result_text(calls: list[ToolCall]) -> str:
    return " ".join(json.dumps(c.result, ensure_ascii=False) for c in calls).lower()


def compliance_problem(reply: str, calls: list[ToolCall], lang: str) -> str | None:
    """A claim the reply must not make (``prompts/<lang>/compliance.yaml``), or None.

    Absolute and medical claims advertising law forbids are never posted; promises, discounts and
    superlatives only when a tool returned those very words (the merchant's own data, quoted).
    """
    lowered = reply.lower()
    rules = text(lang, "never", document="compliance"), text(lang, "unless_quoted", document="compliance")
    for term in rules[0]:
        if term.lower() in lowered:
            return term
    quoted = None
    for term in rules[1]:
        if term.lower() in lowered:
            quoted = quoted if quoted is not None else _result_text(calls)
            if term.lower() not in quoted:
                return term
    return None


def guard(draft: Draft, calls: list[ToolCall], confidence: float, threshold: float, lang: str = "zh") -> Verdict:
    """Decide what may be posted: answer, escalate (with the draft for the host), or ignore."""
    if draft.action == "ignore":
        return Verdict("ignore", "", draft.reason, draft.reason_vars, confidence)
    # Most replies to chit-chat and many escalations carry no figure: skip reading the results then.
    has_figure = _NUMBER.search(draft.text) or _CN_NUMERAL.search(draft.text)
    figure = unverified_figure(draft.text, known_figures(calls)) if has_figure else None
    if draft.action == "escalate":
        # A draft for the host must not carry an unchecked figure either.
        reply = "" if figure else draft.text
        return Verdict("escalate", reply, draft.reason, draft.reason_vars, confidence, figure)
    if figure is not None:
        return Verdict("escalate", draft.text, "unverified_figure", {"figure": figure}, min(confidence, 0.3), figure)
    claim = compliance_problem(draft.text, calls, lang)
    if claim is not None:
        return Verdict("escalate", draft.text, "compliance", {"claim": claim}, min(confidence, 0.3))
    if confidence < threshold:
        return Verdict("escalate", draft.text, "low_confidence", {"confidence": f"{confidence:.2f}"}, confidence)
    return Verdict("answer", draft.text, draft.reason, draft.reason_vars, confidence)
