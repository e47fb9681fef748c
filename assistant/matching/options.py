"""Which of a product's option values a text names: colours, sizes, shades, flavours, capacities…

The catalog decides the option names and values; built-in colour and size words come on top, so
"黑的", "black" and "黑色" all find "曜石黑", and "2XL", "XXL" and "加加大" all find whichever
spelling the catalog uses. Parts of a value count too ("豆沙" finds "03 豆沙", "01色号" finds
"01 正红"), and a term shared by several values selects all of them.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from assistant.catalog.snapshot import ProductInfo
from assistant.matching.sizes_colours import (
    all_colour_words,
    colour_concepts,
    colour_words_for,
    is_colour_option,
    is_size_option,
    size_key,
    size_spellings,
)
from assistant.matching.terms import TermIndex, overlaps

_SPLIT = re.compile(r"[\s/|·,，、()（）\[\]【】\-_+:：;；]+")
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z\u4e00-\u9fff]+)$")
_UNIT_SYNONYMS = [
    {"m", "米", "meter", "meters", "metre", "metres"}, {"ml", "毫升"}, {"l", "升", "liter", "litre", "liters", "litres"},
    {"g", "克"},
    {"kg", "公斤", "千克"}, {"cm", "厘米"}, {"mm", "毫米"}, {"gb", "g"}, {"tb", "t"},
    {"inch", "inches", "寸", "英寸", "in"}, {"oz", "盎司", "ounce", "ounces"}, {"w", "瓦", "watt", "watts"}, {"mah"},
    {"hours", "hour", "hrs", "hr", "h", "小时"}, {"ft", "feet", "foot", "英尺", "'", "’"},
    {"mp", "megapixel", "megapixels"},
]
# Parts of multi-word values that say nothing on their own ("full size" must not answer "which size").
_STOP_TOKENS = {"the", "and", "with", "without", "for", "of", "in", "to", "a", "an", "or", "size", "sizes", "color",
                "colour", "full", "type", "style", "set", "pack", "piece", "pieces", "standard", "regular", "none",
                "yes", "no", "one", "new", "basic", "款", "色", "号", "码", "装"}
_NUMBER_CONTEXT_AFTER = set("码号色#的款寸装条只支")
_QUESTION_AFTER = ("还", "有", "呢", "吗", "?", "？", "")
_NUMBER_CONTEXT_BEFORE = ("size", "尺码", "码数", "色号", "#", "号", "要", "拍")
_WEAK_HAN_AFTER = set("色的款码号还有吗呢和跟与或/、,，?？! ")


@dataclass(frozen=True)
class OptionValue:
    option: str
    value: str


@dataclass
class OptionMentions:
    """What a text said about a product's options."""

    selected: dict[str, list[str]] = field(default_factory=dict)
    """Option name → the catalog values named, in catalog order."""
    spans: list[tuple[int, int]] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    """Option name → a size or colour the viewer named that this product does not have (``size`` or
    ``color`` when the product has no option of that kind at all)."""


class OptionVocabulary:
    """Terms for one product's option values."""

    def __init__(self, product: ProductInfo) -> None:
        self.product = product
        self.index: TermIndex[OptionValue] = TermIndex()
        self.kinds: dict[str, str] = {}
        self.distinctive: set[str] = set()
        """Terms specific enough to name this product on their own: whole values, codes, quantities."""
        self._names = {name.lower() for name in product.option_names}
        for name in product.option_names:
            values = product.option_values(name)
            kind = "size" if is_size_option(name, values) else "colour" if is_colour_option(name, values) else "other"
            self.kinds[name] = kind
            for value in values:
                self._add_value(name, value, kind)
            if kind == "other":
                self._add_runs(name, values)
        self.model_options = [name for name, kind in self.kinds.items()
                              if kind == "other" and _code_like(product.option_values(name))]
        """Options whose values are model codes ("iPhone 15"): a code the text names that is none of them
        is a model the product is not made for."""
        self.hash_codes = {int(m.group(1)) for name in product.option_names for value in product.option_values(name)
                           if (m := _HASH_CODE.match(value.strip()))}
        """The numbers of values written as codes ("#05 脏橘" → 5): "#5" names one of them, not link 5."""
        coded = [value.strip() for name in product.option_names if _all_coded(product.option_values(name))
                 for value in product.option_values(name)]
        self.code_widths = {len(m.group(0)) for value in coded if (m := _LEADING_ZERO_CODE.match(value.lstrip("#＃")))}
        """How many digits the codes are padded to ("01 正红" → 2); empty when the product has no numbered
        values, or they are not padded. "#06" in that shape is a code, whether or not the product has it."""
        self.index.compile()

    def _add_value(self, name: str, value: str, kind: str) -> None:
        payload = OptionValue(name, value)
        self.index.add(value, payload)
        # A colour no lexicon knows ("燕麦色", "Sage") is this product's own word, as specific as a flavour.
        if kind == "other" or (kind == "colour" and not colour_concepts(value)):
            self.distinctive.add(value.strip().lower())
            self._add_prefixes(value, payload)
        if kind == "colour" and value.endswith("色") and len(value) >= 3:
            self.index.add(value[:-1], payload)  # "燕麦" for "燕麦色", "香槟" for "香槟色"
        tokens = [t for t in _SPLIT.split(value.lower()) if t and t not in _STOP_TOKENS and t not in self._names]
        if len(tokens) > 1:
            for token in tokens:
                self._add_token(token, payload)
        if kind == "size":
            key = size_key(value)
            if key:
                for spelling in size_spellings(key):
                    single = len(spelling) == 1
                    self.index.add(spelling, payload, weak_check=_single_letter_size if single else None)
            elif re.fullmatch(r"\d+(\.\d+)?", value.strip()):
                self.index.add(value.strip(), payload, weak_check=_number_in_context)
                if value.strip().isdigit() and 0 < int(value) < 100:  # "四十码" is 40
                    self.index.add(_chinese_number(int(value)), payload, weak_check=_number_in_context)
        if kind == "colour":
            for concept in colour_concepts(value):
                for word in colour_words_for(concept):
                    self.index.add(word, payload, weak_check=_weak_han if _is_single_han(word) else None)
        self._add_quantity_forms(value, payload)

    def _add_runs(self, name: str, values: list[str]) -> None:
        """Viewers drop the start of a model name: "16 pro max", "16promax", "pro max" for "iPhone 16
        Pro Max". Every run of two or more of a value's words is a term; a run that ends a value
        names only the values it ends ("16 pro" is the 16 Pro, not also the 16 Pro Max)."""
        ends: dict[str, list[str]] = {}
        inside: dict[str, list[str]] = {}
        for value in values:
            words = [w for w in _SPLIT.split(value.lower()) if w]
            for start in range(len(words)):
                for stop in range(start + 2, len(words) + 1):
                    run = words[start:stop]
                    if all(w.isdigit() or w in _STOP_TOKENS for w in run):
                        continue
                    for term in _spellings(run):
                        (ends if stop == len(words) else inside).setdefault(term, []).append(value)
        for term in ends.keys() | inside.keys():
            for value in ends.get(term) or inside[term]:
                self.index.add(term, OptionValue(name, value))
                self.distinctive.add(term)

    def _add_prefixes(self, value: str, payload: OptionValue) -> None:
        """Viewers shorten long Chinese values: "美式" for "美式黑咖啡", "雾霾" for "雾霾蓝"."""
        for chunk in re.findall(r"[\u4e00-\u9fff]{3,}", value):
            for length in range(2, len(chunk)):
                self.index.add(chunk[:length], payload)

    def _add_token(self, token: str, payload: OptionValue) -> None:
        if token[:1] in "#＃" and token[1:].isdigit():  # a shade code "#04": also "#4", "04号", "4号色"
            for form in {token[1:], str(int(token[1:]))}:
                self.index.add("#" + form, payload)
                self.index.add(form, payload, weak_check=_number_in_context)
                self.distinctive.add("#" + form)
            return
        if token.isdigit():
            for form in {token, str(int(token))}:
                self.index.add(form, payload, weak_check=_number_in_context)
                self.distinctive.add(form)
        elif len(token) >= 2:
            self.index.add(token, payload)
            if any(ch.isdigit() for ch in token) or (not token.isascii() and len(token) >= 2):
                self.distinctive.add(token)

    def _add_quantity_forms(self, value: str, payload: OptionValue) -> None:
        """"1.5m床" is also "1.5米" and "1米5"; "500ml" is also "500毫升"; "128GB" is also "128g";
        "5 ft" is also "5ft"; "2.0m" is also "2m"."""
        lowered = value.lower()
        for token in {*_SPLIT.split(lowered), lowered.replace(" ", "")}:
            match = _QUANTITY.match(token) or _QUANTITY.match(re.sub(r"[\u4e00-\u9fff]+$", "", token))
            if not match:
                continue
            number, unit = match.groups()
            units = set(next((group for group in _UNIT_SYNONYMS if unit in group), {unit}))
            if len(unit) > 1 and (not unit.isascii() or not unit[1:].isascii()):
                head = unit[0]  # "60袋装" is also "60袋"; "1.5m床" is also "1.5m", "1.5米"
                units |= next((group for group in _UNIT_SYNONYMS if head in group), {head})
            numbers = {number, number[:-2]} if number.endswith(".0") else {number}
            for figure in numbers:
                for synonym in units:
                    # "6'" is a 6 ft cable, but "5'9" is a height
                    check = _not_inches if synonym in ("'", "’") else None
                    self.index.add(figure + synonym, payload, weak_check=check)
                    if check is None:
                        self.index.add(f"{figure} {synonym}", payload)
                        self.distinctive.update({figure + synonym, f"{figure} {synonym}"})
            if "." in number and units & {"m", "米"}:
                whole, frac = number.split(".")
                self.index.add(f"{whole}米{frac}", payload)
            if units & {"m", "米"}:
                for spoken in _metres_in_chinese(number):  # "一米八" is 1.8m here, not a height
                    self.index.add(spoken, payload)
                    self.distinctive.add(spoken)
            for figure in numbers:
                # "燕麦1.8发浙江": a decimal is specific enough alone, unless it reads as money or weight
                check = _decimal_in_context if "." in figure else _number_in_context
                self.index.add(figure, payload, weak_check=check)

    def find(self, text: str, exclude: list[tuple[int, int]]) -> OptionMentions:
        """The option values ``text`` names (``text`` normalised, any case)."""
        mentions = OptionMentions()
        lowered = text.lower()
        by_span: dict[tuple[int, int], list[OptionValue]] = {}
        for hit in self.index.find(text, exclude):
            by_span.setdefault((hit.start, hit.end), []).append(hit.payload)
        chosen: dict[str, set[str]] = {}
        for span, payloads in by_span.items():
            for payload in self._one_option(payloads, lowered):
                chosen.setdefault(payload.option, set()).add(payload.value)
            mentions.spans.append(span)
        for name, values in chosen.items():
            order = self.product.option_values(name)
            mentions.selected[name] = [v for v in order if v in values]
        taken = exclude + mentions.spans
        for kind, term in _generic_mentions(text, taken).items():
            for name, option_kind in self.kinds.items():
                if option_kind == kind and name not in mentions.selected:
                    mentions.unavailable[name] = term
            if kind not in self.kinds.values() and not mentions.selected:
                # "有没有XL" of a lip glaze that comes in shades only: a size it cannot have.
                mentions.unavailable[_KIND_OPTION[kind]] = term
        for name, term, span in [*self._unknown_values(text, taken), *self._unknown_models(text, taken)]:
            if name not in mentions.selected and name not in mentions.unavailable:
                mentions.unavailable[name] = term
                mentions.spans.append(span)
        return mentions

    def _one_option(self, payloads: list[OptionValue], lowered: str) -> list[OptionValue]:
        """A word two options share ("brown" for frame and lens colour): the option the text names
        ("brown lenses"), else the product's first such option."""
        options = {p.option for p in payloads}
        if len(options) <= 1:
            return payloads
        named = {o for o in options if any(token in lowered for token in _name_tokens(o))}
        keep = named or {next(o for o in self.product.option_names if o in options)}
        return [p for p in payloads if p.option in keep]

    def _unknown_values(self, text: str, exclude: list[tuple[int, int]]) -> list[tuple[str, str, tuple[int, int]]]:
        """Values of this product's kind of option that it does not come in: "32码", "100ml", "麻辣味"."""
        found = []
        for pattern, matches_option in self._unknown_patterns():
            for match in pattern.finditer(text):
                if any(match.start() < e and s < match.end() for s, e in exclude):
                    continue
                if pattern is _FLAVOUR and (match.group(0)[0] in "有的是么什要拍买这那"
                                            or not _NOT_A_FLAVOUR.isdisjoint(match.group(0)[:2])):
                    continue  # the two characters before 味 must be the flavour itself, not "有麻" or "几种"
                for name in self.product.option_names:
                    if matches_option(name, match):
                        found.append((name, match.group(0).strip(), match.span()))
                        break
        return found

    def _unknown_models(self, text: str, exclude: list[tuple[int, int]]) -> list[tuple[str, str, tuple[int, int]]]:
        """A model code the product is not made for: "mate60" when the models are iPhones. Only for
        options whose values are themselves codes of letters and digits."""
        if not self.model_options:
            return []
        found = []
        for match in _MODEL_CODE.finditer(text):
            code = match.group(0)
            if overlaps(match.span(), exclude) or size_key(code) or sum(ch.isdigit() for ch in code) > 4:
                continue
            found.append((self.model_options[0], code, match.span()))
        return found

    def hash_code_spans(self, text: str, link_numbers: Collection[int] = ()) -> list[tuple[int, int]]:
        """Spans of "#N" in ``text`` that read as a code of this product's shade-like values, not a
        link number: one of its "#"-written codes ("#05" or "#5" of "#05 脏橘"), a code in the padded
        shape of its codes ("#06" of "01 正红…"), or a number no link has ("#6" in a store without
        link 6) — a shade it may lack. Only for values written with "#" or padded with zeros: "#8" of
        nuts in "15袋装" is still link 8."""
        if not self.hash_codes and not self.code_widths:
            return []
        spans = []
        for match in _HASH_CODE.finditer(text):
            digits = match.group(1)
            number = int(digits)
            padded = digits.startswith("0") and len(digits) in self.code_widths
            if number in self.hash_codes or padded or number not in link_numbers:
                spans.append(match.span())
        return spans

    def _unknown_patterns(self):  # type: ignore[no-untyped-def]
        values = {name: self.product.option_values(name) for name in self.product.option_names}

        def numeric_size(name: str, _match: re.Match[str]) -> bool:
            return self.kinds[name] == "size" or any(re.fullmatch(r"\d+(\.\d+)?", v.strip()) for v in values[name])

        def same_unit(name: str, match: re.Match[str]) -> bool:
            # A length in another unit is still a length: "1米" of a bear sold in 30/45/60cm.
            unit = _LENGTHS.get(_unit_group(match.group(2).lower()), _unit_group(match.group(2).lower()))
            return any(_LENGTHS.get(_unit_group(m.group(2).lower()), _unit_group(m.group(2).lower())) == unit
                       for v in values[name] if (m := _QUANTITY_ANY.search(v.lower())))

        def flavour(name: str, _match: re.Match[str]) -> bool:
            return name.lower() in _FLAVOUR_NAMES or any(v.endswith("味") for v in values[name])

        def coded(name: str, _match: re.Match[str]) -> bool:
            # "01 正红", "#03 枫叶红": values numbered like shades, so "02色号" is a shade it lacks.
            return _all_coded(values[name])

        return ((_SIZE_NUMBER, numeric_size), (_QUANTITY_ANY, same_unit), (_FLAVOUR, flavour), (_CODE_ASKED, coded))

    def resolve(self, name: str | None, term: str) -> tuple[str, list[str]] | None:
        """Map a requested value (exact, any case, or any term for it) to catalog values.

        Returns:
            ``(option name, values)``, or None when no value of that option (or of any option,
            when ``name`` is None or unknown) matches.
        """
        names = [name] if name in self.kinds else list(self.kinds)
        wanted = term.strip().lower()
        for option in names:
            exact = [v for v in self.product.option_values(option) if v.lower() == wanted]
            if exact:
                return option, exact
        hits = self.index.find(term, [])
        for option in names:
            values = {h.payload.value for h in hits if h.payload.option == option}
            if not values:
                # A tool caller is not a viewer: a bare "XL" or "01" needs no context here.
                values = {p.value for t, ps in self.index.entries.items() if t == wanted
                          for p in ps if p.option == option}
            if values:
                return option, [v for v in self.product.option_values(option) if v in values]
        return None


_SIZE_NUMBER = re.compile(r"(?<![\d.])\d{1,3}(?:\.5)?\s*码|(?<![a-z])size\s*\d{1,3}(?:\.5)?(?![\d])", re.IGNORECASE)
_QUANTITY_ANY = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)\s*(ml|毫升|l|升|g|克|kg|公斤|gb|tb|米|m|cm|厘米|寸|inch(?:es)?|袋|包|条|片|粒|瓶|支|hours?|hrs?|小时|mah|ft|mp)(?![a-z])",
    re.IGNORECASE)
# "荔枝口味" names 荔枝, not "枝口"; the longer form is tried first at each position.
_FLAVOUR = re.compile(r"(?:[\u4e00-\u9fff]{2}口味|[\u4e00-\u9fff]{2}味)(?!道)")
_NOT_A_FLAVOUR = frozenset("几哪些种什么多少样款个啥")
"""Characters of a question, not of a flavour: "有几种口味", "哪些口味", "多少种口味" list the flavours."""
_CODED_VALUE = re.compile(r"[#＃]?\d{1,3}(?:\s+|(?=[\u4e00-\u9fff]))\S")
# A numbered value asked for: "02色号", "2号色", "#02", or "02" with its leading zero ("02有吗").
_CODE_ASKED = re.compile(r"(?<![\d.a-z#＃])(?:[#＃]\s*\d{1,3}|\d{1,3}\s*(?:色号|号色|号)(?!码)|0\d(?=\s*(?:还有|有|呢|吗|[?？]|$)))",
                         re.IGNORECASE)
_LENGTHS = {"m": "length", "cm": "length", "mm": "length", "'": "length", "in": "length"}
"""Units of length (by their synonym group's first spelling: "'" is feet, "in" inches), one kind."""
_FLAVOUR_NAMES = {"flavor", "flavour", "flavors", "口味", "味道", "taste", "风味"}
_GENERIC_NAME_WORDS = {"color", "colour", "size", "type", "style", "material"}


_HASH_CODE = re.compile(r"[#＃]\s*(\d{1,4})(?!\d)")
_LEADING_ZERO_CODE = re.compile(r"0\d{1,2}(?!\d)")
_CN_DIGITS = "零一二三四五六七八九"
_MODEL_CODE = re.compile(r"(?<![a-z0-9])(?:[a-z]+\d+[a-z0-9]*|\d+[a-z]+[a-z0-9]*)(?![a-z0-9])", re.IGNORECASE)


def _all_coded(values: list[str]) -> bool:
    """Every value numbered like a shade: "01 正红", "#03 枫叶红"."""
    return bool(values) and all(_CODED_VALUE.match(v.strip()) for v in values)


def _metres_in_chinese(number: str) -> list[str]:
    """"1.8" → ["一米八"], "2.0" and "2" → ["两米", "二米"], "1.35" → ["一米三五"]; [] beyond 9 metres."""
    whole, _, frac = number.partition(".")
    frac = frac.rstrip("0")
    if not whole.isdigit() or not 0 < int(whole) < 10 or (frac and not frac.isdigit()):
        return []
    heads = ["两", "二"] if whole == "2" else [_CN_DIGITS[int(whole)]]
    return [head + "米" + "".join(_CN_DIGITS[int(d)] for d in frac) for head in heads]


def _not_inches(text: str, start: int, end: int) -> bool:
    """"6'" alone is six feet of something; "5'9" (feet and inches) is a height."""
    return not text[end:end + 2].strip()[:1].isdigit()


def _decimal_in_context(text: str, start: int, end: int) -> bool:
    """"1.8" alone names a 1.8m bed, but not "1.8元", "¥1.8" or "1.8斤"."""
    after = text[end:end + 3].lower().lstrip()
    before = text[max(0, start - 1):start]
    if before in ("¥", "$", "￥") or (start and (text[start - 1].isdigit() or text[start - 1] == ".")):
        return False
    return not after.startswith(("元", "块", "斤", "kg", "公斤", "g", "克", "折", "%", "倍", "w", "万"))


def _chinese_number(n: int) -> str:
    """1 → "一", 12 → "十二", 40 → "四十", 38 → "三十八" (1–99)."""
    tens, ones = divmod(n, 10)
    if not tens:
        return _CN_DIGITS[ones]
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def _code_like(values: list[str]) -> bool:
    """Most values mix letters and digits ("iPhone 15", "S24 Ultra", "RTX 4060")."""
    coded = sum(1 for v in values if re.search(r"[a-z]", v, re.IGNORECASE) and re.search(r"\d", v)
                and not _QUANTITY.match(v.lower().replace(" ", "")))  # "6 ft", "100W" are amounts, not models
    return bool(values) and coded >= max(2, len(values) * 0.6)


def _spellings(words: list[str]) -> set[str]:
    """A run of words written with or without each space ("iphone16 pro", "16promax"), for runs of
    up to four words (longer ones keep their spaces, or none)."""
    if len(words) > 4:
        return {" ".join(words), "".join(words)}
    forms = {words[0]}
    for word in words[1:]:
        forms = {form + sep + word for form in forms for sep in ("", " ")}
    return forms


def _unit_group(unit: str) -> str:
    for group in _UNIT_SYNONYMS:
        if unit in group:
            return min(group)
    return unit


def _name_tokens(option: str) -> set[str]:
    """Words in an option's name that a viewer would use to point at it: "lens color" → {"lens"}."""
    words = {w for w in re.split(r"[\s_/-]+", option.lower()) if w and w not in _GENERIC_NAME_WORDS}
    return {w[:-1] if w.endswith("s") else w for w in words if len(w) >= 2}


def _is_single_han(word: str) -> bool:
    return len(word) == 1 and "\u4e00" <= word <= "\u9fff"


def _weak_han(text: str, start: int, end: int) -> bool:
    """A lone colour character counts only when it reads as a colour: "黑的", "黑L", "要黑"."""
    after = text[end] if end < len(text) else " "
    return after in _WEAK_HAN_AFTER or after.isascii()


def _single_letter_size(text: str, start: int, end: int) -> bool:
    """"M" or "L" alone is a size when written in capitals, or followed by 码/号, or after "size"."""
    letter = text[start:end]
    before = text[max(0, start - 6):start].lower()
    after = text[end] if end < len(text) else ""
    if start and text[start - 1] in "'’":
        return False  # "I'm", "I'll"
    return letter.isupper() or after in ("码", "号") or before.rstrip().endswith(("size", "尺码", "码"))


def _number_in_context(text: str, start: int, end: int) -> bool:
    """A bare number names an option value only where it reads as one: "28码", "size 8", "01色号",
    or a code with a leading zero or three digits asked about on its own ("03还有吗", "750?")."""
    after = text[end] if end < len(text) else ""
    before = text[max(0, start - 5):start].lower().rstrip()
    if start and (text[start - 1].isdigit() or text[start - 1] == "."):
        return False
    if after in _NUMBER_CONTEXT_AFTER or before.endswith(_NUMBER_CONTEXT_BEFORE):
        return True
    token = text[start:end]
    distinctive = token.startswith("0") or len(token) >= 3
    return distinctive and after in _QUESTION_AFTER


_KIND_OPTION = {"size": "size", "colour": "color"}
"""The option a size or colour word asks about, for a product that has no option of that kind."""

_GENERIC: TermIndex[str] | None = None


def _generic_index() -> TermIndex[str]:
    """Colour and size words in general, to notice a value the product does not offer."""
    global _GENERIC
    if _GENERIC is None:
        index: TermIndex[str] = TermIndex()
        for word, _concept in all_colour_words():
            if not _is_single_han(word):
                index.add(word, "colour")
        for key in ("1XS", "2XS", "1XL", "2XL", "3XL", "4XL", "5XL", "6XL"):
            for spelling in size_spellings(key):
                index.add(spelling, "size")
        for key in ("0XS", "0XM", "0XL"):
            for spelling in size_spellings(key):
                index.add(spelling, "size", weak_check=_single_letter_size if len(spelling) == 1 else None)
        index.compile()
        _GENERIC = index
    return _GENERIC


def _generic_mentions(text: str, exclude: list[tuple[int, int]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for hit in _generic_index().find(text, exclude):
        found.setdefault(hit.payload, text[hit.start:hit.end])
    return found


