"""Composing: tool results → a short reply in the viewer's language, from ``prompts/`` templates.

Every figure placed in a reply is read from a tool result here; nothing is computed that a tool
did not return (the guard checks that afterwards). A result that cannot answer the question
(an unknown fact, an FAQ that does not fit, an overdue order) turns the reply into an escalation
with a draft for the host.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.matching.sizes_colours import colour_concepts, colour_name_en, is_size_option
from assistant.planner import Plan
from assistant.prompts import render, text
from assistant.text import other_language
from assistant.understand import Understanding
from tools.base import ToolCall
from tools.catalog import fact_keys_for, facts_saying, key_topics, says_something_asked

_CURRENCY = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$", "AUD": "A$",
             "CAD": "C$", "SGD": "S$"}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_MAX_LIST = 4
_FALLBACK_SCORE = 0.55
"""How sure an FAQ match must be to answer a question that no other rule recognised."""
_BARE_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PLACE_RULE = re.compile(r"不支持|暂不|不发|不能发|无法|不配送|不送|只发|仅发|不包括|\d+\s*个?工作日|\d+\s*天|"
                         r"\bnot\b|\bonly\b|n't|\bcannot\b|\bno [A-Z]|\d+\s*(?:business )?days?\b", re.I)
"""What makes an FAQ naming a place the answer on shipping there, over the transit table's ``*`` row:
it says the place is not served ("港澳台暂不支持", "no Alaska or Hawaii") or gives its own transit
time ("allow 6 to 10 days to Alaska"). Anything else (a remote-area fee) only follows the estimate."""
_CHAT_CHARS = 120
"""The longest reply that still reads as one chat message; an optional note is left out beyond it."""
_ARRIVAL_WORDS = re.compile(r"到|送达|收到|arriv|deliver|get (it|here)|how long|几天|多久")


@dataclass
class Draft:
    action: str
    text: str
    reason: str
    reason_vars: dict[str, Any] = field(default_factory=dict)
    intent: str | None = None
    """What the reply turned out to answer, when not what the plan read ("有礼品袋吗" answered by the FAQ: policy)."""


class _Escalate(Exception):
    def __init__(self, reason: str, draft_key: str = "generic", **variables: Any) -> None:
        self.reason, self.draft_key, self.variables = reason, draft_key, variables


class Writer:
    """Formats figures and renders templates in one language."""

    def __init__(self, lang: str, today: dt.date, currency: str, variant: int = 0) -> None:
        self.lang, self.today, self.currency, self.variant = lang, today, currency, variant

    def __call__(self, key: str, **variables: Any) -> str:
        return render(self.lang, key, variant=self.variant, **variables)

    def date(self, value: dt.date | str | None, *, relative: bool = True) -> str:
        if isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        assert value is not None
        plain = self("date", month=value.month, day=value.day, month_name=_MONTHS[value.month - 1])
        if relative and value == self.today:
            return self("today", date=plain)
        if relative and value == self.today + dt.timedelta(days=1):
            return self("tomorrow", date=plain)
        return plain

    def money(self, amount: float) -> str:
        figure = f"{amount:.0f}" if float(amount).is_integer() else f"{amount:.2f}"
        return self("money", amount=figure, currency=self.currency,
                    symbol=_CURRENCY.get(self.currency, self.currency + " "))

    def place(self, name: str, city: str | None, code: str) -> str:
        """A warehouse as this viewer can read it: its name, or in English its code when the name is Chinese."""
        if self.lang == "en" and any("\u4e00" <= ch <= "\u9fff" for ch in name):
            return f"our {code} warehouse"
        return name

    def option_value(self, option: str, value: str) -> str:
        """One option value as a viewer reads it: a bare number carries its option ("37码", "size 37")."""
        if not _BARE_NUMBER.fullmatch(value):
            return value
        if is_size_option(option, []):
            return self("option_number.size", value=value)
        return self("option_number.other", value=value, option=option.lower() if self.lang == "en" else option)

    def join(self, items: list[str]) -> str:
        return text(self.lang, "join").join(items)

    def label(self, values: Iterable[str | tuple[str, str]]) -> str:
        """Option values as one label: "黑色XL" in Chinese, "black XL" in English.

        A value given with its option name that is a bare number reads with that name ("37码",
        "size 37"), so it never runs into a count placed after it ("37 40件").
        """
        out = ""
        for item in values:
            value = self.option_value(*item) if isinstance(item, tuple) else item
            if self.lang == "en":
                value = _english_colour(value)
            if out and (self.lang == "en" or (out[-1].isascii() and value[0].isascii())):
                out += " "
            out += value
        return out


def _english_colour(value: str) -> str:
    """"黑色" reads "black" to an English-speaking viewer; other Chinese values stay as they are."""
    if value.isascii() or len(value) > 4:
        return value
    concepts = colour_concepts(value)
    return colour_name_en(next(iter(concepts))) if len(concepts) == 1 else value


def compose(plan: Plan, calls: list[ToolCall], understood: Understanding, *, today: dt.date,
            currency: str, variant: int = 0) -> Draft:
    """Turn a plan's results into a draft reply (answer or escalation); ``variant`` picks the wording."""
    w = Writer(understood.lang, today, currency, variant)
    if plan.action == "ignore":
        return Draft("ignore", "", plan.reason, plan.reason_vars)
    if plan.action == "escalate":
        draft = w(f"drafts.{plan.draft}", **plan.reason_vars) if plan.draft else ""
        return Draft("escalate", draft, plan.reason, plan.reason_vars)
    results = _by_purpose(plan, calls)
    parts: list[str] = []
    try:
        if plan.fallback is not None:
            return Draft("answer", _faq_fallback(results["policy"], plan.fallback, w), "answered", intent="policy")
        for intent in [plan.intent, *plan.also]:
            part = _compose_intent(intent, results, understood, w)
            if part:
                parts.append(part)
    except _Escalate as escalation:
        answered = text(w.lang, "sentence_join").join(parts)
        fallback = w(f"drafts.{escalation.draft_key}", **escalation.variables)
        return Draft("escalate", answered or fallback, escalation.reason, escalation.variables)
    if not parts:
        return Draft("escalate", w("drafts.generic"), "unknown_question")
    return Draft("answer", text(w.lang, "sentence_join").join(parts), "answered")


def _by_purpose(plan: Plan, calls: list[ToolCall]) -> dict[str, ToolCall]:
    found: dict[str, ToolCall] = {}
    for step, call in zip(plan.steps, calls, strict=False):
        found.setdefault(step.purpose, call)
    return found


def _compose_intent(intent: str, results: dict[str, ToolCall], u: Understanding, w: Writer) -> str:
    if intent == "stock":
        return _stock(results["stock"], u, w)
    if intent == "shipping":
        if "outside_area" in results:
            return _outside_area(results["outside_area"], u, w)
        faq = _place_faq(results.get("destination_policy"))
        if faq and _PLACE_RULE.search(faq):
            return _in_language(faq, w)  # the merchant's own word on shipping there beats the * row
        return _with_note(_shipping(results["shipping"], u, w), faq, w)
    if intent == "price":
        return _price(results["product"], results.get("price"), w)
    if intent == "product_info":
        if u.topic and u.topic.startswith("options:"):
            return _option_values(results["product"], u.topic.split(":", 1)[1], w, results.get("option_stock"))
        return _facts(results["product_info"], w)
    if intent == "size_advice":
        return _size_or_tip(results.get("size_advice"), results.get("size_tip"), u, w)
    if intent == "order_status":
        return _orders(results["order_status"], w)
    if intent == "policy":
        if "carriers" in results:
            return _carriers(results["policy"], results["carriers"], u, w)
        return _in_language(_policy(results["policy"]), w)
    raise _Escalate("unknown_question")


def _tool_error(call: ToolCall) -> dict[str, Any] | None:
    return call.result.get("error") if not call.ok else None


def _not_offered(error: dict[str, Any], w: Writer, key: str) -> str:
    available = error.get("available") or {}
    if isinstance(available, dict) and available and error.get("option") not in available:
        # A dimension the product does not have ("XL" of a lip glaze): say so and list what it has.
        choices = [w("stock.option_choices", option=_option_name(name, w), values="/".join(values[:8]))
                   for name, values in available.items()]
        return w("stock.no_such_option", missing=_option_name(str(error.get("option")), w),
                 choices=text(w.lang, "sentence_join").join(choices))
    values = [v for vals in available.values() for v in vals][:8] if isinstance(available, dict) else []
    if not values:
        values = [w.label(list(v.items())) for v in error.get("variants", [])][:6]
    asked = error.get("requested")
    if isinstance(asked, dict):
        asked = w.label([(name, v) for name, vals in asked.items() for v in vals])
    if not values:
        raise _Escalate("tool_error", message=error.get("message", ""))
    return w(key, asked=asked, values="/".join(values))


def _stock(call: ToolCall, u: Understanding, w: Writer) -> str:
    error = _tool_error(call)
    if error:
        if error["code"] in ("unknown_option_value", "no_such_variant"):
            return _not_offered(error, w, "stock.not_offered")
        raise _Escalate("tool_error", message=error.get("message", ""))
    r = call.result
    requested = r["requested"]
    variants = r["variants"]
    if not requested:
        return _whole_product(r, w)
    asked_label = w.label([(name, v) for name, values in requested.items() for v in values]) \
        if _single_values(requested) else w.label(
            [" / ".join(w.option_value(name, v) for v in values) if len(values) > 1 else (name, values[0])
             for name, values in requested.items()])
    if u.product_source == "implied":
        asked_label = r["title"] + " " + asked_label  # the viewer did not say which product
    if len(variants) == 1:
        return _one_variant(variants[0], asked_label, r, w)
    shown = _most_useful(variants, _MAX_LIST + 2)
    parts = []
    for v in shown:
        label = w.label([(name, val) for name, val in v["options"].items() if name not in requested
                         or len(requested[name]) > 1]) or w.label(list(v["options"].items()))
        parts.append(_part(v, label, w))
    sentence = w("stock.breakdown", label=asked_label, parts=w.join(parts))
    if len(shown) < len(variants) and r["total"] > 0:
        sentence += text(w.lang, "clause_join") + w("stock.breakdown_total", total=r["total"])
    if r["status"] == "sold_out" and r["alternatives"]:
        sentence += text(w.lang, "clause_join") + _alternatives(r, w)
    return sentence


def _most_useful(variants: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` variants, in catalog order, leaving out first those sold out for good, then
    those sold out: a viewer asking which sizes are left must not miss one that is."""
    rank = {"in_stock": 0, "low": 0}
    keep = sorted(range(len(variants)), key=lambda i: (
        rank.get(variants[i]["status"], 1 if variants[i].get("restock_date") else 2), i))[:limit]
    return [variants[i] for i in sorted(keep)]


def _single_values(requested: dict[str, list[str]]) -> bool:
    return all(len(values) == 1 for values in requested.values())


def _part(v: dict[str, Any], label: str, w: Writer) -> str:
    if v["status"] == "sold_out":
        if v.get("restock_date"):
            return w("stock.part_sold_out_restock", label=label, restock=w.date(v["restock_date"]))
        return w("stock.part_sold_out", label=label)
    key = "stock.part_low" if v["status"] == "low" else "stock.part_in_stock"
    return w(key, label=label, total=v["total"])


def _one_variant(v: dict[str, Any], label: str, r: dict[str, Any], w: Writer) -> str:
    if v["status"] == "in_stock":
        return w("stock.in_stock", label=label, total=v["total"])
    if v["status"] == "low":
        return w("stock.low", label=label, total=v["total"])
    if v.get("restock_date"):
        sentence = w("stock.sold_out_restock", label=label, restock=w.date(v["restock_date"]))
    else:
        sentence = w("stock.sold_out", label=label)
    if r["alternatives"]:
        sentence += text(w.lang, "clause_join") + _alternatives(r, w)
    return sentence


def _alternatives(r: dict[str, Any], w: Writer) -> str:
    items = []
    for alt in r["alternatives"][:3]:
        label = w.label(list(alt["options"].items()))
        items.append(w("stock.alternative_item", label=label, total=alt["total"]))
    return w("stock.alternatives", alts=w.join(items))


def _whole_product(r: dict[str, Any], w: Writer) -> str:
    variants = r["variants"]
    if r["total"] <= 0:
        restocks = sorted({v["restock_date"] for v in variants if v.get("restock_date")})
        if restocks:
            return w("stock.sold_out_restock", label=r["title"], restock=w.date(restocks[0]))
        return w("stock.sold_out", label=r["title"])
    if 1 < len(variants) <= _MAX_LIST:
        parts = [_part(v, w.label(list(v["options"].items())), w) for v in variants]
        return w("stock.breakdown", label=r["title"], parts=w.join(parts))
    sentence = w("stock.whole_in_stock", title=r["title"], total=r["total"])
    sold_out = [w.label(list(v["options"].items())) for v in variants if v["status"] == "sold_out"]
    if sold_out and len(sold_out) <= _MAX_LIST:
        sentence += text(w.lang, "clause_join") + w("stock.whole_sold_out_list", items=w.join(sold_out))
    return sentence


def _shipping(call: ToolCall, u: Understanding, w: Writer) -> str:
    error = _tool_error(call)
    if error:
        if error["code"] in ("unknown_option_value", "no_such_variant"):
            return _not_offered(error, w, "shipping.not_offered")
        if error["code"] == "unknown_destination":
            raise _Escalate("unknown_destination", "unknown_destination",
                            destination=u.destination.said if u.destination else "")
        if error["code"] == "ambiguous_destination":
            # A name the store ships to more than one place of: the viewer says which, nobody guesses.
            places = error["could_be"]
            return w("shipping.which_place", place=error["destination"],
                     choices=text(w.lang, "or_join").join(places), region=places[-1])
        if error["code"] == "outside_shipping_area":
            raise _Escalate("outside_area", "outside_area", destination=error.get("destination", ""))
        raise _Escalate("tool_error", message=error.get("message", ""))
    r = call.result
    label = w.label([(name, v) for name, values in (u.options or {}).items() for v in values]) or r["title"]
    if not r["in_stock"]:
        if r.get("restock_date"):
            return w("shipping.sold_out_restock", label=label, restock=w.date(r["restock_date"]))
        return w("shipping.sold_out", label=label)
    plan = r["plan"]
    when = w.date(plan["ship_date"])
    warehouse = w.place(plan["warehouse_name"], plan.get("warehouse_city"), plan["warehouse"])
    if r["presale"]:
        sentence = w("shipping.presale", when=when)
    elif plan["paid_before_cutoff"] is False:
        sentence = w("shipping.ship_after_cutoff", cutoff=plan["cutoff"], when=when, warehouse=warehouse)
    else:
        sentence = w("shipping.ship", when=when, warehouse=warehouse)
    if plan.get("days_min") is not None:
        days = str(plan["days_min"]) if plan["days_min"] == plan["days_max"] else w(
            "shipping.days_range", low=plan["days_min"], high=plan["days_max"])
        key = "shipping.delivery_same_day" if plan["deliver_from"] == plan["deliver_to"] else "shipping.delivery"
        sentence += text(w.lang, "clause_join") + w(
            key, carrier=plan.get("carrier") or "", destination=r["destination"], days=days,
            start=w.date(plan["deliver_from"], relative=False), end=w.date(plan["deliver_to"], relative=False))
    elif _ARRIVAL_WORDS.search(u.text.lower()):
        sentence += text(w.lang, "sentence_join") + w("shipping.ask_destination")
    return sentence


def _in_language(answer: str, w: Writer) -> str:
    """The merchant's own text, posted only when it is in the viewer's language; else a person relays it."""
    if other_language(answer, w.lang):
        raise _Escalate("other_language", "verbatim", text=answer)
    return answer


def _place_faq(call: ToolCall | None) -> str | None:
    """The merchant's own word on a destination (e.g. "we ship to mainland China only") beats the * row."""
    match = call.result.get("match") if call is not None and call.ok else None
    return match["answer"] if match and match.get("mentions_place") else None


def _with_note(answer: str, note: str | None, w: Writer) -> str:
    """The answer, then the merchant's note on the same place (a remote-area fee) when it is in the
    viewer's language and both still fit one chat message."""
    if not note:
        return answer
    try:
        _in_language(note, w)
    except _Escalate:
        return answer
    joined = answer + text(w.lang, "sentence_join") + note
    return joined if len(joined) <= _CHAT_CHARS else answer


def _outside_area(call: ToolCall, u: Understanding, w: Writer) -> str:
    match = call.result.get("match") if call.ok else None
    if match:
        return _in_language(match["answer"], w)
    destination = u.destination.said if u.destination else ""
    raise _Escalate("outside_area", "outside_area", destination=destination)


def _price(product_call: ToolCall, stock_call: ToolCall | None, w: Writer) -> str:
    if not product_call.ok:
        raise _Escalate("tool_error", message=product_call.result["error"]["message"])
    product = product_call.result["product"]
    if product is None:
        raise _Escalate("ambiguous_product")
    title = product["title"]
    if stock_call is not None:
        error = _tool_error(stock_call)
        if error:
            return _not_offered(error, w, "stock.not_offered")
        prices = sorted({v["price"] for v in stock_call.result["variants"]})
        requested = stock_call.result["requested"]
        label = w.label([(name, v) for name, values in requested.items() for v in values]) \
            if _single_values(requested) else ""
        if len(prices) == 1:
            return w("price.single", title=title, label=label, price=w.money(prices[0]))
        return w("price.range", title=title, low=w.money(prices[0]), high=w.money(prices[-1]))
    if product["price_min"] == product["price_max"]:
        return w("price.single", title=title, label="", price=w.money(product["price_min"]))
    return w("price.range", title=title, low=w.money(product["price_min"]), high=w.money(product["price_max"]))


def _figure(amount: float) -> str:
    """129 → "129", 72.6 → "72.6", 49.675 → "49.68": no trailing zeros a tool did not return."""
    return f"{amount:.0f}" if float(amount).is_integer() else f"{amount:.2f}".rstrip("0").rstrip(".")


def _facts(call: ToolCall, w: Writer) -> str:
    error = _tool_error(call)
    if error:
        raise _Escalate("no_such_fact" if error["code"] == "no_such_fact" else "tool_error",
                        topic=call.args.get("topic", ""), message=error.get("message", ""))
    r = call.result
    if not r["facts"] and r.get("options"):
        return text(w.lang, "sentence_join").join(
            w("info.option_values", title=r["title"] if i == 0 else "", option=_option_name(name, w),
              values=w.join([_english_colour(v) if w.lang == "en" else v for v in values[:12]]))
            for i, (name, values) in enumerate(r["options"].items()))
    names = text(w.lang, "fact_names")
    shown = list(r["facts"].items())[:3]
    # The fact as written is the answer: in the other language ("40 hours with ANC on" to a viewer
    # asking "续航多久"), a person (or the model, when one is set up) says it in the viewer's words;
    # figures, units and codes ("250 g", "IPX5") read the same in both and are posted.
    if any(other_language(_fact_value(key, value, w), w.lang) for key, value in shown):
        raise _Escalate("other_language", "verbatim", text="; ".join(f"{k}: {v}" for k, v in shown))
    parts = [w("info.fact", title=_before(r["title"], _fact_name(key, names, w.lang), w.lang) if i == 0 else "",
               name=_fact_name(key, names, w.lang), value=_fact_value(key, value, w))
             for i, (key, value) in enumerate(shown)]
    return text(w.lang, "info.fact_join").join(parts)


def _before(title: str, name: str, lang: str) -> str:
    """A title the Chinese template runs into the fact's name ("跑步鞋重量"), spaced when both sides are
    Latin ("GaN Fast Wall Charger compatible")."""
    latin = title[-1:].isascii() and title[-1:].isalnum() and name[:1].isascii()
    return title + " " if lang == "zh" and latin else title


def _fact_name(key: str, names: dict[str, str], lang: str) -> str:
    """The fact's name in the reply: the viewer's word for the key, else for the topic a key in the
    other language names ("净含量" → "net content", "water_resistance" → "防水"), else the key."""
    base = _UNIT_SUFFIX.sub("", key)
    name = names.get(key) or names.get(base)
    if name:
        return name
    words = base.replace("_", " ")
    if other_language(words, lang):
        topics = key_topics(key)
        if len(topics) == 1 and topics[0] in names:
            return names[topics[0]]
    return words


_UNIT_SUFFIX = re.compile(r"_(months?|days?|years?|g|kg|ml|cm|hours?|pct|percent)$")


def _fact_value(key: str, value: Any, w: Writer) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        unit = re.search(r"_(months?|days?|years?|g|kg|ml|cm|hours?|pct|percent)$", key)
        if unit:
            name = {"month": "months", "day": "days", "year": "years", "hour": "hours", "pct": "percent"}.get(
                unit.group(1), unit.group(1))
            return w(f"units.{name}", n=_figure(float(value)))
        return _figure(float(value))
    if isinstance(value, list):
        return w.join([str(v) for v in value])
    return str(value)


def _size(call: ToolCall, w: Writer) -> str:
    error = _tool_error(call)
    if error:
        raise _Escalate("no_size_chart" if error["code"] == "no_size_chart" else "tool_error",
                        message=error.get("message", ""))
    r = call.result
    if r["basis"] == "outside_chart" or not r["recommended"]:
        raise _Escalate("size_outside", "size_outside")
    height = w("size.height", cm=_figure(r["height_cm"])) if r["height_cm"] is not None else ""
    weight = w("size.weight", kg=_figure(r["weight_kg"])) if r["weight_kg"] is not None else ""
    size = r["recommended"]
    if r["basis"] == "between":
        smaller = r["by_weight"] if r["by_height"] == size else r["by_height"]
        sentence = w("size.between", height=height, weight=weight, smaller=smaller, larger=size, size=size)
    elif r["basis"] == "height":
        sentence = w("size.recommend_height", height=height, size=size)
    elif r["basis"] == "weight":
        sentence = w("size.recommend_weight", weight=weight, size=size)
    else:
        sentence = w("size.recommend", height=height, weight=weight, size=size)
    if r["stock"]:
        parts = []
        for v in r["stock"][:_MAX_LIST]:
            label = w.label([(name, val) for name, val in v["options"].items() if val != size]) or ""
            parts.append(_part(v, label, w))
        sentence += text(w.lang, "clause_join") + w("size.stock", size=size, parts=w.join(parts))
    return sentence


def _orders(call: ToolCall, w: Writer) -> str:
    """The viewer's open orders (paid or shipped), newest first; else the latest order."""
    if not call.ok:
        raise _Escalate("tool_error", message=call.result["error"]["message"])
    r = call.result
    if not r["found"]:
        return w("order.not_found") if r.get("asked_order_id") else w("order.none")
    orders = r["orders"]
    open_orders = [o for o in orders if o["status"] in ("paid", "shipped")]
    shown = (open_orders or orders[:2])[:3]
    lines = [_order_line(order, w) for order in shown]
    return text(w.lang, "sentence_join").join(lines)


def _order_line(order: dict[str, Any], w: Writer) -> str:
    tail = order["order_tail"]
    status = order["status"]
    if status == "paid":
        if order["overdue"] or not order.get("expected_ship_date"):
            return w("order.paid_no_date", tail=tail)  # no date to promise: say only what is true
        if order.get("expected_ship_date"):
            return w("order.paid", tail=tail, date=w.date(order["expected_ship_date"]))
        return w("order.paid_no_date", tail=tail)
    if status == "shipped":
        date = w.date(order["shipped_at"]) if order.get("shipped_at") else ""
        if order.get("tracking_tail"):
            return w("order.shipped", tail=tail, date=date, carrier=order.get("carrier") or "",
                     tracking=order["tracking_tail"])
        return w("order.shipped_no_tracking", tail=tail, date=date)
    if status == "delivered":
        date = w.date(order["delivered_at"]) if order.get("delivered_at") else ""
        return w("order.delivered", tail=tail, date=date)
    return w("order.cancelled", tail=tail)


def _policy(call: ToolCall) -> str:
    if not call.ok:
        raise _Escalate("no_faq")
    r = call.result
    if r["match"] is None:
        close = r["candidates"]
        raise _Escalate("ambiguous_faq" if close and close[0]["score"] >= 0.45 else "no_faq")
    return r["match"]["answer"]


def _carriers(faq: ToolCall, carriers: ToolCall, u: Understanding, w: Writer) -> str:
    """Which courier: the merchant's own FAQ answer when one fits; else the couriers the transit table
    names for the routes that apply. A courier the viewer would choose ("可以发顺丰吗") is answered
    from the couriers only when it is the one every route uses; whether it can be chosen is the
    merchant's to say. A route with no courier named leaves it to a person: none is made up."""
    match = faq.result.get("match") if faq.ok else None
    if match is not None:
        return _in_language(match["answer"], w)
    if not carriers.ok or carriers.result["unnamed"] or not carriers.result["carriers"]:
        raise _Escalate("no_carrier", "carrier")
    names: list[str] = carriers.result["carriers"]
    asked = (u.topic or "").partition(":")[2].lower()
    ours = [name for name in names if asked and (asked in name.lower() or name.lower() in asked)]
    if asked and ours != names:
        said = ours[0] if ours else asked.upper() if asked.isascii() and len(asked) <= 4 else asked
        raise _Escalate("carrier_choice", "carrier_choice", carrier=said, carriers=w.join(names))
    destination = carriers.result["destination"]
    key = ("one" if len(names) == 1 else "several") + ("_to" if destination else "")
    return w(f"carrier.{key}", carriers=w.join(names), destination=destination or "")


def _faq_fallback(call: ToolCall, fallback: tuple[str, str], w: Writer) -> str:
    match = call.result.get("match") if call.ok else None
    if match is None or match["score"] < _FALLBACK_SCORE:
        raise _Escalate(fallback[0], fallback[1])
    return _in_language(match["answer"], w)


def _size_or_tip(advice: ToolCall | None, tip: ToolCall | None, u: Understanding, w: Writer) -> str:
    """A size from the chart. Without a chart (or without a height and weight), the product's own
    sizing note ("偏大半码"), else ask for height and weight. Outside the chart: a person decides."""
    no_chart = advice is not None and not advice.ok and advice.result["error"]["code"] == "no_size_chart"
    if advice is not None and not no_chart:
        return _size(advice, w)
    if tip is not None and tip.ok:
        return _facts(tip, w)
    if advice is None:
        return w("size.ask_body")
    return _size(advice, w)


def _option_values(product_call: ToolCall, option: str, w: Writer, stock_call: ToolCall | None = None) -> str:
    """The values an option comes in ("what colours do you have"), then which of them are sold out
    in every variant, when the stock check says so (no figures: a value's stock is many variants')."""
    if not product_call.ok or product_call.result["product"] is None:
        raise _Escalate("ambiguous_product")
    product = product_call.result["product"]
    values = product["options"].get(option) or []
    if not values:
        raise _Escalate("unknown_question")
    shown = values[:12]
    show = _english_colour if w.lang == "en" else str
    sentence = w("info.option_values", title=product["title"], option=_option_name(option, w),
                 values=w.join([show(v) for v in shown]))
    if stock_call is None or not stock_call.ok:
        return sentence
    in_stock = {v["options"].get(option) for v in stock_call.result["variants"] if v["status"] != "sold_out"}
    sold_out = [v for v in shown if v not in in_stock]
    if not sold_out:
        return sentence + w("info.option_all_in_stock")
    if len(sold_out) == len(shown):
        return sentence + w("info.option_none_in_stock")
    return sentence + w("info.option_sold_out", values=w.join([show(v) for v in sold_out]))


_PLAIN_WORDS = re.compile(r"[a-z]+(?: [a-z]+)*")


def _option_name(option: str, w: Writer) -> str:
    """An option's name in a list of its values: the prompts' word for it, else its own name (in
    English, lower case and plural: "Wattage" → "wattages", "backrest height" → "backrest heights")."""
    names = text(w.lang, "option_names")
    name = names.get(option.lower())
    if name is not None:
        return name
    if w.lang != "en" or not option.isascii():
        return option
    lowered = option.lower()
    if not _PLAIN_WORDS.fullmatch(lowered):
        return option  # "Size (EU)", "Length (m)": as the merchant wrote it, not made plural
    if lowered.endswith(("s", "x", "z", "ch", "sh")):
        return lowered if lowered.endswith("s") else lowered + "es"  # "boxes", not "boxs"
    if lowered.endswith("y") and lowered[-2:-1] not in ("a", "e", "i", "o", "u"):
        return lowered[:-1] + "ies"
    return lowered + "s"


# --- answers from the knowledge index -------------------------------------------------------------

KNOWLEDGE_MARGIN = 0.02
"""How far the best passage must stand above the next for the offline path to answer from it. On the
labelled knowledge questions, a margin of 0.02 picked the right passage 99 % of the time (56 % of
questions); below it the passage only becomes the host's draft."""


@dataclass(frozen=True)
class KnowledgePick:
    confident: bool
    kind: str
    product_sku: str | None
    fact_key: str | None
    quote: str
    """What may be posted: an FAQ's answer or a corrected reply, word for word; for a fact, the
    product_facts call that follows supplies the words."""


def pick_passage(call: ToolCall) -> KnowledgePick | None:
    """The passage a knowledge search found, and whether it stands out enough to answer from."""
    if not call.ok or not call.result.get("passages"):
        return None
    first, *rest = call.result["passages"]
    source = first["source"]
    confident = not rest or first["score"] - rest[0]["score"] >= KNOWLEDGE_MARGIN
    text_ = first["text"]
    quote = text_
    for marker in ("\n答：", "\nA: ", "\n客服答：", "\nCustomer service answered: "):
        if marker in text_:
            quote = text_.split(marker, 1)[1].strip()
    return KnowledgePick(confident, source["kind"], source.get("product_sku"), source.get("fact_key"), quote)


def knowledge_draft(pick: KnowledgePick, facts: ToolCall | None, understood: Understanding, *, today: dt.date,
                    currency: str) -> Draft | None:
    """An answer built from a confidently found passage, or None (the escalation stands)."""
    w = Writer(understood.lang, today, currency)
    try:
        if pick.kind == "fact" and facts is not None:
            if not _about_what_was_asked(understood, facts):
                return None
            return Draft("answer", _facts(facts, w), "answered_knowledge")
        if pick.kind in ("faq", "correction"):
            return Draft("answer", _in_language(pick.quote, w), "answered_knowledge")
    except _Escalate:
        return None
    return None


def _about_what_was_asked(understood: Understanding, facts: ToolCall) -> bool:
    """Whether a fact found by meaning is about what the question's words named. A topic word read in
    the question must name the fact ("does it have ANC" is not answered by the nearest fact,
    "battery: 40 hours with ANC on"); else the question must share a word with the fact ("洗了会褪吗"
    and "care: …洗涤…掉色" do, "does it support aptx" and "battery: …" do not)."""
    if not facts.ok or not facts.result["facts"]:
        return False
    found: dict[str, Any] = facts.result["facts"]
    topic = understood.topic
    if topic and not topic.startswith("options:"):
        return bool(fact_keys_for(topic, list(found)) or facts_saying(topic, found))
    return any(says_something_asked(understood.text, key, value) for key, value in found.items())
