"""Understanding a viewer message: what is asked, about which product and variant, to where.

Extraction runs in a fixed order, each step masking the words it used so the next cannot read
them again: link number → body size → product name → destination → option values → order id.
Then cue phrases score the intents, and flags mark what needs a person (bargaining, complaints,
after-sales, health) or nobody (greetings, spam). Nothing here calls a tool or decides an answer.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from assistant import lexicon
from assistant.catalog.snapshot import StoreSnapshot
from assistant.matching import Vocabulary, vocabulary
from assistant.matching.measures import Body, find_body
from assistant.matching.places import Destination
from assistant.matching.products import ProductMention
from assistant.matching.terms import overlaps
from assistant.text import Normalised, han_count, latin_words, normalise
from tools.catalog import fact_keys_for, gives_amount, topic_asked, topic_of, topic_word
from tools.policy import faq_answer, faq_topical

Intent = Literal["stock", "shipping", "order_status", "product_info", "size_advice", "price", "policy", "other"]
Lang = Literal["zh", "en"]

# ASCII boundaries: Chinese text runs straight on from an order id ("DY2026112100123到哪了").
_ORDER_ID = re.compile(r"(?<![a-z0-9#])(#?[a-z]{0,4}\d{6,}[a-z0-9]*)(?![a-z0-9])", re.IGNORECASE)
_PHONE = re.compile(r"^1[3-9]\d{9}$")


@dataclass
class Understanding:
    text: str
    lang: Lang
    """The language to reply in."""
    mixed: bool
    intent: Intent
    scores: dict[str, float]
    also: list[Intent]
    """Further intents asked in the same message ("有货吗，发四川几天" → stock, also shipping)."""
    is_question: bool
    product: ProductMention | None
    product_source: Literal["named", "on_air", "implied", "none"]
    """implied: no product was named, but an option value only one product has was ("豆沙色")."""
    options: dict[str, list[str]]
    unavailable: dict[str, str]
    destination: Destination | None
    body: Body | None
    order_id: str | None
    topic: str | None
    flags: list[str] = field(default_factory=list)
    unsold: str | None = None
    """A kind of product the viewer asked for that the store does not sell ("面膜")."""

    @property
    def product_sku(self) -> str | None:
        return self.product.sku if self.product else None

    def record(self) -> dict[str, Any]:
        """What goes into the transcript (built by hand: this runs for every message)."""
        product = self.product
        destination = self.destination
        return {
            "text": self.text, "lang": self.lang, "mixed": self.mixed, "intent": self.intent,
            "scores": self.scores, "also": list(self.also), "is_question": self.is_question,
            "product": None if product is None else {
                "sku": product.sku, "via": product.via, "said": product.said, "score": product.score,
                "link_no": product.link_no},
            "product_source": self.product_source, "options": self.options, "unavailable": self.unavailable,
            "destination": None if destination is None else {
                "said": destination.said, "region": destination.region, "transit_key": destination.transit_key,
                "foreign": destination.foreign, "could_be": list(destination.could_be)},
            "body": None if self.body is None else {"height_cm": self.body.height_cm, "weight_kg": self.body.weight_kg},
            "order_id": self.order_id, "topic": self.topic, "flags": list(self.flags), "unsold": self.unsold,
        }


@dataclass(frozen=True)
class _Cues:
    intents: dict[str, list[tuple[re.Pattern[str], float]]]
    escalate: dict[str, list[re.Pattern[str]]]
    ignore: dict[str, list[re.Pattern[str]]]
    injection: list[re.Pattern[str]]
    others_data: list[re.Pattern[str]]
    about_host: list[re.Pattern[str]]
    question: list[re.Pattern[str]]
    carrier_which: list[re.Pattern[str]]
    carrier_named: list[re.Pattern[str]]


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    data = lexicon.intents()
    compile_all = lambda patterns: [re.compile(p, re.IGNORECASE) for p in patterns]  # noqa: E731
    return _Cues(
        intents={name: [(re.compile(p, re.IGNORECASE), float(w)) for p, w in rules]
                 for name, rules in data["intents"].items()},
        escalate={name: compile_all(rules) for name, rules in data["escalate"].items()},
        ignore={name: compile_all(rules) for name, rules in data["ignore"].items()},
        injection=compile_all(data["injection"]),
        others_data=compile_all(data["others_data"]),
        about_host=compile_all(data["about_host"]),
        question=compile_all(data["question"]),
        carrier_which=compile_all(data["carrier"]["which"]),
        carrier_named=compile_all(data["carrier"]["named"]),
    )


def understand(raw: str, store: StoreSnapshot, on_air_sku: str | None, user_id: str | None = None) -> Understanding:
    """Read one viewer message against the store's vocabulary (``user_id``: the asker, to notice
    questions about someone else's account)."""
    norm = normalise(raw)
    words = vocabulary(store)
    cues = _cues()
    text, lowered = norm.text, norm.lower
    spans: list[tuple[int, int]] = []

    # "#05多少钱" with a lip glaze on air whose shades are "#01 …" – "#05": the shade, not link 5.
    # "#06有吗" of shades "#01…#05": a shade it lacks, not link 6.
    codes = words.options(on_air_sku).hash_code_spans(text, store.by_link_no) if on_air_sku in store.products else []
    product = _product(text, words, spans, also_exclude=codes)
    source: Literal["named", "on_air", "implied", "none"] = "named" if product else "none"
    if product is None and on_air_sku in store.products:
        product = ProductMention(on_air_sku, "on_air", "", (0, 0), 1.0)
        source = "on_air"
    options: dict[str, list[str]] = {}
    unavailable: dict[str, str] = {}
    if product and product.sku:
        mentions = words.options(product.sku).find(text, spans)
        options, unavailable = mentions.selected, mentions.unavailable
        spans.extend(mentions.spans)
    # A size or colour of a product without sizes or colours ("XL" of a lip glaze) may name another
    # product or kind of product; a value its own options lack ("32码" of shoes) asks about this one.
    own_option = bool(options) or (product is not None and product.sku in store.products and any(
        name in store.products[product.sku].option_names for name in unavailable))
    unsold: str | None = None
    # A name guessed from a few shared words ("machine") gives way to the kind of thing named ("teddy bear").
    guessed = product is not None and product.via == "fuzzy"
    kind = words.types.find(text, spans) if (source in ("on_air", "none") or guessed) and not own_option else None
    if kind is not None and (product.sku if guessed and product else on_air_sku) not in kind.carriers:
        # "有没有面膜" names a kind of product: not a question about the one on air, unless it is one.
        spans.append(kind.span)
        product, source, unavailable = None, "none", {}
        if len(kind.carriers) == 1:
            sku = next(iter(kind.carriers))
            product, source = ProductMention(sku, "kind", kind.said, kind.span, 0.9), "named"
            mentions = words.options(sku).find(text, spans)
            options, unavailable = mentions.selected, mentions.unavailable
            spans.extend(mentions.spans)
        elif not kind.carriers:
            unsold = kind.said
    # "3岁能玩吗" is the child's age, not the "0-3岁" edition of another product.
    if source in ("on_air", "none") and not own_option and kind is None \
            and topic_of(lowered) != "age":
        implied = words.implied_product(text, spans)
        if implied is not None:
            product, source = implied.product, "implied"
            options, unavailable = implied.options.selected, implied.options.unavailable
            spans.extend(implied.options.spans)
    sizing = any(p.search(lowered) for p, _ in cues.intents["size_advice"])
    body = find_body(lowered, chinese=han_count(text) > 0, sizing=sizing, exclude=spans)
    spans.extend(body.spans)
    # Intent cues are read around the catalog words, so an option called "waterproof" or a product
    # called "保温杯" does not sound like a question about facts or warmth.
    masked = _mask(lowered, spans)
    scores = {name: sum(w for p, w in rules if p.search(masked)) for name, rules in cues.intents.items()}
    if topic_of(masked) and not scores["product_info"]:
        scores["product_info"] += 2  # "含绒量多少", "how thick is it": a fact the catalog may hold
    facts = store.products[product.sku].facts if product and product.sku in store.products else {}
    named_fact = _fact_named(masked, facts)
    destination = words.places.find(text, spans, shipping_context=scores.get("shipping", 0) > 0)
    if destination is None and scores.get("shipping", 0) > 0:
        destination = words.places.slot(text, spans)  # "ship to Torronto": a person answers, nobody guesses
    if destination:
        spans.append(destination.span)
    if named_fact is None and facts and destination is None and not topic_of(masked) \
            and not any(v for k, v in scores.items() if k not in ("stock", "product_info")) \
            and not ((options or unavailable) and scores["stock"]):
        # Nothing else asked ("does the pro have LDAC", "有没有通透模式", "透气吗"): a word of a fact's value.
        info = store.products[product.sku]  # type: ignore[union-attr]
        named_fact = _fact_value_named(masked, facts, [v for name in info.option_names for v in info.option_values(name)],
                                       [n.lower() for n in (info.title, info.title_en or "", *info.aliases) if n])
    if (named_fact or topic_of(masked)) and not options and not unavailable and scores["product_info"] <= scores["stock"]:
        scores["product_info"] += 1  # "精华有没有防晒": whether it has that, not whether it is in stock
    if named_fact:
        scores["product_info"] += 3  # "鞋面什么材质", "is it dry treated": the catalog's own word for a fact
    elif destination is None and scores["shipping"] and scores["product_info"] == scores["shipping"] \
            and topic_of(masked):
        scores["product_info"] += 1  # "how long does the battery last": how long it lasts, not how long to ship
    order_id = _order_id(text, spans) or _order_tail(text) or (
        _order_code(text, spans) if scores.get("order_status", 0) else None)
    flags = _flags(norm, cues, user_id)
    is_question = any(p.search(lowered) for p in cues.question)
    asked = None
    listed = options
    if product is not None and product.sku in store.products:
        # Read around the option values named: "黑色有哪些码" asks for sizes, not colours ("色").
        questions = words.questions(product.sku)  # type: ignore[arg-type]
        asked = questions.find(masked, bare=masked.strip(" ?？!！.。~")
                               if _BARE_WORD.fullmatch(masked) and not options and not unavailable else None)
        if asked is not None and asked.option and set(options) == {asked.option} and questions.others(masked):
            listed = {}  # "除了黑色还有什么颜色": the other colours, not black's stock
    asked_option = asked.option if asked is not None else None
    lang, mixed = _language(norm, spans, store)
    fact_topic = named_fact or topic_asked(masked)
    info = store.products.get(product.sku or "") if product else None
    if fact_topic and not named_fact and options and info is not None and fact_keys_for(fact_topic, info.option_names):
        fact_topic = None  # "red waterproof 20hrs?": variant words, one naming an option (water resistance)
    if asked is not None and asked.option is None and not fact_topic and not options and not unavailable \
            and not body.any and not any(v for k, v in scores.items() if k not in ("stock", "product_info")):
        # "what colours do you have" of a charger sold by wattage: it does not come in colours.
        unavailable = {asked.kind: asked.said}
    intent, also = _decide_intent(scores, body, order_id, destination, listed, unavailable, product, source,
                                  is_question, asked_option, fact_topic, "injection" in flags)
    if intent in ("stock", "product_info") and not also and not options and not unavailable and named_fact is None \
            and not asked_option and not body.any and order_id is None and _faq_instead(masked, store, intent, source):
        intent = "policy"
    topic = None
    if intent == "product_info":
        # "有哪些口味", "小熊有几个尺寸": the option asked for by name lists its values, before a fact
        # the topic word might find; a fact the catalog names ("鞋面") still answers.
        topic = f"options:{asked_option}" if asked_option and not named_fact else fact_topic
    carrier = _carrier_asked(masked, cues) if intent in ("shipping", "policy", "other") and order_id is None else None
    if carrier is not None and (destination is None or product is None or destination.foreign or destination.could_be):
        # "发货用什么快递", "可以发顺丰吗": which courier, a store-wide rule (a shipping estimate to a
        # place names its courier already); "carrier:顺丰" when the viewer names one.
        intent, also, topic = "policy", [], f"carrier:{carrier}" if carrier else "carrier"
    return Understanding(
        text=text, lang=lang, mixed=mixed, intent=intent, scores={k: v for k, v in scores.items() if v},
        also=also, is_question=is_question, product=product, product_source=source, options=options,
        unavailable=unavailable, destination=destination, body=body if body.any else None, order_id=order_id,
        topic=topic, flags=flags, unsold=unsold,
    )


def _carrier_asked(masked: str, cues: _Cues) -> str | None:
    """The courier a viewer asks to have it sent by ("可以发顺丰吗" → "顺丰"), "" when they ask which
    courier ("发什么快递"), None when they ask neither."""
    for pattern in cues.carrier_named:
        match = pattern.search(masked)
        if match:
            return match.group("carrier")
    return "" if any(p.search(masked) for p in cues.carrier_which) else None


_FAQ_OVER_STOCK = 0.55
"""How well the FAQ must fit "有礼品袋吗" (the shape of a stock question, about no variant) to answer it."""
_FAQ_OVER_FACT = 0.7
"""How well the FAQ must fit a question a topic word led to a fact ("电池要自己买吗" → 续航) to answer
it instead: it asks nearly the same question ("电池需要自己买吗")."""


def _faq_instead(masked: str, store: StoreSnapshot, intent: str, source: str) -> bool:
    """Whether the merchant's FAQ answers what reads as a stock or fact question better.

    "有检测报告吗", "有礼品袋吗" with a toy on air are not about its stock: the product's own words are
    masked out, so the FAQ must share something else the question is about (a product named and asked
    "有吗" of is stock). A fact a topic word led to gives way only when the FAQ also covers what the
    question says beyond that word: "电池要自己买吗" is 电池 and 自己买, which "电池需要自己买吗"
    answers and the RC car's battery life does not; "保质期多久" is only 保质期, the product's own fact.
    """
    if not store.faqs or (intent == "stock" and source == "named"):
        return False
    match = faq_answer(store, masked)
    if match is None or match.score < (_FAQ_OVER_STOCK if intent == "stock" else _FAQ_OVER_FACT):
        return False
    if intent == "stock":
        return True
    found = topic_word(masked)
    rest = masked.replace(found[1], " ") if found else masked
    return faq_topical(rest, match)


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)


_BARE_WORD = re.compile(r"[\s?？!！.。~]*[a-z\u4e00-\u9fff]+[\s?？!！.。~]*")
"""Nothing but one word beside the product's name ("jacket sizes?", "颜色？")."""


def _product(text: str, words: Vocabulary, spans: list[tuple[int, int]],
             also_exclude: Sequence[tuple[int, int]] = ()) -> ProductMention | None:
    mention = words.products.find(text, [*spans, *also_exclude])
    if mention and mention.span != (0, 0):
        spans.append(mention.span)
    return mention


def _order_id(text: str, spans: list[tuple[int, int]]) -> str | None:
    for match in _ORDER_ID.finditer(text):
        if any(match.start() < e and s < match.end() for s, e in spans) or _PHONE.match(match.group(1)):
            continue
        return match.group(1)
    return None


_ORDER_CODE = re.compile(r"(?<![a-z0-9#-])(#?[a-z]{2,5}-\d{3,}[a-z0-9]*)(?![a-z0-9-])", re.IGNORECASE)


def _order_code(text: str, spans: list[tuple[int, int]]) -> str | None:
    """A short order number in the shape "ORD-2001", read only where the message is about orders."""
    for match in _ORDER_CODE.finditer(text):
        if not overlaps(match.span(), spans):
            return match.group(1)
    return None


_ACCOUNT = re.compile(r"(?<![a-z0-9])([a-z]{2,12}):([a-z0-9_\-]{3,40})(?![a-z0-9])", re.IGNORECASE)


_TAIL = re.compile(r"尾号\s*(\d{4,6})|ending (?:in )?(\d{4,6})", re.IGNORECASE)


def _order_tail(text: str) -> str | None:
    """"尾号8032的单": the viewer quotes the end of their order number, as replies show it."""
    match = _TAIL.search(text)
    return (match.group(1) or match.group(2)) if match else None


def _flags(norm: Normalised, cues: _Cues, user_id: str | None) -> list[str]:
    lowered = norm.lower
    flags = [name for name, patterns in cues.escalate.items() if any(p.search(lowered) for p in patterns)]
    flags += [name for name, patterns in cues.ignore.items() if any(p.search(lowered) for p in patterns)]
    if any(p.search(lowered) for p in cues.injection):
        flags.append("injection")
    if any(p.search(lowered) for p in cues.others_data) or _names_another_account(lowered, user_id):
        flags.append("others_data")
    if any(p.search(lowered) for p in cues.about_host):
        flags.append("about_host")
    if norm.empty:
        flags.append("emoji_only" if norm.original.strip() else "empty")
    return flags


def _names_another_account(lowered: str, user_id: str | None) -> bool:
    """"douyin:7712的订单", "我是kuaishou:550912": an account id in a message that is not the asker's."""
    own = (user_id or "").lower()
    return any(m.group(0) != own for m in _ACCOUNT.finditer(lowered) if m.group(1) not in ("http", "https"))


def _language(norm: Normalised, spans: list[tuple[int, int]], store: StoreSnapshot) -> tuple[Lang, bool]:
    """Reply in the viewer's language: catalog words (titles, sizes, colours) do not count."""
    chars = list(norm.text)
    for start, end in spans:
        for i in range(start, min(end, len(chars))):
            chars[i] = " "
    rest = "".join(chars)
    han, english = han_count(rest), len(latin_words(rest))
    if han and english:
        return ("en" if english >= 2 and english * 2 > han else "zh"), True
    if han:
        return "zh", False
    if english:
        return "en", False
    # Only catalog words or figures ("XL?", "#3"): the store's own language.
    return ("zh" if store.language == "zh" else "en"), False


_GENERIC_FACT_WORDS = {"size", "color", "colour", "price", "stock", "ship", "shipping", "note", "info", "tip", "type",
                       "the", "and", "for", "with", "per", "max", "min"}


def _fact_named(lowered: str, facts: dict[str, object]) -> str | None:
    """The product's fact whose key the question names ("鞋面", "diameter", "keeps_cold" in "keep
    drinks cold"), the longest such key; None when none is named."""
    words = {w.rstrip("s") for w in re.findall(r"[a-z]+", lowered)}
    best: str | None = None
    for key in facts:
        name = key.lower().strip()
        if not name.isascii():
            named = len(name) >= 2 and name in lowered
        else:
            parts = [w.rstrip("s") for w in re.split(r"[^a-z]+", name) if w]
            content = [w for w in parts if len(w) >= 3 and w not in _GENERIC_FACT_WORDS]
            named = bool(content) and all(w in words for w in content)
        if named and (best is None or len(key) > len(best)):
            best = key
    return best


_FUNCTION_WORDS_EN = {
    "the", "and", "for", "with", "does", "did", "have", "has", "had", "you", "your", "this", "that", "these", "those",
    "they", "them", "its", "are", "was", "were", "will", "would", "can", "could", "should", "what", "which", "who",
    "how", "when", "where", "why", "much", "many", "any", "some", "left", "still", "get", "got", "there", "here",
    "not", "but", "all", "one", "ones", "come", "comes", "please", "thanks", "want", "need", "like", "just", "also",
    "about", "from", "into", "out", "more", "most", "very", "too", "than", "then", "only", "each", "other", "same",
    "stock", "price", "cost", "ship", "ships", "shipping", "order", "buy", "sell", "available", "version", "model",
    "size", "color", "colour", "type", "kind", "work", "works", "use", "used", "good", "well", "long", "time",
}
_FUNCTION_WORDS_ZH = re.compile(
    r"有没有|没有|还有|有吗|是不是|是否|能不能|可不可以|可以|这个|这款|那个|请问|主播|什么|怎么|多少|一下|支持|带不带|带|有|吗|呢|的|了|是|能|吧|啊|呀|嘛")


def _fact_value_named(masked: str, facts: dict[str, object], option_values: Collection[str],
                      names: Collection[str] = ()) -> str | None:
    """The product's fact whose value holds a distinctive word of the question: "does the pro have
    LDAC" finds ``pro_extras: "Pro adds LDAC, …"``, "有没有通透模式" finds ``功能: "主动降噪，通透模式"``;
    the fact with the longest such word, None when none does. A word that names one of the product's option
    values ("2-piece") asks about that variant, not a fact. A fact giving an amount of something
    else is not about the word: "does it have aptx" is not answered by "battery: 30 hours with aptX"."""
    if not facts:
        return None
    option_words = {w for value in option_values for w in re.split(r"[^a-z0-9\u4e00-\u9fff]+", value.lower()) if w}
    values = {key: str(value).lower() for key, value in facts.items()
              if isinstance(value, (str, list)) and not gives_amount(key)}
    best: tuple[int, str] | None = None
    for word in set(re.findall(r"[a-z][a-z0-9+\-]{2,}", masked)) - _FUNCTION_WORDS_EN - option_words:
        for key, value in values.items():
            if re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", value) and (best is None or len(word) > best[0]):
                best = (len(word), key)
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", _FUNCTION_WORDS_ZH.sub(" ", masked)):
        # "这双鞋透气吗" runs on from the words around "透气": the longest piece a value holds counts,
        # not a piece of the product's own name ("鞋") or of an option value.
        for piece in _pieces(run):
            if piece in option_words or any(piece in name for name in names):
                continue
            found = [key for key, value in values.items() if piece in value]
            if found:
                if best is None or len(piece) > best[0]:
                    best = (len(piece), found[0])
                break
    return best[1] if best else None


def _pieces(run: str) -> list[str]:
    """Every piece of two or more characters of ``run``, longest first."""
    return [run[i:i + n] for n in range(len(run), 1, -1) for i in range(len(run) - n + 1)]


def _decide_intent(scores: dict[str, float], body: Body, order_id: str | None, destination: Destination | None,
                   options: dict[str, list[str]], unavailable: dict[str, str], product: ProductMention | None,
                   source: str, is_question: bool, asked_option: str | None, fact_topic: str | None,
                   injected: bool) -> tuple[Intent, list[Intent]]:
    ranked = sorted(((v, k) for k, v in scores.items() if v > 0), reverse=True)
    if body.any and (scores.get("size_advice", 0) or not ranked
                     or ranked[0][1] in ("stock", "price", "product_info")):
        top: str = "size_advice"
    elif order_id:
        top = "order_status"
    elif ranked:
        top = ranked[0][1]
        if top in ("stock", "shipping") and scores.get("order_status", 0) >= 3:
            top = "order_status"
        # "Do you ship internationally?", "包邮吗", "积分怎么用": store policy, unless a variant or a
        # place was named.
        if top in ("shipping", "price", "stock", "product_info") and scores.get("policy", 0) >= scores[top] \
                and not options and destination is None:
            top = "policy"
        # Words from an injected instruction ("说包邮") must not turn "发到成都几天" into a policy question.
        if injected and top == "policy" and destination is not None and scores.get("shipping", 0):
            top = "shipping"
        # "red waterproof 20hrs?": variant words and no fact asked about read as a stock question.
        if top == "product_info" and options and fact_topic is None and not asked_option:
            top = "stock"
        # "四件套有几个颜色", "what colours do you have", "还有哪些颜色": the values of an option, listed
        # (with which are sold out), not the stock of every variant.
        if top == "stock" and asked_option and not options and not unavailable:
            top = "product_info"
        # "黑色有哪些码", "size 8 left?": the variants of the values named, with their stock.
        if top == "product_info" and asked_option and options:
            top = "stock"
    elif asked_option is not None:
        top = "stock" if options else "product_info"
    elif destination is not None and product is not None:
        top = "shipping"
    elif options or unavailable:
        top = "stock"  # "黑色XL?", "XL" alone: a variant named is a question about its stock
    else:
        top = "other"
    also: list[Intent] = []
    if top in ("stock", "shipping", "price", "size_advice"):
        for name in ("stock", "shipping", "price"):
            if name != top and scores.get(name, 0) >= 2:
                also.append(name)  # type: ignore[arg-type]
        if top != "shipping" and destination is not None and "shipping" not in also:
            also.append("shipping")
    return top, also  # type: ignore[return-value]

