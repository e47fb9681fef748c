"""A viewer's own orders, and nobody else's.

The viewer comes from the tool context, never from the arguments, so no phrasing of a question
can reach another viewer's order: an order id that is not the asker's is "not found", exactly like
one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import select

from assistant import models
from tools.base import ToolContext, ToolResult, tool
from tools.inventory import live_stock
from tools.logistics import plan_shipment


class OrderLine(ToolResult):
    sku: str
    title: str
    options: dict[str, str]
    qty: int


class OrderView(ToolResult):
    order_id: str
    order_tail: str
    """The last 4 characters, for public replies."""
    status: Literal["paid", "shipped", "delivered", "cancelled"]
    items: list[OrderLine]
    paid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    carrier: str | None
    tracking_no: str | None
    tracking_tail: str | None
    ship_to_province: str | None
    expected_ship_date: dt.date | None
    """For paid orders not yet shipped: the day they should leave by, from the cutoff rules."""
    overdue: bool
    """Paid, not shipped, and the expected ship date has passed."""


class OrderReport(ToolResult):
    user_id: str
    asked_order_id: str | None
    found: bool
    orders: list[OrderView]
    """The viewer's orders, newest first (at most 5)."""
    total_orders: int


def _same_order(stored: str, asked: str) -> bool:
    """Order ids as people type them: "#W2611340", "W2611340" and "w2611340" are one order, and a
    viewer may quote just the last digits, as replies show them ("尾号8032")."""
    stored, asked = stored.strip().lstrip("#").upper(), asked.strip().lstrip("#").upper()
    if asked.isdigit() and 4 <= len(asked) <= 6:
        return stored.endswith(asked)
    return stored == asked


@tool
def order_status(ctx: ToolContext, order_id: str | None = None, product_sku: str | None = None) -> OrderReport:
    """The asking viewer's own orders: status, carrier, tracking number, expected ship date.

    Args:
        order_id: one of the viewer's order ids, if they gave one; leave out for their recent orders.
        product_sku: only orders containing this product ("我的围巾发了吗"), from find_product.
    """
    table = models.Order.__table__
    # Only ever this viewer's rows; the order id is then matched the forgiving way viewers type it.
    rows = ctx.conn.execute(select(table).where(table.c.user_id == ctx.user_id)
                            .order_by(table.c.paid_at.desc(), table.c.order_id.desc())).all()
    if order_id:
        rows = [r for r in rows if _same_order(r.order_id, order_id)]
    items_table = models.OrderItem.__table__
    lines_of = {}
    for row in rows:
        lines_of[row.order_id] = ctx.conn.execute(select(items_table.c.sku, items_table.c.qty)
                                                  .where(items_table.c.order_id == row.order_id)
                                                  .order_by(items_table.c.position)).all()
    if product_sku and not order_id:
        store = ctx.store
        wanted = [r for r in rows if any(sku == product_sku or getattr(store.variants.get(sku), "product_sku", None)
                                         == product_sku for sku, _ in lines_of[r.order_id])]
        rows = wanted or rows  # none with that product: the viewer may misremember; show the recent ones
    views = [_view(ctx, row, lines_of[row.order_id]) for row in rows[:5]]
    return OrderReport(user_id=ctx.user_id, asked_order_id=order_id, found=bool(rows), orders=views,
                       total_orders=len(rows))


def _view(ctx: ToolContext, row, lines) -> OrderView:  # type: ignore[no-untyped-def]
    store = ctx.store
    items = []
    for sku, qty in lines:
        variant = store.variants.get(sku)
        product = store.products.get(variant.product_sku if variant else sku)
        items.append(OrderLine(sku=sku, title=product.title if product else sku,
                               options=variant.options if variant else {}, qty=qty))
    expected = None
    if row.status == "paid" and row.paid_at is not None:
        expected = _expected_ship_date(ctx, [sku for sku, _ in lines], row.paid_at)
    today = ctx.now.astimezone(store.zone).date()

    def local(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.astimezone(store.zone) if moment else None

    return OrderView(
        order_id=row.order_id, order_tail=row.order_id[-4:], status=row.status, items=items,
        paid_at=local(row.paid_at), shipped_at=local(row.shipped_at), delivered_at=local(row.delivered_at),
        carrier=row.carrier, tracking_no=row.tracking_no,
        tracking_tail=row.tracking_no[-4:] if row.tracking_no else None,
        ship_to_province=row.ship_to_province, expected_ship_date=expected,
        overdue=expected is not None and expected < today,
    )


def _expected_ship_date(ctx: ToolContext, skus: list[str], paid_at: dt.datetime) -> dt.date | None:
    """The latest day the order should leave by: over its lines, and over the warehouses that could
    ship each line (the order does not record which one will), so the date is never too early."""
    store = ctx.store
    stock = live_stock(ctx.conn, skus)
    latest: dt.date | None = None
    for sku in skus:
        variant = store.variants.get(sku)
        if variant is None:
            return None
        product = store.products[variant.product_sku]
        holding = [code for code, qty in stock[sku].items() if qty > 0] or list(store.warehouses)
        for code in holding:
            plan = plan_shipment(store, product, [code], paid_at, None)
            if plan is not None and (latest is None or plan.ship_date > latest):
                latest = plan.ship_date
    return latest
