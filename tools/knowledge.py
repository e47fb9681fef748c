"""Searching the store's knowledge (facts, size charts, FAQs, corrections) by meaning.

chromadb and the embedding model are imported on the first call, not with this module: the tool
registry is loaded for every message, and most messages never search knowledge.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from assistant.errors import KnowledgeUnavailable
from tools.base import ToolContext, ToolFailure, ToolResult, tool


class PassageSource(BaseModel):
    kind: Literal["fact", "chart", "faq", "correction"]
    id: str
    """``fact:SKU:key``, ``chart:SKU``, ``faq:<sha1 of the question>`` or ``correction:<id>``."""
    product_sku: str | None = None
    fact_key: str | None = None
    faq_question: str | None = None
    correction_id: int | None = None


class KnowledgePassage(BaseModel):
    source: PassageSource
    text: str
    """The statement (product, fact name, value; or a FAQ, or a corrected reply): quote facts from here only."""
    score: float
    """Closeness to the query, 0 to 1; multilingual-e5 scores sit around 0.75-0.95, so compare, don't threshold."""


class KnowledgeResult(ToolResult):
    query: str
    product_sku: str | None
    passages: list[KnowledgePassage]
    """Best first."""



@tool
def search_knowledge(ctx: ToolContext, query: str, product_sku: str | None = None, k: int = 3) -> KnowledgeResult:
    """Search the store's knowledge by meaning: product facts, size charts, FAQs, corrected replies.

    For product questions the other tools do not answer; quote facts from the passages only.

    Args:
        query: the viewer's question, in their words.
        product_sku: limit to this product's passages plus store-wide ones (FAQs, corrections); from find_product.
        k: how many passages to return (1 to 10).
    """
    if product_sku is not None and product_sku not in ctx.store.products:
        raise ToolFailure("unknown_product", f"unknown product SKU {product_sku!r}")
    if not query.strip():
        raise ToolFailure("invalid_arguments", "search_knowledge: query is empty")
    try:
        from assistant.knowledge.index import ready_or_build, search

        if not ready_or_build(ctx.conn, ctx.store, ctx.settings):
            raise ToolFailure("knowledge_indexing", "the knowledge index is being brought up to date; try again shortly")
        hits = search(query, product_sku=product_sku, k=max(1, min(10, k)), settings=ctx.settings)
    except (KnowledgeUnavailable, ImportError) as exc:
        raise ToolFailure("knowledge_unavailable", f"product knowledge cannot be searched now: {exc}") from exc
    passages = [
        KnowledgePassage(
            source=PassageSource(kind=h.kind, id=h.id, product_sku=h.product_sku, fact_key=h.fact_key,
                                 faq_question=h.question, correction_id=h.correction_id),
            text=h.text, score=h.score)
        for h in hits
    ]
    return KnowledgeResult(query=query, product_sku=product_sku, passages=passages)
