"""When it ships and when it arrives, by the contract's rules.

Warehouses ship every calendar day. Paid before a warehouse's cutoff (its local time), an order
leaves that day plus its handling days; after the cutoff, the next day plus handling days. A
pre-sale product ships on its pre-sale date instead. Delivery is the ship date plus the transit
row's days to the destination (the ``*`` row when the province has none). Of the warehouses that
hold the stock, the earliest delivery wins (without a destination, the earliest ship date).
A cutoff told to a viewer is in the store's timezone (``ShipPlan.cutoff``), whatever the warehouse's.
"""

from __future__ import annotations

import datetime as dt

from assistant.catalog.snapshot import ProductInfo, StoreSnapshot, TransitRow, WarehouseInfo
from assistant.matching import vocabulary
from assistant.matching.places import Destination
from tools.base import ToolContext, ToolFailure, ToolResult, tool
from tools.inventory import live_stock, resolve_options


class ShipPlan(ToolResult):
    warehouse: str
    warehouse_name: str
    warehouse_city: str | None
    cutoff_local: str
    """The warehouse's cutoff in its own timezone, as the catalog gives it."""
    cutoff: str
    """The same cutoff on the day in question in the store's timezone: the time to tell a viewer."""
    paid_before_cutoff: bool | None
    """None for pre-sale, where the cutoff does not apply."""
    handling_days: int
    ship_date: dt.date
    carrier: str | None
    transit_to: str | None
    """The transit row used: a province, "*", or None without a destination."""
    days_min: int | None
    days_max: int | None
    deliver_from: dt.date | None
    deliver_to: dt.date | None


class ShippingEstimate(ToolResult):
    product_sku: str
    title: str
    variant_skus: list[str]
    presale: bool
    presale_ship_date: dt.date | None
    ship_within_hours: int | None
    as_of_local: dt.datetime
    """The moment the estimate is for, in the store's timezone."""
    today: dt.date
    destination: str | None
    destination_region: str | None
    in_stock: bool
    restock_date: dt.date | None
    """When nothing is in stock: the earliest restock date of the variants asked about, if any."""
    plan: ShipPlan | None
    """The warehouse that ships it, with dates; None when nothing is in stock."""


def ship_date(warehouse: WarehouseInfo, paid_at: dt.datetime) -> tuple[dt.date, bool]:
    """The day an order paid at ``paid_at`` leaves ``warehouse``, and whether it beat the cutoff."""
    local = paid_at.astimezone(warehouse.zone)
    before_cutoff = local.time() < warehouse.cutoff_local
    leaves = local.date() + dt.timedelta(days=(0 if before_cutoff else 1) + warehouse.handling_days)
    return leaves, before_cutoff


def cutoff_in_store_time(store: StoreSnapshot, warehouse: WarehouseInfo, paid_at: dt.datetime) -> str:
    """The warehouse's cutoff on the day of ``paid_at`` as the store's clock reads it ("10:00" Pacific is
    "13:00" for a New York store): viewers read every time in the store's timezone."""
    day = paid_at.astimezone(warehouse.zone).date()
    cutoff = dt.datetime.combine(day, warehouse.cutoff_local, tzinfo=warehouse.zone)
    return cutoff.astimezone(store.zone).strftime("%H:%M")


def transit_row(store: StoreSnapshot, warehouse: str, transit_key: str | None) -> TransitRow | None:
    exact = fallback = None
    for row in store.transit:
        if row.from_warehouse != warehouse:
            continue
        if transit_key is not None and row.to_province == transit_key:
            exact = row
        elif row.to_province == "*":
            fallback = row
    return exact or fallback


def plan_shipment(store: StoreSnapshot, product: ProductInfo, warehouses: list[str], paid_at: dt.datetime,
                  destination: Destination | None) -> ShipPlan | None:
    """The best warehouse among those holding stock, with ship and delivery dates."""
    plans: list[ShipPlan] = []
    for code in warehouses:
        warehouse = store.warehouses.get(code)
        if warehouse is None:
            continue
        if product.presale_ship_date is not None:
            today = paid_at.astimezone(store.zone).date()
            leaves, before = max(product.presale_ship_date, today), None
        else:
            leaves, before = ship_date(warehouse, paid_at)
        row = transit_row(store, code, destination.transit_key) if destination else None
        if destination and row is None:
            continue  # this warehouse has no route there
        plans.append(ShipPlan(
            warehouse=code, warehouse_name=warehouse.name, warehouse_city=warehouse.city,
            cutoff_local=warehouse.cutoff_local.strftime("%H:%M"),
            cutoff=cutoff_in_store_time(store, warehouse, paid_at), paid_before_cutoff=before,
            handling_days=warehouse.handling_days, ship_date=leaves,
            carrier=row.carrier if row else None, transit_to=row.to_province if row else None,
            days_min=row.days_min if row else None, days_max=row.days_max if row else None,
            deliver_from=leaves + dt.timedelta(days=row.days_min) if row else None,
            deliver_to=leaves + dt.timedelta(days=row.days_max) if row else None,
        ))
    if not plans:
        return None
    if destination:
        return min(plans, key=lambda p: (p.deliver_from, p.deliver_to, p.ship_date))
    return min(plans, key=lambda p: p.ship_date)


def _shipping_place(store: StoreSnapshot, destination: str) -> Destination:
    """Where a viewer's words say the parcel goes, or a ToolFailure saying why no route can be picked:
    a place not known, a name several places share that the store ships to ("Vancouver": Washington or
    British Columbia), a place the transit table does not cover."""
    place = vocabulary(store).places.resolve(destination)
    if place is None:
        raise ToolFailure("unknown_destination", f"cannot tell where {destination!r} is")
    if place.could_be:
        raise ToolFailure("ambiguous_destination", f"{destination!r} could be {' or '.join(place.could_be)}",
                          destination=place.said, could_be=list(place.could_be))
    if place.foreign:
        raise ToolFailure("outside_shipping_area", f"the transit table does not cover {place.region}",
                          destination=place.region)
    return place


@tool
def estimate_shipping(ctx: ToolContext, product_sku: str, options: dict[str, str | list[str]] | None = None,
                      destination: str | None = None) -> ShippingEstimate:
    """When an order paid now ships, from which warehouse, and when it arrives at a destination.

    Args:
        product_sku: the product, from find_product.
        options: the variant, option name → value (e.g. {"color": "黑色", "size": "XL"}); leave out
            to consider every variant in stock.
        destination: where it goes: a province, state, city or country in the viewer's words
            ("成都", "四川", "Texas"); leave out for the ship date only.
    """
    store = ctx.store
    product = store.products.get(product_sku)
    if product is None:
        raise ToolFailure("unknown_product", f"unknown product SKU {product_sku!r}")
    place = _shipping_place(store, destination) if destination else None
    requested = resolve_options(ctx, product, options)
    variants = [v for v in product.variants
                if all(v.options.get(n) in values for n, values in requested.items())]
    if not variants:
        raise ToolFailure("no_such_variant", f"{product.title} does not come in that combination",
                          requested=requested)
    stock = live_stock(ctx.conn, [v.sku for v in variants])
    holding = sorted({code for sku in stock for code, qty in stock[sku].items() if qty > 0})
    plan = plan_shipment(store, product, holding, ctx.now, place) if holding else None
    if holding and plan is None and place is not None:
        raise ToolFailure("no_route", f"no transit route to {place.region}", destination=place.region)
    restocks = [v.restock_date for v in variants if v.restock_date]
    return ShippingEstimate(
        product_sku=product.sku, title=product.title, variant_skus=[v.sku for v in variants],
        presale=product.presale_ship_date is not None, presale_ship_date=product.presale_ship_date,
        ship_within_hours=product.ship_within_hours, as_of_local=ctx.now.astimezone(store.zone),
        today=ctx.now.astimezone(store.zone).date(),
        destination=place.said if place else destination, destination_region=place.region if place else None,
        in_stock=bool(holding), restock_date=min(restocks) if restocks and not holding else None, plan=plan,
    )


class Carriers(ToolResult):
    destination: str | None
    destination_region: str | None
    carriers: list[str]
    """The couriers the routes that apply name, each once, in the transit table's order."""
    unnamed: bool
    """Some route that applies names no courier: the list does not say who carries every parcel."""


@tool
def shipping_carriers(ctx: ToolContext, destination: str | None = None) -> Carriers:
    """Which couriers the store ships with, as its transit table names them.

    Args:
        destination: where it goes, in the viewer's words ("上海", "Texas"): only the routes there
            (each warehouse's row for it, else its * row); leave out for every route.
    """
    store = ctx.store
    place = _shipping_place(store, destination) if destination else None
    if place is not None:
        rows = [row for code in store.warehouses
                if (row := transit_row(store, code, place.transit_key)) is not None]
    else:
        rows = list(store.transit)
    carriers = list(dict.fromkeys(row.carrier for row in rows if row.carrier))
    return Carriers(destination=place.said if place else None, destination_region=place.region if place else None,
                    carriers=carriers, unnamed=not rows or any(not row.carrier for row in rows))
