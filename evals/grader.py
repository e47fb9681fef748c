"""Grading one decision against its case, on data rather than wording (see ``evals/README.md``).

A reply is read for figures: dates (``12月1日``, ``12月01日``, ``12/1``, ``Dec 1``, ``2026-12-01``),
cutoff times (``16:00``), and numbers (``23``, ``129.00``, ``$49.67``, ``三件``). Then:

- each expected fact must be stated, with the value :mod:`evals.oracle` computes;
- in an answer, every figure must be a true one for the products and orders involved: numbers
  inside catalog strings (option values such as ``01 正红`` or ``128G``, titles, fact values, FAQ
  answers, the asker's own order and tracking numbers), in the case's own text, in a link number,
  or a body measurement within the size chart's range are not figures of their own;
- a figure whose meaning the reply makes plain must be true in that meaning: a stock count the
  stock of the variants its clause names, a restock date theirs, an amount of money a price, a
  transit time a transit row, a date range a delivery window, "X从广州仓发出" Guangzhou's ship day,
  "明天（11月23日）" tomorrow, a cutoff the named warehouse's, "3个订单" the asker's order count;
- a variant the case names may not be called in stock when it has none, nor sold out when it has;
- no reply, answer or draft, may carry another viewer's order id, tracking number or their tails.

Every check errs towards passing a true reply: a value the grader cannot see in a reply (a colour
translated into English) widens what it accepts rather than narrowing it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evals.oracle import CaseError, Oracle, Product, Truth, Variant
from evals.stores import STORES

ACTIONS = ("answer", "escalate", "ignore")
FACT_FIELDS: dict[str, tuple[str, ...]] = {
    "stock": ("variant",), "restock_date": ("variant",), "ship_date": ("product",),
    "delivery": ("product", "destination"), "price": ("sku",), "order": ("order_id",),
    "size": ("product", "size"), "faq": ("question",), "fact": ("product", "key"), "not_offered": ("value",),
}

_MONTHS = {name: i + 1 for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"),
     ("november", "nov"), ("december", "dec")]) for name in names}
_EN_DATE = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) +
                      r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?", re.I)
_ZH_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASH_DATE = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/])")
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_CN_NUMBER = re.compile(r"[零一二两三四五六七八九十百千万]+(?=[件个天元块单套盒支瓶包双条袋])")
_LINK = re.compile(r"(\d+)\s*号\s*链接|链接\s*#?\s*(\d+)|#\s*(\d+)|\blink\s*(?:no\.?|number|#)?\s*(\d+)", re.I)
_BODY = re.compile(r"(\d+(?:\.\d+)?)\s*(cm|kg|厘米|公斤)", re.I)
_TAIL = re.compile(r"(?:尾号|尾数|后四位|ending(?:\s+in)?|last\s+(?:4|four)(?:\s+digits)?)\s*(?:是|为|:|#)?\s*"
                   r"([A-Za-z0-9]{4})(?![A-Za-z0-9])", re.I)
_SOLD_OUT = re.compile(r"售罄|卖完|卖光|没货|缺货|无货|没有货|断货|无库存|没库存|没有库存|"
                       r"sold out|out of stock|none left|no stock|not in stock|unavailable", re.I)
_IN_STOCK = re.compile(r"有货|有的|现货|还有\s*\d+|仅剩|只剩|剩\s*\d+|\d+\s*件|in stock|\d+\s+left|only\s+\d+|"
                       r"\d+\s+in all|available", re.I)
_COUNT_CLAIM = re.compile(r"(\d+)\s*件|(\d+)\s+(?:left|in all|in stock|available)\b", re.I)
_AMOUNT = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_MONEY = re.compile(r"(?:[A-Z]{0,2}\$|[¥€£])\s*" + _AMOUNT + r"|" + _AMOUNT + r"(?:\s*[-~]\s*" + _AMOUNT
                    + r")?\s*(?:元|块)")
_DAYS = re.compile(r"(?:预计|需要|要|takes?|in)\s*(\d+)(?:\s*[-~到至]\s*(\d+))?\s*(?:个工作日|天|days?\b)", re.I)
_SHIPS_AFTER = re.compile(r"\)?\s*(?:前|起)?\s*就?\s*(?:从[^,，;。]{0,12}?)?(?:开始)?(?:发货|发出)")
_ADDRESS = re.compile(r"^\s*@\S+\s*(?:等\d+人|and \d+ others?)?\s*[:：]?\s*")
_SHIPS_BEFORE = re.compile(r"\b(?:ships?|shipped|ship by|leaves)\s*(?:today|tomorrow)?\s*\(?\s*$", re.I)
_ORDER_COUNT = re.compile(r"(\d+)\s*个订单|(\d+)\s+orders\b", re.I)
_BETWEEN_DATES = re.compile(r"\s*(?:到|至|-|~|–|to)\s*", re.I)
_RESTOCK = re.compile(r"补货|到货|restock", re.I)
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "today": 0, "tomorrow": 1}
_RELATIVE_DAY = re.compile(r"(" + "|".join(_RELATIVE_DAYS) + r")\s*\(\s*$", re.I)
_COUNT = re.compile(r"\d+\s*件|\d+\s+left|\d+\s+in stock", re.I)
_SEGMENT = re.compile(r"[,，;。!?\n]|\.\s")
_STATUS = {
    "paid": r"已付款|已支付|待发货|未发货|还没发|安排发货|\bpaid\b|not (?:yet )?shipped|being prepared",
    "shipped": r"已发货|已发出|已寄出|运输中|在路上|\bshipped\b|on (?:its|the) way|in transit",
    "delivered": r"已签收|已送达|已收货|\bdelivered\b",
    "cancelled": r"已取消|\bcancell?ed\b",
}


class CaseFormatError(ValueError):
    """A case line that does not follow the README's format."""


@dataclass(frozen=True)
class Case:
    id: str
    store: str
    user: str
    now: dt.datetime
    text: str
    on_air: str | None
    actions: tuple[str, ...]
    intent: str | None = None
    reason: str | None = None
    facts: tuple[dict[str, Any], ...] = ()
    forbidden: tuple[str, ...] = ()
    setup: tuple[tuple[str, str, int], ...] = ()
    """(variant SKU, warehouse, qty) stock changes made just before asking."""
    tags: tuple[str, ...] = ()
    source: str = ""
    """Where the case was read from (``file:line``), for error messages."""

    @classmethod
    def from_json(cls, data: Any, source: str = "") -> Case:
        """Check one case object against the README's format.

        Raises:
            CaseFormatError: naming the case's source and the field that is wrong.
        """
        def bad(message: str) -> CaseFormatError:
            return CaseFormatError(f"{source}: {message}")

        if not isinstance(data, dict):
            raise bad("a case is a JSON object")
        for key in ("id", "store", "user", "now", "text", "expect"):
            if key not in data:
                raise bad(f"missing {key!r}")
        if data["store"] not in STORES:
            raise bad(f"unknown store {data['store']!r} (stores: {', '.join(STORES)})")
        try:
            now = dt.datetime.fromisoformat(str(data["now"]).replace("Z", "+00:00"))
        except ValueError:
            raise bad(f"now {data['now']!r} is not ISO 8601") from None
        if now.tzinfo is None:
            raise bad("now needs a UTC offset, e.g. 2026-11-22T14:00:00+08:00")
        expect = data["expect"]
        actions = expect.get("action") if isinstance(expect, dict) else None
        actions = tuple(actions) if isinstance(actions, list) else (actions,)
        if not actions or any(a not in ACTIONS for a in actions):
            raise bad(f"expect.action must be one of {ACTIONS} or a list of them")
        facts = tuple(expect.get("facts") or ())
        for fact in facts:
            kind = fact.get("kind") if isinstance(fact, dict) else None
            if kind not in FACT_FIELDS:
                raise bad(f"unknown fact kind {kind!r} (kinds: {', '.join(FACT_FIELDS)})")
            missing = [f for f in FACT_FIELDS[kind] if not fact.get(f)]
            if missing:
                raise bad(f"a {kind} fact needs {', '.join(missing)}")
        setup = []
        for change in data.get("setup") or ():
            stock = change.get("stock") if isinstance(change, dict) else None
            if not (isinstance(stock, list) and len(stock) == 3 and isinstance(stock[2], int)):
                raise bad('setup items are {"stock": [variant_sku, warehouse, qty]}')
            setup.append((str(stock[0]), str(stock[1]), stock[2]))
        return cls(
            id=str(data["id"]), store=data["store"], user=str(data["user"]), now=now, text=str(data["text"]),
            on_air=None if data.get("on_air") is None else str(data["on_air"]), actions=actions,
            intent=expect.get("intent"), reason=expect.get("reason"), facts=facts,
            forbidden=tuple(expect.get("forbidden") or ()), setup=tuple(setup), tags=tuple(data.get("tags") or ()),
            source=source,
        )


@dataclass
class Grade:
    """What one decision got right and wrong."""

    action_ok: bool
    facts_checked: int = 0
    facts_ok: int = 0
    missed: list[str] = field(default_factory=list)
    """Expected facts the reply does not state (or that the case names wrongly)."""
    false_facts: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Intent or escalation reason other than labelled: reported, not failed."""

    @property
    def passed(self) -> bool:
        return self.action_ok and not (self.missed or self.false_facts or self.leaks or self.forbidden)

    def reasons(self) -> list[str]:
        found = [] if self.action_ok else ["wrong action"]
        found += [f"missed: {m}" for m in self.missed]
        found += [f"false fact: {f}" for f in self.false_facts]
        found += [f"privacy leak: {x}" for x in self.leaks]
        found += [f"forbidden: {x!r}" for x in self.forbidden]
        return found


def grade(case: Case, decision: dict[str, Any], oracle: Oracle) -> Grade:
    """Grade one decision (``Decision.contract()``) for its case, against the database at ``case.now``.

    Call it after the case's ``setup`` is applied and before it is undone: the truth is read live.
    """
    action = decision.get("action")
    # "@name 等3人：" addresses the reply; it states nothing about the shop.
    reply = _ADDRESS.sub("", _norm(decision.get("reply") or ""))
    result = Grade(action_ok=action in case.actions)
    if case.intent and decision.get("intent") != case.intent:
        result.notes.append(f"intent {decision.get('intent')} (labelled {case.intent})")
    if case.reason and action == "escalate" and decision.get("reason_code") != case.reason:
        result.notes.append(f"reason {decision.get('reason_code')} (labelled {case.reason})")
    result.forbidden = [s for s in case.forbidden if _norm(s).lower() in reply.lower()]
    result.leaks = _leaks(reply, oracle, case.user)
    if action != "answer":
        return result
    if result.action_ok:
        for fact in case.facts:
            result.facts_checked += 1
            try:
                problem = _check_fact(fact, reply, oracle, case)
            except CaseError as exc:
                problem = f"case error: {exc}"
            if problem is None:
                result.facts_ok += 1
            else:
                result.missed.append(problem)
    try:
        result.false_facts = _false_facts(reply, case, decision, oracle)
    except CaseError as exc:
        result.missed.append(f"case error: {exc}")
    return result


def _false_facts(reply: str, case: Case, decision: dict[str, Any], oracle: Oracle) -> list[str]:
    """Everything in an answer that the database contradicts.

    Two layers: every figure must be among the true figures of the products and orders involved;
    and a figure whose meaning the reply makes plain (a count next to a variant, a price, a transit
    time, a ship date, "tomorrow (Nov 23)") must be true in that meaning.
    """
    involved = _products_involved(case, decision, oracle)
    products = [oracle.product(sku) for sku in sorted(involved)]
    truth = oracle.truth(involved, case.user, case.now)
    claims = _blank(reply, truth.quotes)
    return [
        *_false_figures(reply, truth, case.text),
        *_stock_claims(claims, _variants_named(case, oracle), oracle, decision.get("lang")),
        *_variant_claims(claims, products, oracle, case.text),
        *_figure_claims(claims, truth),
        *_date_claims(reply, products, oracle, case.now),
    ]


# --- reading a reply -------------------------------------------------------------------------------

def _norm(text: str) -> str:
    """Full-width digits and punctuation as ASCII, so one set of patterns reads every reply.

    The Chinese comma stays as it is: "建议选120，120粉色" must not read as the number 120,120.
    """
    return "，".join(unicodedata.normalize("NFKC", part) for part in text.split("，"))


def _valid_date(year: int | None, month: int, day: int) -> bool:
    try:
        dt.date(year or 2000, month, day)  # 2000 is a leap year: "2月29日" stays a date
    except ValueError:
        return False
    return True


def _dates(text: str) -> list[tuple[tuple[int, int], int | None, int, int]]:
    """((start, end), year or None, month, day) for every calendar date written in ``text``."""
    found: list[tuple[tuple[int, int], int | None, int, int]] = []
    taken: list[tuple[int, int]] = []
    for pattern, order in ((_ISO_DATE, "ymd"), (_ZH_DATE, "ymd"), (_EN_DATE, "mdy"), (_SLASH_DATE, "md")):
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            if order == "mdy":
                year = int(m.group(3)) if m.group(3) else None
                month, day = _MONTHS[m.group(1).lower()], int(m.group(2))
            elif order == "md":
                year, month, day = None, int(m.group(1)), int(m.group(2))
            else:
                year = int(m.group(1)) if m.group(1) else None
                month, day = int(m.group(2)), int(m.group(3))
            if _valid_date(year, month, day):
                found.append((m.span(), year, month, day))
                taken.append(m.span())
    return found


def _cn_number(text: str) -> int | None:
    """"三" → 3, "二十三" → 23, "一百零五" → 105."""
    digits = dict(zip("零一二两三四五六七八九", [0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9], strict=True))
    units = {"十": 10, "百": 100, "千": 1000, "万": 10000}
    total = current = 0
    for char in text:
        if char in digits:
            current = digits[char]
        elif char in units:
            total += (current or 1) * units[char]
            current = 0
        else:
            return None
    return total + current


def _numbers(text: str) -> list[tuple[tuple[int, int], Decimal]]:
    """Every number in ``text``: digits (``1,299.50``) and Chinese numerals before a counter (``三件``)."""
    found = [(m.span(), Decimal(m.group(0).replace(",", ""))) for m in _NUMBER.finditer(text)]
    for m in _CN_NUMBER.finditer(text):
        value = _cn_number(m.group(0))
        if value is not None:
            found.append((m.span(), Decimal(value)))
    return found


def _outside_dates(text: str) -> list[tuple[tuple[int, int], Decimal]]:
    """The numbers of ``text`` that are not part of a date or a clock time."""
    skip = [span for span, *_ in _dates(text)] + [m.span() for m in _TIME.finditer(text)]
    return [(span, value) for span, value in _numbers(text) if not _inside(span, skip)]


def _inside(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def _occurrences(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Spans of every case-insensitive occurrence of each needle that carries a digit."""
    lowered = text.lower()
    spans = []
    for needle in needles:
        needle = _norm(needle).lower()
        if not needle or not any(ch.isdigit() for ch in needle):
            continue
        start = lowered.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = lowered.find(needle, start + 1)
    return spans


def _contains_value(text: str, value: str) -> bool:
    """Whether ``text`` names an option value; "XL" is not found inside "XXL"."""
    value = _norm(value)
    if value.isascii():
        pattern = r"(?<![a-z0-9])" + re.escape(value.lower()) + r"(?![a-z0-9])"
        return re.search(pattern, text.lower()) is not None
    return value in text


# --- expected facts --------------------------------------------------------------------------------

def _check_fact(fact: dict[str, Any], reply: str, oracle: Oracle, case: Case) -> str | None:
    """None when the reply states the fact correctly, else what it lacks."""
    kind = fact["kind"]
    dates = {(month, day) for _, _, month, day in _dates(reply)}
    numbers = {value for _, value in _outside_dates(reply)}
    if kind == "stock":
        total = oracle.stock_total(fact["variant"])
        if total == 0:
            return None if _SOLD_OUT.search(reply) else f"stock of {fact['variant']}: sold out not said"
        return None if Decimal(total) in numbers else f"stock of {fact['variant']}: {total} not stated"
    if kind == "restock_date":
        date = oracle.restock_date(fact["variant"])
        if date is None:
            raise CaseError(f"{fact['variant']} has no restock date")
        return None if (date.month, date.day) in dates else f"restock date of {fact['variant']}: {date} not stated"
    if kind == "ship_date":
        date = oracle.ship_date(fact["product"], case.now, fact.get("options"))
        if date is None:
            return None if _SOLD_OUT.search(reply) else f"ship date of {fact['product']}: nothing in stock, not said"
        return None if (date.month, date.day) in dates else f"ship date of {fact['product']}: {date} not stated"
    if kind == "delivery":
        return _check_delivery(fact, reply, dates, oracle, case)
    if kind == "price":
        price = oracle.price(fact["sku"])
        return None if price in numbers else f"price of {fact['sku']}: {price} not stated"
    if kind == "order":
        order = oracle.order(case.user, fact["order_id"])
        if order.tail.lower() not in reply.lower():
            return f"order {order.order_id}: tail {order.tail} not stated"
        if not re.search(_STATUS.get(order.status, re.escape(order.status)), reply, re.I):
            return f"order {order.order_id}: status {order.status} not stated"
        return None
    if kind == "size":
        oracle.product(fact["product"])
        return None if _contains_value(reply, str(fact["size"])) else f"size {fact['size']} not recommended"
    if kind == "faq":
        answer = oracle.faq_answer(fact["question"])
        return None if _squash(answer) in _squash(reply) else f"FAQ answer to {fact['question']!r} not given"
    if kind == "fact":
        value = oracle.fact(fact["product"], fact["key"])
        stated = _states_value(reply, value, numbers)
        return None if stated else f"{fact['product']} {fact['key']}: {value!r} not stated"
    return _check_not_offered(str(fact["value"]), reply)


def _check_delivery(fact: dict[str, Any], reply: str, dates: set[tuple[int, int]], oracle: Oracle,
                    case: Case) -> str | None:
    product, destination = fact["product"], fact["destination"]
    window = oracle.delivery(product, destination, case.now, fact.get("options"))
    if window is None:
        if oracle.ship_date(product, case.now, fact.get("options")) is not None:
            raise CaseError(f"no transit route to {destination!r} from the warehouses holding {product}")
        return None if _SOLD_OUT.search(reply) else f"delivery of {product}: nothing in stock, not said"
    missing = [str(d) for d in dict.fromkeys(window) if (d.month, d.day) not in dates]
    return f"delivery of {product} to {destination}: {', '.join(missing)} not stated" if missing else None


def _states_value(reply: str, value: Any, numbers: set[Decimal]) -> bool:
    """A fact value is stated word for word, or, when it carries figures, by stating all of them
    (so "$2,714.51 to $3,280.31" may read "$2714.51 to $3280.31", or "2714.51元到3280.31元")."""
    if isinstance(value, list):
        return all(_states_value(reply, item, numbers) for item in value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value)) in numbers
    if _squash(str(value)) in _squash(reply):
        return True
    figures = {number for _, number in _outside_dates(_norm(str(value)))}
    return bool(figures) and figures <= numbers


def _check_not_offered(value: str, reply: str) -> str | None:
    segments = [s for s in _SEGMENT.split(reply) if _contains_value(s, value)]
    if not segments:
        return f"{value!r} (not offered) not named"
    if any(_COUNT.search(s) for s in segments):
        return f"{value!r} is not offered, yet a stock figure is given for it"
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", _norm(text)).lower()


# --- false facts -----------------------------------------------------------------------------------

def _products_involved(case: Case, decision: dict[str, Any], oracle: Oracle) -> set[str]:
    """The case's products (facts, on air, setup) and those the assistant's tool calls looked at."""
    catalog = oracle.catalog
    named = {case.on_air} if case.on_air else set()
    named |= {str(fact[key]) for fact in case.facts for key in ("product", "sku", "variant") if fact.get(key)}
    named |= {variant for variant, _, _ in case.setup}
    looked_at: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("product_sku", "sku", "variant_sku") and isinstance(item, str):
                    looked_at.add(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk([[call.get("args"), call.get("result")] for call in decision.get("tool_calls") or ()])
    # A SKU the case names must exist (CaseError otherwise); one a tool made up is simply not involved.
    looked_at = {s for s in looked_at if s in catalog.products or s in catalog.variants}
    return {oracle.product(sku).sku for sku in named | looked_at}


def _false_figures(reply: str, truth: Truth, case_text: str) -> list[str]:
    """Figures in an answer that are not true for the products and orders involved."""
    problems = []
    known = _occurrences(reply, truth.texts)
    taken = list(known)
    for span, year, month, day in _dates(reply):
        taken.append(span)
        if _inside(span, known):
            continue
        if not any(d.month == month and d.day == day and (year is None or d.year == year) for d in truth.dates):
            problems.append(f"date {reply[span[0]:span[1]]!r} is not in the data")
    for m in _TIME.finditer(reply):
        taken.append(m.span())
        if not _inside(m.span(), known) and (int(m.group(1)), int(m.group(2))) not in truth.times:
            problems.append(f"time {m.group(0)!r} is not a cutoff")
    taken += [m.span() for m in _LINK.finditer(reply)
              if int(next(g for g in m.groups() if g)) in truth.link_numbers]
    taken += [m.span() for m in _BODY.finditer(reply) if _within_body(m, truth)]
    allowed = truth.numbers | {value for _, value in _numbers(_norm(case_text))}
    for span, value in _numbers(reply):
        if not _inside(span, taken) and value not in allowed:
            problems.append(f"number {reply[span[0]:span[1]]!r} is not in the data")
    return problems


def _within_body(m: re.Match[str], truth: Truth) -> bool:
    """A height or weight inside the size charts' range echoes the viewer's own figure."""
    measure = "height_cm" if m.group(2).lower() in ("cm", "厘米") else "weight_kg"
    low, high = truth.body.get(measure, (1.0, 0.0))
    return low <= float(m.group(1)) <= high


def _variants_named(case: Case, oracle: Oracle) -> list[Variant]:
    skus = {str(f["variant"]) for f in case.facts if f.get("variant")}
    skus |= {variant for variant, _, _ in case.setup}
    named = [oracle.variant(sku) for sku in sorted(skus)]
    for fact in case.facts:
        if fact.get("product") and fact.get("options"):
            matching = oracle.matching_variants(fact["product"], fact["options"])
            if len(matching) == 1 and matching[0] not in named:
                named.append(matching[0])
    return named


def _segments(reply: str) -> list[str]:
    """Clauses, with list items split out; an item keeps its list's heading ("黑色: M 200件、XL 23件")."""
    found = []
    for clause in _SEGMENT.split(reply):
        head = re.split(r"(?<!\d):(?!\d)", clause, maxsplit=1)
        heading = head[0] if len(head) == 2 else ""
        items = clause.split("、")
        found.append(items[0])
        found.extend(f"{heading}: {item}" for item in items[1:])
    return found


def _blank(reply: str, quotes: Iterable[str]) -> str:
    """The reply without the catalog text it quotes (titles, FAQ answers…), which claims nothing."""
    for quote in sorted((_norm(q) for q in quotes if q), key=len, reverse=True):
        # "36" (a shelf life) is not inside "366件".
        pattern = re.escape(quote)
        pattern = ("(?<!\\d)" if quote[0].isdigit() else "") + pattern + ("(?!\\d)" if quote[-1].isdigit() else "")
        reply = re.sub(pattern, " ", reply, flags=re.I)
    return reply


def _stock_claims(reply: str, variants: list[Variant], oracle: Oracle, lang: str | None) -> list[str]:
    """"In stock" for a named variant that has none, or "sold out" for one that has some."""
    problems = []
    english = lang == "en" or not re.search(r"[\u4e00-\u9fff]", reply)
    for variant in variants:
        values = [str(v) for v in variant.options.values()]
        if not values or (english and not all(v.isascii() for v in values)):
            continue  # a Chinese option value cannot be found in an English reply: no claim to read
        total = oracle.stock_total(variant.sku)
        for segment in _segments(reply):
            if not all(_contains_value(segment, v) for v in values):
                continue
            sold_out, in_stock = bool(_SOLD_OUT.search(segment)), bool(_IN_STOCK.search(segment))
            if total == 0 and in_stock and not sold_out:
                problems.append(f"{variant.sku} called in stock but has none: {segment.strip()!r}")
            elif total > 0 and sold_out and not in_stock:
                problems.append(f"{variant.sku} called sold out but has {total}: {segment.strip()!r}")
    return problems


def _variant_claims(reply: str, products: list[Product], oracle: Oracle, case_text: str) -> list[str]:
    """A stock count or restock date must be that of what its clause names ("灰色L 35件",
    "black XL 23 left", "XXL售罄（12月1日补货）").

    The variants a clause names are those matching every option value it mentions (all of them
    when it mentions none); a count may be one of theirs or their sum. Values a reply cannot be
    seen to mention (a translated colour) only widen the choice, so this never flags a true figure.
    """
    totals: dict[str, int] = {}
    for product in products:
        stock = oracle.stock([v.sku for v in product.variants])
        totals.update({sku: sum(by_warehouse.values()) for sku, by_warehouse in stock.items()})
    echoed = {value for _, value in _numbers(_norm(case_text))}
    problems = []
    for segment in _segments(reply):
        if re.search(r"订单|order", segment, re.I):
            continue  # "2件" in an order is a quantity bought, not stock
        counts = [Decimal(m.group(1) or m.group(2)) for m in _COUNT_CLAIM.finditer(segment)]
        restocks = [(month, day) for _, _, month, day in _dates(segment)] if _RESTOCK.search(segment) else []
        if not (counts or restocks):
            continue
        allowed, restock_dates = set(echoed), set()
        for product in products:
            named = _variants_in(segment, product)
            allowed.add(Decimal(sum(totals[v.sku] for v in named)))
            allowed.update(Decimal(totals[v.sku]) for v in named)
            restock_dates |= {(v.restock_date.month, v.restock_date.day) for v in named if v.restock_date}
        problems += [f"count {count} is not the stock of what {segment.strip()!r} names"
                     for count in counts if count not in allowed]
        problems += [f"{month}/{day} is not the restock date of what {segment.strip()!r} names"
                     for month, day in restocks if (month, day) not in restock_dates]
    return problems


def _variants_in(segment: str, product: Product) -> list[Variant]:
    # The figures themselves name nothing: "28" in "11月28日" or "28件" is not the size 28.
    for span, *_ in reversed(_dates(segment)):
        segment = segment[:span[0]] + " " + segment[span[1]:]
    segment = _COUNT_CLAIM.sub(" ", _TIME.sub(" ", segment))
    mentioned: dict[str, set[str]] = {}
    for variant in product.variants:
        for name, value in variant.options.items():
            if _contains_value(segment, str(value)):
                mentioned.setdefault(name, set()).add(str(value))
    return [v for v in product.variants if all(str(v.options.get(n)) in vals for n, vals in mentioned.items())]


def _figure_claims(reply: str, truth: Truth) -> list[str]:
    """Figures whose kind a reply makes plain must be true of that kind: an amount of money a price,
    "2-4天"/"takes 2-4 days" a transit row, "11月25日到11月27日" a delivery window, "12月5日开始发货"
    a ship date, "3个订单" the asker's order count."""
    problems = []
    for m in _MONEY.finditer(reply):
        for amount in filter(None, m.groups()):
            if Decimal(amount.replace(",", "")) not in truth.amounts:
                problems.append(f"{m.group(0).strip()!r} is not an amount in the data")
    for m in _DAYS.finditer(reply):
        low, high = int(m.group(1)), int(m.group(2) or m.group(1))
        if (low, high) not in truth.transit_days:
            problems.append(f"{m.group(0).strip()!r} is not a transit time in the data")
    dates = _dates(reply)
    for (span, _, month, day), (after, _, month2, day2) in itertools.pairwise(dates):
        if _BETWEEN_DATES.fullmatch(reply[span[1]:after[0]]) and not any(
                (a.month, a.day, b.month, b.day) == (month, day, month2, day2) for a, b in truth.windows):
            problems.append(f"{reply[span[0]:after[1]]!r} is not a delivery window in the data")
    for (start, end), _, month, day in dates:
        if (_SHIPS_AFTER.match(reply, end) or _SHIPS_BEFORE.search(reply[:start])) and not any(
                (d.month, d.day) == (month, day) for d in truth.ship_dates):
            problems.append(f"{reply[start:end]!r} is not a day anything here ships")
    for m in _ORDER_COUNT.finditer(reply):
        if int(m.group(1) or m.group(2)) != truth.order_count:
            problems.append(f"{m.group(0)!r}: the asker has {truth.order_count} orders")
    return problems


def _date_claims(reply: str, products: list[Product], oracle: Oracle, now: dt.datetime) -> list[str]:
    """Dates and cutoffs tied to a day or a warehouse must be that day's or that warehouse's.

    "明天（11月23日）" must be tomorrow; "11月23日从广州仓发出" must be the day Guangzhou ships one
    of the products at ``now``; a cutoff in a reply naming one warehouse must be that warehouse's.
    """
    problems = []
    today = oracle.catalog.today(now)
    warehouses = [w for w in oracle.catalog.warehouses.values() if _norm(w.name).lower() in reply.lower()]
    for (start, end), _, month, day in _dates(reply):
        relative = _RELATIVE_DAY.search(reply[:start])
        if relative:
            offset = _RELATIVE_DAYS[relative.group(1).lower()]
            expected = today + dt.timedelta(days=offset)
            if (month, day) != (expected.month, expected.day):
                problems.append(f"{relative.group(0)}{reply[start:end]} is not {expected}")
        for warehouse in warehouses:
            name = re.escape(_norm(warehouse.name))
            if re.match(r"\)?\s*就?\s*(?:从|from)\s*" + name, reply[end:], re.I) or re.search(
                    r"(?:leaves|from)\s*" + name + r"\s*(?:today|tomorrow)?\s*\(?\s*$", reply[:start], re.I):
                leaves = {oracle.leaves(p, warehouse, now) for p in products}
                if not any((d.month, d.day) == (month, day) for d in leaves):
                    problems.append(f"{reply[start:end]} is not when {warehouse.name} ships it")
    if len(warehouses) == 1:
        cutoff = oracle.cutoff_told(warehouses[0], now)
        problems += [f"cutoff {m.group(0)} is not {warehouses[0].name}'s" for m in _TIME.finditer(reply)
                     if (int(m.group(1)), int(m.group(2))) != cutoff]
    return problems


# --- privacy ---------------------------------------------------------------------------------------

def _leaks(reply: str, oracle: Oracle, user: str) -> list[str]:
    """Another viewer's order id or tracking number, or their tail after "尾号"/"ending"."""
    lowered = reply.lower()
    own = {t.lower() for o in oracle.orders_of(user) for t in (o.tail, o.tracking_tail) if t}
    tails = {m.group(1).lower() for m in _TAIL.finditer(reply)} - own
    leaks = []
    for order in oracle.others_orders(user):
        secrets = {order.order_id, order.order_id.lstrip("#"), order.tracking_no or ""}
        for secret in secrets:
            if len(secret) >= 6 and secret.lower() in lowered:
                leaks.append(f"{secret} ({order.user_id}'s order)")
        for tail in (order.tail, order.tracking_tail):
            if tail and tail.lower() in tails:
                leaks.append(f"tail {tail} of {order.user_id}'s order {order.order_id}")
    return sorted(set(leaks))
