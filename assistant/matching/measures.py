"""Height and weight in the forms people type: "170 60kg", "一米七 120斤", "5'9 150lbs", "身高165体重50".

Returns centimetres and kilograms, and the spans used, so the numbers are not read again as
sizes or link numbers. A bare weight above 100 in a Chinese message is read as 斤 (half a
kilogram), which is how people in China usually give their weight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# "一米七" = 170, "1米65" = 165, "一米六五" = 165; the digits must follow 米 directly ("一米七 120斤" is 170).
_METRE_CN = re.compile(r"([一1])\s*米([零一二两三四五六七八九\d])([零一二两三四五六七八九\d])?(?![\d零一二两三四五六七八九十])")
_FEET = re.compile(r"(\d)\s*(?:'|’|ft|feet|foot)\s*(\d{1,2}(?![\d.]))?\s*(?:\"|”|''|in|inch|inches)?")
_HEIGHT_CM = re.compile(r"(?:身高|height|ht)?\s*[:：]?\s*(1\d{2}|2[0-2]\d|\d{2,3}\.\d)\s*(cm|厘米|公分|centimeters?)?")
_HEIGHT_M = re.compile(r"([12]\.\d{1,2})\s*(m|米|meters?)(?![a-z]|l)")
_WEIGHT = re.compile(
    r"(?:体重|weight|wt)?\s*[:：]?\s*(\d{2,3}(?:\.\d)?)\s*(kg|公斤|千克|kilos?|斤|lbs?|pounds?|磅)"
)
_WEIGHT_LABELLED = re.compile(r"(?:体重|weight|wt)\s*[:：]?\s*(\d{2,3}(?:\.\d)?)")
_PAIR = re.compile(r"(?<![\d.])(1[4-9]\d|20\d)\s*(?:cm|厘米)?\s*[/,，、\s]\s*(\d{2,3}(?:\.\d)?)(?![\d.]|\s*(?:码|号|件|天|元|块|ml|g\b))")


@dataclass
class Body:
    height_cm: float | None = None
    weight_kg: float | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return self.height_cm is not None or self.weight_kg is not None


def _cn_digit(char: str) -> int:
    return int(char) if char.isdigit() else _CN_DIGITS[char]


_BARE_HEIGHT = re.compile(r"(?<![\d.])(1[2-9]\d|20\d)(?![\d.]|\s*(?:码|号|件|元|块|ml|g|kg|斤|公斤|天))")


def find_body(text: str, *, chinese: bool, sizing: bool = False,
              exclude: list[tuple[int, int]] | None = None) -> Body:
    """Find height and weight in normalised, lower-case text.

    Args:
        text: the message, normalised and lower-cased.
        chinese: the viewer writes Chinese (a bare weight of 100 or more is then 斤, not pounds).
        sizing: the message asks which size fits, so a lone number like "170" is a height.
        exclude: spans other matchers already used (a size "150" or a bed "1.8米" is not a body).
    """
    masked = text
    for start, end in exclude or ():
        masked = masked[:start] + " " * (end - start) + masked[end:]
    body = Body()
    _height(masked, body)
    _weight(masked, body, chinese)
    if body.height_cm is None or body.weight_kg is None:
        _pair(masked, body, chinese)
    if sizing and body.height_cm is None:
        for match in _BARE_HEIGHT.finditer(masked):
            if not any(s < match.end() and match.start() < e for s, e in body.spans):
                body.height_cm = float(match.group(1))
                body.spans.append(match.span())
                break
    return body


def _height(text: str, body: Body) -> None:
    match = _METRE_CN.search(text)
    if match:
        tens = _cn_digit(match.group(2))
        ones = _cn_digit(match.group(3)) if match.group(3) else 0
        body.height_cm = 100 + tens * 10 + ones
        body.spans.append(match.span())
        return
    match = _FEET.search(text)
    if match and 4 <= int(match.group(1)) <= 7:
        inches = int(match.group(2) or 0)
        if inches < 12:
            body.height_cm = round((int(match.group(1)) * 12 + inches) * 2.54)
            body.spans.append(match.span())
            return
    match = _HEIGHT_M.search(text)
    if match:
        body.height_cm = round(float(match.group(1)) * 100)
        body.spans.append(match.span())
        return
    for match in _HEIGHT_CM.finditer(text):
        labelled = match.group(0).lstrip().startswith(("身高", "height", "ht"))
        if match.group(2) or labelled:
            value = float(match.group(1))
            if 120 <= value <= 230:
                body.height_cm = value
                body.spans.append(match.span())
                return


def _weight(text: str, body: Body, chinese: bool) -> None:
    for match in _WEIGHT.finditer(text):
        if any(s <= match.start(1) < e for s, e in body.spans):
            continue
        value, unit = float(match.group(1)), match.group(2)
        if unit == "斤":
            value /= 2
        elif unit.startswith(("lb", "pound", "磅")):
            value *= 0.4536
        body.weight_kg = round(value, 1)
        body.spans.append(match.span())
        return
    match = _WEIGHT_LABELLED.search(text)
    if match:
        body.weight_kg = _bare_weight(float(match.group(1)), chinese)
        body.spans.append(match.span())


def _pair(text: str, body: Body, chinese: bool) -> None:
    match = _PAIR.search(text)
    if not match:
        return
    first, second = match.span(1), match.span(2)
    taken = lambda span: any(s < span[1] and span[0] < e for s, e in body.spans)  # noqa: E731
    if body.height_cm is None and not taken(first):
        body.height_cm = float(match.group(1))
        body.spans.append(first)
    if body.weight_kg is None and not taken(second):
        body.weight_kg = _bare_weight(float(match.group(2)), chinese)
        body.spans.append(second)


def _bare_weight(value: float, chinese: bool) -> float:
    # "170 120" from a Chinese viewer means 120 斤 = 60 kg; 120 kg is rarely typed without a unit.
    if chinese and value >= 100:
        return round(value / 2, 1)
    if not chinese and value >= 100:
        return round(value * 0.4536, 1)  # "5'9 150" in English: pounds
    return value
