"""The store's knowledge as passages: one text per thing a viewer may ask, with a stable id.

=====================  ===============================  =============================================
kind                   id                               text (one passage each)
=====================  ===============================  =============================================
``fact``               ``fact:<SKU>:<fact key>``        the product's names, the fact's name, its value
``chart``              ``chart:<SKU>``                  the product's names and its whole size chart
``faq``                ``faq:<sha1 of the question>``   the question and its answer
``correction``         ``correction:<id>``              the viewer's question and the corrected reply
=====================  ===============================  =============================================

Every passage carries the product's title, English title and aliases: a viewer names
the product in their own words, and the embedding only finds what the text says. A fact's name
is spelled out in the store's language from the fact-topic lexicon ("material" → 材质 面料 成分),
since the keys are often English while viewers ask in Chinese. Nothing here imports chromadb.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from assistant import lexicon, models
from assistant.catalog.snapshot import ProductInfo, StoreSnapshot

KINDS = ("fact", "chart", "faq", "correction")
STORE_WIDE = ""
"""``product_sku`` of passages that belong to no product (FAQs, corrections about no product)."""
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LABEL_WORDS = 3


@dataclass(frozen=True)
class PassageDoc:
    """One passage as it is indexed."""

    id: str
    kind: str
    text: str
    """What is embedded: the statement plus the words viewers search it by."""
    product_sku: str = STORE_WIDE
    extra: dict[str, str] = field(default_factory=dict)
    """fact_key (facts), question (FAQs), correction_id and transcript_id (corrections)."""
    display: str = ""
    """What a search returns to quote from: the statement alone (search words such as "机洗 手洗"
    beside a fact that says 不可机洗 must never be read as facts). Empty: the same as ``text``."""

    def metadata(self, embedder: str) -> dict[str, str]:
        meta = {"kind": self.kind, "product_sku": self.product_sku, **self.extra,
                "display": self.display or self.text}
        return meta | {"content_hash": content_hash(self.text, self.kind, self.product_sku, meta, embedder)}


def content_hash(text: str, kind: str, product_sku: str, extra: dict[str, Any], embedder: str) -> str:
    """What decides whether a stored passage is still current: its text, its metadata and the model."""
    canonical = json.dumps([embedder, kind, product_sku, extra, text], ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()


def faq_id(question: str) -> str:
    return "faq:" + hashlib.sha1(question.strip().encode("utf-8")).hexdigest()


def fact_id(sku: str, key: str) -> str:
    return f"fact:{sku}:{key}"


def chart_id(sku: str) -> str:
    return f"chart:{sku}"


def correction_id(row_id: int) -> str:
    return f"correction:{row_id}"


def is_chinese(text: str) -> bool:
    return _HAN.search(text) is not None


# --- products ----------------------------------------------------------------------------------

def product_names(product: ProductInfo, lang: str) -> str:
    """"加绒连帽卫衣（Fleece-lined hoodie；又名 卫衣、hoodie）" — every name a viewer may use.

    The link number is left out: it did not help retrieval (an embedding barely tells 3 from 13;
    "3号链接" is resolved to a product by the rules, which then pass ``product_sku``).
    """
    names = [product.title]
    if product.title_en and product.title_en.strip().lower() != product.title.strip().lower():
        names.append(product.title_en)
    aliases = [a for a in product.aliases if a.strip().lower() not in {n.strip().lower() for n in names}]
    if lang == "zh":
        extra = "；".join(names[1:] + (["又名 " + "、".join(aliases)] if aliases else []))
        return names[0] + (f"（{extra}）" if extra else "")
    extra = ", ".join(names[1:] + (["also called " + ", ".join(aliases)] if aliases else []))
    return names[0] + (f" ({extra})" if extra else "")


def fact_label(key: str, lang: str) -> str:
    """The fact's name for a viewer: the key in words, then what viewers call that topic.

    "shelf_life_months" → "shelf life months 保质期 过期 能放多久" in a Chinese store.
    """
    words = key.replace("_", " ").replace("-", " ").strip()
    lowered = key.lower()
    parts = set(re.split(r"[\s_\-]+", lowered))
    asked: list[str] = []
    for entry in lexicon.topics().values():
        hints = [h.lower() for h in entry["keys"]]
        if lowered in hints or parts & set(hints) or any(h in lowered for h in hints if len(h) >= 4 or not h.isascii()):
            mine = [w for w in entry["ask"] if is_chinese(w) == (lang == "zh")]
            asked.extend(w for w in mine[:_LABEL_WORDS] if w not in asked and w.lower() not in words.lower())
    return " ".join([words, *asked[: 2 * _LABEL_WORDS]])


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def fact_passage(product: ProductInfo, key: str, value: Any, lang: str) -> PassageDoc:
    separator = "：" if lang == "zh" else ": "
    text = f"{product_names(product, lang)} · {fact_label(key, lang)}{separator}{_value(value)}"
    display = f"{product.title} · {key.replace('_', ' ')}{separator}{_value(value)}"
    return PassageDoc(fact_id(product.sku, key), "fact", text, product.sku, {"fact_key": key}, display)


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _range(bounds: Any, unit: str) -> str:
    if isinstance(bounds, (list, tuple)) and len(bounds) == 2:
        return f"{_number(bounds[0])}-{_number(bounds[1])}{unit}"
    return f"{_number(bounds)}{unit}"


def _chart_row(row: dict[str, Any], lang: str) -> str:
    """"M码 身高155-165cm 体重45-55kg" / "size M: height 155-165 cm weight 45-55 kg"."""
    size, height, weight = row.get("size", "?"), row.get("height_cm"), row.get("weight_kg")
    others = [(k, _value(v)) for k, v in row.items() if k not in ("size", "height_cm", "weight_kg")]
    if lang == "zh":
        bits = [f"{size}码"] + ([f"身高{_range(height, 'cm')}"] if height else [])
        bits += ([f"体重{_range(weight, 'kg')}"] if weight else []) + [f"{k}{v}" for k, v in others]
    else:
        bits = [f"size {size}:"] + ([f"height {_range(height, ' cm')}"] if height else [])
        bits += ([f"weight {_range(weight, ' kg')}"] if weight else []) + [f"{k} {v}" for k, v in others]
    return " ".join(bits)


def chart_passage(product: ProductInfo, lang: str) -> PassageDoc:
    rows = [_chart_row(row, lang) for row in product.size_chart]
    if lang == "zh":
        chart = "尺码表（按身高体重）：" + "；".join(rows)
        text = f"{product_names(product, 'zh')} · 穿几码 选码 {chart}"
    else:
        chart = "size chart (by height and weight): " + "; ".join(rows)
        text = f"{product_names(product, 'en')} · what size to get, {chart}"
    return PassageDoc(chart_id(product.sku), "chart", text, product.sku, display=f"{product.title} · {chart}")


# --- store-wide --------------------------------------------------------------------------------

def faq_passage(question: str, answer: str) -> PassageDoc:
    if is_chinese(question + answer):
        text = f"问：{question}\n答：{answer}"
    else:
        text = f"Q: {question}\nA: {answer}"
    return PassageDoc(faq_id(question), "faq", text, STORE_WIDE, {"question": question})


def correction_passage(row_id: int, transcript_id: int, question: str, reply: str, product_sku: str | None,
                       product: ProductInfo | None, lang: str) -> PassageDoc:
    about = f"{product_names(product, lang)} · " if product else ""
    if is_chinese(question + reply):
        text = f"{about}观众问：{question}\n客服答：{reply}"
    else:
        text = f"{about}Viewer asked: {question}\nCustomer service answered: {reply}"
    return PassageDoc(correction_id(row_id), "correction", text, product_sku or STORE_WIDE,
                      {"correction_id": str(row_id), "transcript_id": str(transcript_id)})


# --- everything --------------------------------------------------------------------------------

def catalog_passages(store: StoreSnapshot) -> list[PassageDoc]:
    """Every fact, size chart and FAQ of the store, as passages."""
    lang = "zh" if store.language.startswith("zh") else "en"
    docs: list[PassageDoc] = []
    for product in store.products.values():
        docs.extend(fact_passage(product, key, value, lang) for key, value in product.facts.items()
                    if value not in (None, "", [], {}))
        if product.size_chart:
            docs.append(chart_passage(product, lang))
    docs.extend(faq_passage(f.question, f.answer) for f in store.faqs)
    return docs


def correction_passages(conn: Connection, store: StoreSnapshot) -> list[PassageDoc]:
    """Corrections customer service made with a right reply (a corrected "escalate" or "ignore"
    teaches no fact, so it is not knowledge). The latest correction of a transcript wins."""
    fixes, table = models.Correction.__table__, models.Transcript.__table__
    rows = conn.execute(
        select(fixes.c.id, fixes.c.transcript_id, fixes.c.right_reply, table.c.text, table.c.understanding)
        .join(table, table.c.id == fixes.c.transcript_id)
        .where(fixes.c.right_action == "answer")
        .order_by(fixes.c.id)).all()
    latest = {r.transcript_id: r for r in rows if (r.right_reply or "").strip()}
    lang = "zh" if store.language.startswith("zh") else "en"
    docs = []
    for r in sorted(latest.values(), key=lambda r: r.id):
        sku = ((r.understanding or {}).get("product") or {}).get("sku")
        product = store.products.get(sku) if sku else None
        docs.append(correction_passage(r.id, r.transcript_id, r.text, r.right_reply.strip(),
                                       product.sku if product else None, product, lang))
    return docs
