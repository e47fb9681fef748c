"""Planning: from an understanding to the tool calls that can answer it, or to a person, or to nothing.

:class:`RulePlanner` is the offline planner: no model, microseconds, and it refuses rather than
guesses. It decides up front what needs a person (bargaining, complaints, after-sales, health,
other viewers' data, a product it cannot tell) and what is not for the shop (greetings, spam),
and otherwise lists the calls whose results the composer turns into words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from assistant.understand import Intent, Understanding

Action = Literal["answer", "escalate", "ignore"]

# What needs a person, checked in this order (the first that applies is the reason).
_ESCALATE_FLAGS = ("others_data", "complaint", "after_sales", "health", "bargain")
_PRODUCT_INTENTS = {"stock", "shipping", "price", "product_info", "size_advice"}


@dataclass
class Step:
    """One tool call the plan needs, and which part of the answer it serves."""

    tool: str
    args: dict[str, Any]
    purpose: str


@dataclass
class Plan:
    action: Action
    intent: Intent
    steps: list[Step] = field(default_factory=list)
    also: list[Intent] = field(default_factory=list)
    reason: str = "answered"
    reason_vars: dict[str, Any] = field(default_factory=dict)
    draft: str | None = None
    """For an escalation decided before any tool runs: the key of the draft in prompts."""
    confidence: float = 1.0
    planner: str = "offline"
    fallback: tuple[str, str] | None = None
    """(reason, draft) to escalate with when the store's FAQ turns out not to answer after all."""


class Planner(Protocol):
    name: str

    def plan(self, understood: Understanding) -> Plan: ...


class RulePlanner:
    """The offline planner."""

    name = "offline"

    def plan(self, understood: Understanding) -> Plan:
        u = understood
        early = self._triage(u)
        if early is not None:
            return early
        plan = Plan(action="answer", intent=u.intent, also=list(u.also), confidence=_confidence(u))
        if u.intent in _PRODUCT_INTENTS or any(i in _PRODUCT_INTENTS for i in u.also):
            missing = self._product_problem(u)
            if missing is not None:
                return missing
            plan.steps.append(self._find_product(u))
        for intent in [u.intent, *u.also]:
            plan.steps.extend(self._steps_for(intent, u))
        return plan

    def _triage(self, u: Understanding) -> Plan | None:
        """Decisions that need no tool: nothing to answer, or a person must."""
        flags = set(u.flags)
        if "empty" in flags or "emoji_only" in flags:
            return Plan("ignore", "other", reason="empty" if "empty" in flags else "emoji_only", confidence=1.0)
        if "spam" in flags:
            return Plan("ignore", "other", reason="spam", confidence=0.95)
        if "injection" in flags and u.intent in _PRODUCT_INTENTS | {"policy"}:
            # The instruction part is ignored (the planner only calls tools); the shop question is answered.
            flags.discard("others_data")
        for flag in _ESCALATE_FLAGS:
            if flag in flags:
                return Plan("escalate", u.intent, reason=flag, draft=flag, confidence=0.9)
        if "injection" in flags and u.intent == "other":
            return Plan("ignore", "other", reason="injection", confidence=0.9)
        if u.unsold is not None and (u.intent in _PRODUCT_INTENTS or u.intent == "other"):
            # A kind of product no catalog entry is: the product on air must not answer for it.
            return Plan("escalate", u.intent, reason="not_sold", reason_vars={"item": u.unsold}, draft="not_sold",
                        confidence=0.6)
        if "about_host" in flags:
            return Plan("escalate", "other", reason="unknown_question", draft="generic", confidence=0.5)
        if u.intent == "other":
            if "chitchat" in flags or not u.is_question:
                return Plan("ignore", "other", reason="chitchat" if "chitchat" in flags else "not_a_question",
                            confidence=0.9)
            return _faq_or(u, "unknown_question", "generic")
        if "chitchat" in flags and not u.is_question and u.product_source != "named" and not u.options:
            return Plan("ignore", "other", reason="chitchat", confidence=0.8)
        return None

    def _product_problem(self, u: Understanding) -> Plan | None:
        if u.product is None:
            # A general question may be the store's FAQ: "is shipping free?", "do you ship to Canada?",
            # "有礼品袋吗", "电池要自己买吗" (the FAQ must share what it is about, not only "多少" or
            # "when … ship"); "when does it ship?" or "发成都几天" about no product needs the host.
            if u.destination is None or u.destination.foreign:
                return _faq_or(u, "no_product", "no_product")
            return Plan("escalate", u.intent, reason="no_product", draft="no_product", confidence=0.5)
        if u.product.sku is None:
            return Plan("escalate", u.intent, reason="unknown_link", reason_vars={"link_no": u.product.link_no},
                        draft="unknown_link", confidence=0.5)
        return None

    @staticmethod
    def _find_product(u: Understanding) -> Step:
        assert u.product is not None
        if u.product.via == "link_no":
            return Step("find_product", {"link_no": u.product.link_no}, "product")
        if u.product_source == "on_air":
            return Step("find_product", {"on_air": True}, "product")
        if u.product_source == "implied" or u.product.via == "kind":
            return Step("find_product", {"query": u.product.sku}, "product")
        return Step("find_product", {"query": u.product.said or u.product.sku}, "product")

    def _steps_for(self, intent: Intent, u: Understanding) -> list[Step]:
        sku = u.product_sku
        options = _option_args(u)
        if intent == "stock":
            return [Step("check_stock", {"product_sku": sku, "options": options}, "stock")]
        if intent == "shipping":
            args: dict[str, Any] = {"product_sku": sku, "options": options}
            steps = []
            if u.destination is not None:
                if u.destination.foreign:
                    return [Step("store_policy", {"question": _international(u.text)}, "outside_area")]
                args["destination"] = u.destination.said
                if u.destination.transit_key is None:
                    # Only the "*" row covers it: the merchant's FAQ may say more (e.g. no Hong Kong).
                    steps.append(Step("store_policy", {"question": u.text}, "destination_policy"))
            return [Step("estimate_shipping", args, "shipping"), *steps]
        if intent == "price":
            steps = []
            if options:
                steps.append(Step("check_stock", {"product_sku": sku, "options": options}, "price"))
            return steps
        if intent == "product_info":
            if u.topic and u.topic.startswith("options:"):
                # The values come with find_product; the stock says which of them are sold out.
                return [Step("check_stock", {"product_sku": sku, "options": None}, "option_stock")]
            return [Step("product_facts", {"product_sku": sku, "topic": u.topic or u.text}, "product_info")]
        if intent == "size_advice":
            # The product's own sizing note answers when there is no chart (shoes: "偏大半码").
            tip = Step("product_facts", {"product_sku": sku, "topic": "fit"}, "size_tip")
            if u.body is None:
                return [tip]
            return [Step("size_advice", {"product_sku": sku, "height_cm": u.body.height_cm,
                                         "weight_kg": u.body.weight_kg}, "size_advice"), tip]
        if intent == "order_status":
            args: dict[str, Any] = {"order_id": u.order_id} if u.order_id else {}
            if u.product_source == "named" and u.product is not None and u.product.sku:
                args["product_sku"] = u.product.sku  # "我的围巾发了吗": that order
            return [Step("order_status", args, "order_status")]
        if intent == "policy":
            foreign = u.destination is not None and u.destination.foreign
            steps = [Step("store_policy", {"question": _international(u.text) if foreign else u.text}, "policy")]
            if u.topic and u.topic.startswith("carrier") and not foreign:
                # Which courier: the merchant's FAQ first, else the couriers the transit table names.
                place = u.destination.said if u.destination is not None and not u.destination.could_be else None
                steps.append(Step("shipping_carriers", {"destination": place} if place else {}, "carriers"))
            return steps
        return []


def _faq_or(u: Understanding, reason: str, draft: str) -> Plan:
    """Before asking a person, see whether the merchant's FAQ answers it ("积分怎么用", "do you take paypal")."""
    question = _international(u.text) if u.destination is not None and u.destination.foreign else u.text
    return Plan("answer", u.intent, steps=[Step("store_policy", {"question": question}, "policy")],
                confidence=0.75, fallback=(reason, draft))


def _international(text: str) -> str:
    """A place abroad makes it a question about international shipping, whatever words it used."""
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in text)
    return f"{text} {'海外 国外' if chinese else 'international'}"


def _option_args(u: Understanding) -> dict[str, Any] | None:
    args: dict[str, Any] = {name: values for name, values in u.options.items()}
    for name, term in u.unavailable.items():
        args.setdefault(name, term)
    return args or None


def _confidence(u: Understanding) -> float:
    """How sure the offline reading is: the product's source and the intent's margin."""
    score = 1.0
    if u.product is not None:
        score *= {"link_no": 1.0, "sku": 1.0, "title": 0.98, "alias": 0.97, "on_air": 0.95, "option": 0.85}.get(
            u.product.via, u.product.score)
    rivals = sorted((v for k, v in u.scores.items() if k != u.intent and k not in u.also), reverse=True)
    top = u.scores.get(u.intent, 0.0)
    if rivals and top - rivals[0] < 1 and u.intent not in ("size_advice", "order_status"):
        score *= 0.85  # another reading nearly ties, and it is not one we answer as well
    if not u.scores:
        score *= 0.85  # the intent was inferred from what was named, not from how it was asked
    if "injection" in u.flags:
        score *= 0.9
    return round(score, 3)
