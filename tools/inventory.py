"""Live stock: per variant, per warehouse, total, and when a sold-out variant comes back."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import Connection, bindparam, select

from assistant import models
from assistant.catalog.snapshot import ProductInfo, VariantInfo
from assistant.matching import vocabulary
from tools.base import ToolContext, ToolFailure, ToolResult, tool
from tools.catalog import money

StockStatus = Literal["in_stock", "low", "sold_out"]


class VariantStock(ToolResult):
    sku: str
    options: dict[str, str]
    by_warehouse: dict[str, int]
    total: int
    """Units over all warehouses: the figure a reply states."""
    status: StockStatus
    restock_date: dt.date | None
    price: float


class StockReport(ToolResult):
    product_sku: str
    title: str
    requested: dict[str, list[str]]
    """Option name → the catalog values asked about (empty: the whole product)."""
    variants: list[VariantStock]
    """The variants asked about."""
    total: int
    status: Literal["in_stock", "low", "sold_out", "mixed"]
    """mixed: some of the variants asked about are sold out and some are not."""
    low_stock_threshold: int
    alternatives: list[VariantStock]
    """In-stock variants that differ from what was asked in one option (other colours, other sizes)."""
    option_values: dict[str, list[str]]


_STOCK = models.Stock.__table__
_LIVE_STOCK = select(_STOCK.c.variant_sku, _STOCK.c.warehouse_code, _STOCK.c.qty).where(
    _STOCK.c.variant_sku.in_(bindparam("skus", expanding=True)))


def live_stock(conn: Connection, skus: list[str]) -> dict[str, dict[str, int]]:
    """Variant SKU → warehouse → units, read now (a missing row is zero)."""
    found: dict[str, dict[str, int]] = {sku: {} for sku in skus}
    rows = conn.execute(_LIVE_STOCK, {"skus": skus})
    for sku, warehouse, qty in rows:
        found[sku][warehouse] = qty
    return found


def variant_stock(variant: VariantInfo, by_warehouse: dict[str, int], threshold: int) -> VariantStock:
    total = sum(by_warehouse.values())
    status: StockStatus = "sold_out" if total <= 0 else "low" if total <= threshold else "in_stock"
    return VariantStock(
        sku=variant.sku, options=variant.options, by_warehouse=by_warehouse, total=total, status=status,
        restock_date=variant.restock_date if total <= 0 else None, price=money(variant.price_cents),
    )


def resolve_options(ctx: ToolContext, product: ProductInfo,
                    options: dict[str, str | list[str]] | None) -> dict[str, list[str]]:
    """Turn requested option terms into catalog values; unknown values fail with the choices."""
    requested: dict[str, list[str]] = {}
    words = vocabulary(ctx.store).options(product.sku)
    for name, wanted in (options or {}).items():
        terms = wanted if isinstance(wanted, list) else [wanted]
        for term in terms:
            found = words.resolve(name, str(term))
            if found is None:
                option = name if name in product.option_names else None
                raise ToolFailure(
                    "unknown_option_value", f"{product.title} has no {name} {term!r}",
                    option=option or name, requested=str(term),
                    available={n: product.option_values(n) for n in ([option] if option else product.option_names)},
                )
            option, values = found
            requested.setdefault(option, [])
            requested[option].extend(v for v in values if v not in requested[option])
    return requested


@tool
def check_stock(ctx: ToolContext, product_sku: str,
                options: dict[str, str | list[str]] | None = None) -> StockReport:
    """Stock of a product's variants right now: per warehouse, total, and restock date if sold out.

    Args:
        product_sku: the product, from find_product.
        options: the variant asked about, option name → value, e.g. {"color": "黑色", "size": "XL"}
            or {"shade": "03"}; values may be any spelling a viewer uses ("xxl", "black").
            Leave out an option to cover all its values.
    """
    product = ctx.store.products.get(product_sku)
    if product is None:
        raise ToolFailure("unknown_product", f"unknown product SKU {product_sku!r}")
    requested = resolve_options(ctx, product, options)
    threshold = ctx.settings.low_stock_threshold
    stock = live_stock(ctx.conn, [v.sku for v in product.variants])
    everything = [variant_stock(v, stock[v.sku], threshold) for v in product.variants]
    chosen = [s for s in everything if _matches(s.options, requested)]
    if not chosen:
        raise ToolFailure("no_such_variant", f"{product.title} does not come in that combination",
                          requested=requested, variants=[s.options for s in everything])
    total = sum(s.total for s in chosen)
    statuses = {s.status for s in chosen}
    if statuses == {"sold_out"}:
        status = "sold_out"
    elif "sold_out" in statuses:
        status = "mixed"
    else:
        status = "low" if total <= threshold else "in_stock"
    alternatives = [] if not requested else [
        s for s in everything
        if s.status != "sold_out" and s not in chosen and _differs_in_one(s.options, requested)
    ][:8]
    return StockReport(
        product_sku=product.sku, title=product.title, requested=requested, variants=chosen, total=total,
        status=status, low_stock_threshold=threshold, alternatives=alternatives,
        option_values={n: product.option_values(n) for n in product.option_names},
    )


def _matches(options: dict[str, str], requested: dict[str, list[str]]) -> bool:
    return all(options.get(name) in values for name, values in requested.items())


def _differs_in_one(options: dict[str, str], requested: dict[str, list[str]]) -> bool:
    return sum(1 for name, values in requested.items() if options.get(name) not in values) == 1
