"""Changing stock during the show."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from assistant.api.deps import EngineDep
from assistant.api.security import allowed
from assistant.live_state import set_stock

router = APIRouter(prefix="/v1", tags=["stock"], dependencies=[Depends(allowed("stock"))])


class StockUpdate(BaseModel):
    qty: Any
    """A whole number, 0 or more (checked with a clear message, not by type coercion)."""


@router.put("/stock/{variant_sku}/{warehouse}")
def put_stock(variant_sku: str, warehouse: str, update: StockUpdate, engine: EngineDep,
              request: Request) -> dict[str, Any]:
    """Set one variant's units in one warehouse; the very next answer uses the new figure."""
    change = set_stock(engine, variant_sku, warehouse, update.qty)
    request.app.state.live.stock_changed()
    return {"variant_sku": change.variant_sku, "warehouse": change.warehouse, "qty": change.after,
            "previous": change.before}
