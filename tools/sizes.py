"""Which size fits, from the product's size chart, and whether that size is in stock."""

from __future__ import annotations

from typing import Any, Literal

from assistant.catalog.snapshot import ProductInfo
from assistant.matching.sizes_colours import is_size_option, size_key
from tools.base import ToolContext, ToolFailure, ToolResult, tool
from tools.inventory import VariantStock, live_stock, variant_stock


class SizeAdvice(ToolResult):
    product_sku: str
    title: str
    height_cm: float | None
    weight_kg: float | None
    recommended: str | None
    """The size to buy (a value of the product's size option), or None when outside the chart."""
    basis: Literal["height_and_weight", "height", "weight", "between", "outside_chart"]
    """between: height and weight point to different sizes; the larger is recommended."""
    by_height: str | None
    by_weight: str | None
    chart_row: dict[str, Any] | None
    stock: list[VariantStock]
    """Stock of the recommended size in each of its variants (e.g. per colour)."""
    total: int


def _fits(value: float | None, bounds: Any) -> bool:
    return value is not None and bounds is not None and bounds[0] <= value <= bounds[1]


def _distance(row: dict[str, Any], height: float | None, weight: float | None) -> float:
    """How far from the middle of a row a body is, in units of the row's own width."""
    score = 0.0
    for value, bounds in ((height, row.get("height_cm")), (weight, row.get("weight_kg"))):
        if value is not None and bounds is not None:
            width = max(1.0, bounds[1] - bounds[0])
            score += abs(value - (bounds[0] + bounds[1]) / 2) / width
    return score


def _best(rows: list[tuple[int, dict[str, Any]]], height: float | None, weight: float | None) -> tuple[int, dict[str, Any]] | None:
    if not rows:
        return None
    # Closest to the middle; on a tie, the larger size (a snug fit is the usual complaint).
    return min(rows, key=lambda item: (round(_distance(item[1], height, weight), 6), -item[0]))


def _size_option(product: ProductInfo) -> str | None:
    for name in product.option_names:
        if is_size_option(name, product.option_values(name)):
            return name
    return None


def _catalog_value(product: ProductInfo, option: str, chart_size: str) -> str | None:
    values = product.option_values(option)
    if chart_size in values:
        return chart_size
    key = size_key(chart_size)
    return next((v for v in values if key and size_key(v) == key), None)


@tool
def size_advice(ctx: ToolContext, product_sku: str, height_cm: float | None = None,
                weight_kg: float | None = None) -> SizeAdvice:
    """Recommend a size from the product's size chart for a height and/or weight, with its stock.

    Args:
        product_sku: the product, from find_product.
        height_cm: the viewer's height in centimetres.
        weight_kg: the viewer's weight in kilograms (convert 斤 by halving, pounds × 0.4536).
    """
    product = ctx.store.products.get(product_sku)
    if product is None:
        raise ToolFailure("unknown_product", f"unknown product SKU {product_sku!r}")
    if not product.size_chart:
        raise ToolFailure("no_size_chart", f"{product.title} has no size chart")
    if height_cm is None and weight_kg is None:
        raise ToolFailure("invalid_arguments", "give a height, a weight, or both")
    rows = list(enumerate(product.size_chart))
    by_height = _best([r for r in rows if _fits(height_cm, r[1].get("height_cm"))], height_cm, None)
    by_weight = _best([r for r in rows if _fits(weight_kg, r[1].get("weight_kg"))], None, weight_kg)
    both = _best([r for r in rows if _fits(height_cm, r[1].get("height_cm"))
                  and _fits(weight_kg, r[1].get("weight_kg"))], height_cm, weight_kg)
    basis: str
    if height_cm is not None and weight_kg is not None:
        if both:
            chosen, basis = both, "height_and_weight"
        elif by_height and by_weight and abs(by_height[0] - by_weight[0]) == 1:
            # Neighbouring sizes: size up. Further apart, the chart cannot say; a person should.
            chosen, basis = max(by_height, by_weight, key=lambda r: r[0]), "between"
        else:
            chosen, basis = None, "outside_chart"
    elif height_cm is not None:
        chosen, basis = by_height, "height" if by_height else "outside_chart"
    else:
        chosen, basis = by_weight, "weight" if by_weight else "outside_chart"

    option = _size_option(product)
    recommended = _catalog_value(product, option, str(chosen[1]["size"])) if chosen and option else None
    if chosen and recommended is None:
        basis = "outside_chart"  # the chart names a size the product is not sold in
    stock: list[VariantStock] = []
    if recommended and option:
        variants = [v for v in product.variants if v.options.get(option) == recommended]
        figures = live_stock(ctx.conn, [v.sku for v in variants])
        stock = [variant_stock(v, figures[v.sku], ctx.settings.low_stock_threshold) for v in variants]
    return SizeAdvice(
        product_sku=product.sku, title=product.title, height_cm=height_cm, weight_kg=weight_kg,
        recommended=recommended, basis=basis,  # type: ignore[arg-type]
        by_height=str(by_height[1]["size"]) if by_height else None,
        by_weight=str(by_weight[1]["size"]) if by_weight else None,
        chart_row=chosen[1] if chosen and recommended else None, stock=stock, total=sum(s.total for s in stock),
    )
