"""The independent truth evals are graded against: the contract's rules, re-derived with our own SQL.

Nothing here comes from ``tools/`` or from the assistant's matching, understanding, planning or
composing code, so a bug there cannot hide behind the same bug here. Only the table definitions
(``assistant.models``) are shared: they are the schema both sides read.

The rules, from ``shared/contract/README.md`` §1:

- Warehouses ship every calendar day. Paid before the warehouse's ``cutoff_local`` (its own
  timezone, else the store's) → that day + ``handling_days``; at or after it → the next day +
  ``handling_days``. A pre-sale product ships on its ``presale_ship_date`` (today if that is past).
- Only warehouses holding stock (> 0) of a variant asked about can ship it. Without a destination
  the earliest ship date wins; with one, the earliest delivery window (then the earliest ship date).
- Delivery = ship date + ``days_min``..``days_max`` of the transit row to that province (the ``*``
  row when there is none for it).
- A stock figure is the total over warehouses; a variant's price overrides its product's.

The catalog (products, warehouses, transit, orders, FAQs) is read once per :class:`Oracle`; stock
is read live on every question, because cases change it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from assistant import models

_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


class CaseError(Exception):
    """A case names something the database does not have (an unknown SKU, order, FAQ…)."""


@dataclass(frozen=True)
class Warehouse:
    code: str
    name: str
    cutoff: dt.time
    handling_days: int
    zone: ZoneInfo


@dataclass(frozen=True)
class Variant:
    sku: str
    product_sku: str
    options: dict[str, str]
    price_cents: int
    """Already resolved: the variant's own price, else its product's."""
    restock_date: dt.date | None


@dataclass(frozen=True)
class Product:
    sku: str
    link_no: int | None
    names: tuple[str, ...]
    """Title, English title and aliases."""
    price_cents: int
    ship_within_hours: int | None
    presale_ship_date: dt.date | None
    facts: dict[str, Any]
    size_chart: tuple[dict[str, Any], ...]
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class Order:
    order_id: str
    user_id: str
    status: str
    paid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    tracking_no: str | None
    items: tuple[tuple[str, int, int | None], ...]
    """(variant SKU, qty, price in cents)."""

    @property
    def tail(self) -> str:
        return self.order_id[-4:]

    @property
    def tracking_tail(self) -> str | None:
        return self.tracking_no[-4:] if self.tracking_no else None


@dataclass(frozen=True)
class ShipPlan:
    warehouse: str
    ship_date: dt.date
    deliver_from: dt.date | None = None
    deliver_to: dt.date | None = None


@dataclass
class Truth:
    """Every figure a reply about some products and the asker's orders may truthfully contain."""

    numbers: set[Decimal] = field(default_factory=set)
    dates: set[dt.date] = field(default_factory=set)
    times: set[tuple[int, int]] = field(default_factory=set)
    """Warehouse cutoffs as (hour, minute) on the store's clock."""
    texts: set[str] = field(default_factory=set)
    """Catalog strings whose digits are not figures of their own: option values, SKUs, the asker's
    own order ids and tracking numbers (and their tails), and every quote."""
    quotes: set[str] = field(default_factory=set)
    """Catalog text a reply may quote whole: titles, aliases, fact values, FAQ answers, warehouse
    and carrier names. Their words are not claims about stock."""
    link_numbers: set[int] = field(default_factory=set)
    body: dict[str, tuple[float, float]] = field(default_factory=dict)
    """"height_cm"/"weight_kg" → the range the size charts cover (a reply echoes the viewer's body)."""
    amounts: set[Decimal] = field(default_factory=set)
    """What an amount of money in a reply may be: product, variant and order-line prices, and the
    figures the store's own texts (facts, FAQ answers: "满59元包邮") carry."""
    transit_days: set[tuple[int, int]] = field(default_factory=set)
    """(days_min, days_max) of the transit rows from every warehouse."""
    windows: set[tuple[dt.date, dt.date]] = field(default_factory=set)
    """Delivery windows: (first, last) day over every warehouse and transit row."""
    order_count: int = 0
    """How many orders the asker has."""
    ship_dates: set[dt.date] = field(default_factory=set)
    """Days something ships: each product from each warehouse at ``now``, and the asker's orders
    (the days they could leave after payment, and the days they did)."""

    def add_price(self, cents: int) -> None:
        self.amounts.add(_money(cents))
        self.numbers.add(_money(cents))

    def add_text_figures(self, value: Any) -> None:
        """Numbers written in the store's own words (a fact such as "80%棉" or 120, an FAQ answer)
        are true figures, and a reply may quote the words whole."""
        text = str(value)
        figures = {Decimal(m.group(0).replace(",", "")) for m in _DIGITS.finditer(unicodedata.normalize("NFKC", text))}
        self.numbers |= figures
        self.amounts |= figures
        if isinstance(value, str):
            self.quote(text)

    def quote(self, *texts: str) -> None:
        self.quotes.update(texts)
        self.texts.update(texts)


@dataclass(frozen=True)
class _Catalog:
    zone: ZoneInfo
    warehouses: dict[str, Warehouse]
    transit: dict[tuple[str, str], tuple[int, int]]
    """(from warehouse, to province or "*") → (days_min, days_max)."""
    products: dict[str, Product]
    variants: dict[str, Variant]
    orders: tuple[Order, ...]
    faqs: dict[str, str]
    labels: frozenset[str]
    """Warehouse names and carriers: a reply may name them, digits and all ("1号仓")."""

    def today(self, now: dt.datetime) -> dt.date:
        """The store's calendar day at ``now``."""
        return now.astimezone(self.zone).date()


class Oracle:
    """The truth about one store's database, at a given instant."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._catalog: _Catalog | None = None

    @property
    def catalog(self) -> _Catalog:
        if self._catalog is None:
            with self.engine.connect() as conn:
                self._catalog = _load(conn)
        return self._catalog

    # --- lookups -------------------------------------------------------------------------------

    def product(self, sku: str) -> Product:
        """A product by its SKU, or the product a variant SKU belongs to."""
        catalog = self.catalog
        if sku in catalog.products:
            return catalog.products[sku]
        if sku in catalog.variants:
            return catalog.products[catalog.variants[sku].product_sku]
        raise CaseError(f"unknown SKU {sku!r}")

    def variant(self, sku: str) -> Variant:
        try:
            return self.catalog.variants[sku]
        except KeyError:
            raise CaseError(f"unknown variant SKU {sku!r}") from None

    def matching_variants(self, product_sku: str, options: dict[str, str] | None) -> list[Variant]:
        """The product's variants whose options equal every given value (catalog spelling)."""
        product = self.product(product_sku)
        found = [v for v in product.variants if all(v.options.get(k) == val for k, val in (options or {}).items())]
        if not found:
            raise CaseError(f"{product.sku} has no variant with {options}")
        return found

    # --- stock and price -----------------------------------------------------------------------

    def stock(self, variant_skus: list[str]) -> dict[str, dict[str, int]]:
        """Variant SKU → warehouse → units, read now (a missing row is zero)."""
        table = models.Stock.__table__
        found: dict[str, dict[str, int]] = {sku: {} for sku in variant_skus}
        with self.engine.connect() as conn:
            for start in range(0, len(variant_skus), 500):
                chunk = variant_skus[start:start + 500]
                rows = conn.execute(select(table.c.variant_sku, table.c.warehouse_code, table.c.qty)
                                    .where(table.c.variant_sku.in_(chunk)))
                for sku, warehouse, qty in rows:
                    found[sku][warehouse] = qty
        return found

    def stock_total(self, variant_sku: str) -> int:
        """The variant's units over all warehouses (the figure a reply states)."""
        self.variant(variant_sku)
        return sum(self.stock([variant_sku])[variant_sku].values())

    def restock_date(self, variant_sku: str) -> dt.date | None:
        return self.variant(variant_sku).restock_date

    def price(self, sku: str) -> Decimal:
        """A variant's price (its own, else its product's) or a product's price, in currency units."""
        catalog = self.catalog
        if sku in catalog.variants:
            return _money(catalog.variants[sku].price_cents)
        if sku in catalog.products:
            return _money(catalog.products[sku].price_cents)
        raise CaseError(f"unknown SKU {sku!r}")

    # --- shipping ------------------------------------------------------------------------------

    def leaves(self, product: Product, warehouse: Warehouse, paid_at: dt.datetime) -> dt.date:
        """The day an order paid at ``paid_at`` leaves ``warehouse``."""
        if product.presale_ship_date is not None:
            return max(product.presale_ship_date, self.catalog.today(paid_at))
        local = paid_at.astimezone(warehouse.zone)
        # "Before the cutoff" is strict: paid at 16:00 with a 16:00 cutoff ships the next day.
        late = 0 if local.time() < warehouse.cutoff else 1
        return local.date() + dt.timedelta(days=late + warehouse.handling_days)

    def cutoff_told(self, warehouse: Warehouse, now: dt.datetime) -> tuple[int, int]:
        """The warehouse's cutoff as a reply must tell it, (hour, minute) on the store's clock the day of
        ``now``: every time a viewer reads is the store's (10:00 in Reno is 13:00 for a New York store)."""
        day = now.astimezone(warehouse.zone).date()
        told = dt.datetime.combine(day, warehouse.cutoff, tzinfo=warehouse.zone).astimezone(self.catalog.zone)
        return told.hour, told.minute

    def transit(self, warehouse: str, destination: str) -> tuple[int, int] | None:
        """(days_min, days_max) from a warehouse to a province: its own row, else the ``*`` row."""
        transit = self.catalog.transit
        return transit.get((warehouse, destination)) or transit.get((warehouse, "*"))

    def ship_plan(self, product_sku: str, now: dt.datetime, options: dict[str, str] | None = None,
                  destination: str | None = None) -> ShipPlan | None:
        """Where an order paid at ``now`` ships from, when, and (with a destination) when it arrives.

        Returns:
            None when no warehouse holds stock of a matching variant (or none has a route there).
        """
        product = self.product(product_sku)
        variants = self.matching_variants(product.sku, options)
        stock = self.stock([v.sku for v in variants])
        holding = sorted({code for by_warehouse in stock.values() for code, qty in by_warehouse.items() if qty > 0})
        plans = []
        for code in holding:
            leaves = self.leaves(product, self.catalog.warehouses[code], now)
            if destination is None:
                plans.append(ShipPlan(code, leaves))
                continue
            days = self.transit(code, destination)
            if days is not None:
                plans.append(ShipPlan(code, leaves, leaves + dt.timedelta(days=days[0]),
                                      leaves + dt.timedelta(days=days[1])))
        if not plans:
            return None
        if destination is None:
            return min(plans, key=lambda p: (p.ship_date, p.warehouse))
        # The earliest window: first day, then last day (arriving surely by the 24th beats maybe
        # by the 24th), then the earliest ship date.
        return min(plans, key=lambda p: (p.deliver_from, p.deliver_to, p.ship_date, p.warehouse))

    def ship_date(self, product_sku: str, now: dt.datetime, options: dict[str, str] | None = None) -> dt.date | None:
        plan = self.ship_plan(product_sku, now, options)
        return plan.ship_date if plan else None

    def delivery(self, product_sku: str, destination: str, now: dt.datetime,
                 options: dict[str, str] | None = None) -> tuple[dt.date, dt.date] | None:
        """The first and last delivery dates to a province/state (as the transit table names it)."""
        plan = self.ship_plan(product_sku, now, options, destination)
        if plan is None or plan.deliver_from is None or plan.deliver_to is None:
            return None
        return plan.deliver_from, plan.deliver_to

    # --- orders, FAQs, facts -------------------------------------------------------------------

    def orders_of(self, user_id: str) -> list[Order]:
        return [o for o in self.catalog.orders if o.user_id == user_id]

    def others_orders(self, user_id: str) -> list[Order]:
        return [o for o in self.catalog.orders if o.user_id != user_id]

    def order(self, user_id: str, order_id: str) -> Order:
        """One of the viewer's own orders (a case may only expect those to be described)."""
        for order in self.catalog.orders:
            if order.order_id == order_id:
                if order.user_id != user_id:
                    raise CaseError(f"order {order_id} belongs to {order.user_id}, not {user_id}")
                return order
        raise CaseError(f"unknown order {order_id!r}")

    def faq_answer(self, question: str) -> str:
        faqs = self.catalog.faqs
        if question in faqs:
            return faqs[question]
        wanted = _squash(question)
        for asked, answer in faqs.items():
            if _squash(asked) == wanted:
                return answer
        raise CaseError(f"no FAQ asks {question!r}")

    def fact(self, product_sku: str, key: str) -> Any:
        product = self.product(product_sku)
        if key not in product.facts:
            raise CaseError(f"{product.sku} has no fact {key!r} (facts: {', '.join(product.facts)})")
        return product.facts[key]

    # --- everything true -----------------------------------------------------------------------

    def truth(self, product_skus: set[str], user_id: str, now: dt.datetime) -> Truth:
        """Every true figure about these products and the asker's own orders, at ``now``."""
        catalog = self.catalog
        truth = Truth(times={self.cutoff_told(w, now) for w in catalog.warehouses.values()},
                      link_numbers={p.link_no for p in catalog.products.values() if p.link_no is not None})
        truth.quote(*catalog.labels)
        for answer in catalog.faqs.values():
            truth.add_text_figures(answer)
        truth.numbers.update(Decimal(w.handling_days) for w in catalog.warehouses.values())
        orders = self.orders_of(user_id)
        truth.order_count = len(orders)
        if orders:
            truth.numbers.add(Decimal(len(orders)))
        for order in orders:
            self._order_truth(order, truth)
            product_skus = product_skus | {self.product(sku).sku for sku, _, _ in order.items
                                           if sku in catalog.variants}
        for sku in sorted(product_skus):
            self._product_truth(self.product(sku), now, truth)
        return truth

    def _product_truth(self, product: Product, now: dt.datetime, truth: Truth) -> None:
        catalog = self.catalog
        stock = self.stock([v.sku for v in product.variants])
        totals = {v.sku: sum(stock[v.sku].values()) for v in product.variants}
        truth.numbers.update(Decimal(t) for t in totals.values())
        truth.numbers.add(Decimal(sum(totals.values())))
        # Sums over one option value ("黑色一共N件") and over all variants are true figures too.
        groups: dict[tuple[str, str], int] = {}
        for v in product.variants:
            for name, value in v.options.items():
                groups[(name, value)] = groups.get((name, value), 0) + totals[v.sku]
            truth.add_price(v.price_cents)
            if v.restock_date:
                truth.dates.add(v.restock_date)
            truth.texts.add(v.sku)
            truth.texts.update(str(value) for value in v.options.values())
        truth.numbers.update(Decimal(n) for n in groups.values())
        truth.add_price(product.price_cents)
        truth.texts.add(product.sku)
        truth.quote(*product.names)
        if product.link_no is not None:
            truth.numbers.add(Decimal(product.link_no))
        if product.ship_within_hours is not None:
            truth.numbers.add(Decimal(product.ship_within_hours))
        if product.presale_ship_date is not None:
            truth.dates.add(product.presale_ship_date)
        for value in product.facts.values():
            for item in value if isinstance(value, list) else [value]:
                truth.add_text_figures(item)
        self._chart_truth(product, truth)
        for code, warehouse in catalog.warehouses.items():
            leaves = self.leaves(product, warehouse, now)
            truth.dates.add(leaves)
            truth.ship_dates.add(leaves)
            for (origin, _), (low, high) in catalog.transit.items():
                if origin == code:
                    window = (leaves + dt.timedelta(days=low), leaves + dt.timedelta(days=high))
                    truth.numbers.update({Decimal(low), Decimal(high)})
                    truth.transit_days.add((low, high))
                    truth.dates.update(window)
                    truth.windows.add(window)

    @staticmethod
    def _chart_truth(product: Product, truth: Truth) -> None:
        for row in product.size_chart:
            if row.get("size"):
                truth.texts.add(str(row["size"]))
            for measure in ("height_cm", "weight_kg"):
                bounds = row.get(measure)
                if not bounds:
                    continue
                truth.numbers.update(Decimal(str(b)) for b in bounds)
                low, high = truth.body.get(measure, (float(bounds[0]), float(bounds[1])))
                truth.body[measure] = (min(low, float(bounds[0])), max(high, float(bounds[1])))

    def _order_truth(self, order: Order, truth: Truth) -> None:
        zone = self.catalog.zone
        truth.texts.update({order.order_id, order.tail})
        if order.tracking_no and order.tracking_tail:
            truth.texts.update({order.tracking_no, order.tracking_tail})
        for instant in (order.paid_at, order.shipped_at, order.delivered_at):
            if instant is not None:
                truth.dates.add(instant.astimezone(zone).date())
        if order.shipped_at is not None:
            truth.ship_dates.add(order.shipped_at.astimezone(zone).date())
        for sku, qty, price_cents in order.items:
            truth.numbers.add(Decimal(qty))
            if price_cents is not None:
                truth.add_price(price_cents)
            if order.paid_at is not None and sku in self.catalog.variants:
                # The order does not record its warehouse: any of them gives a true expected date.
                product = self.product(sku)
                leaves = {self.leaves(product, w, order.paid_at) for w in self.catalog.warehouses.values()}
                truth.dates.update(leaves)
                truth.ship_dates.update(leaves)


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _squash(text: str) -> str:
    """For comparing texts people type: width, case and spacing do not matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _load(conn: Connection) -> _Catalog:
    store = conn.execute(select(models.Store.__table__)).first()
    if store is None:
        raise CaseError("the database holds no catalog")
    zone = ZoneInfo(store.timezone)
    warehouses = {
        w.code: Warehouse(w.code, w.name or w.code, dt.time.fromisoformat(w.cutoff_local), w.handling_days,
                          ZoneInfo(w.timezone) if w.timezone else zone)
        for w in conn.execute(select(models.Warehouse.__table__))
    }
    transit_rows = conn.execute(select(models.TransitRule.__table__)).all()
    transit = {(r.from_warehouse, r.to_province): (r.days_min, r.days_max) for r in transit_rows}
    labels = {r.carrier for r in transit_rows if r.carrier} | {w.name for w in warehouses.values()}
    product_rows = conn.execute(select(models.Product.__table__)).all()
    product_price = {p.sku: p.price_cents for p in product_rows}
    variants: dict[str, Variant] = {}
    for v in conn.execute(select(models.Variant.__table__).order_by(models.Variant.position)):
        price = v.price_cents if v.price_cents is not None else product_price[v.product_sku]
        variants[v.sku] = Variant(v.sku, v.product_sku, dict(v.options or {}), price, v.restock_date)
    products = {
        p.sku: Product(
            sku=p.sku, link_no=p.link_no, names=tuple(n for n in (p.title, p.title_en, *(p.aliases or ())) if n),
            price_cents=p.price_cents, ship_within_hours=p.ship_within_hours, presale_ship_date=p.presale_ship_date,
            facts=dict(p.facts or {}), size_chart=tuple(p.size_chart or ()),
            variants=tuple(v for v in variants.values() if v.product_sku == p.sku),
        )
        for p in product_rows
    }
    items: dict[str, list[tuple[str, int, int | None]]] = {}
    item_table = models.OrderItem.__table__
    for row in conn.execute(select(item_table).order_by(item_table.c.order_id, item_table.c.position)):
        items.setdefault(row.order_id, []).append((row.sku, row.qty, row.price_cents))
    orders = tuple(
        Order(o.order_id, o.user_id, o.status, o.paid_at, o.shipped_at, o.delivered_at, o.tracking_no,
              tuple(items.get(o.order_id, ())))
        for o in conn.execute(select(models.Order.__table__))
    )
    faqs = {f.question: f.answer for f in conn.execute(select(models.Faq.__table__))}
    return _Catalog(zone, warehouses, transit, products, variants, orders, faqs, frozenset(labels))
