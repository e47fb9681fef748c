"""An immutable in-memory copy of the catalog's slow-changing parts, rebuilt when an import lands.

Products, variants, warehouses, transit rules and FAQs change only by import, so each process keeps
one snapshot per catalog version and checks the version (one indexed read) per message. Stock and
orders change all the time and are always read live from the database by the tools.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from assistant import models
from assistant.errors import NotFound


@dataclass(frozen=True)
class WarehouseInfo:
    code: str
    name: str
    province: str
    city: str | None
    cutoff_local: dt.time
    handling_days: int
    zone: ZoneInfo


@dataclass(frozen=True)
class TransitRow:
    from_warehouse: str
    to_province: str
    carrier: str | None
    days_min: int
    days_max: int


@dataclass(frozen=True)
class VariantInfo:
    sku: str
    product_sku: str
    options: dict[str, str]
    price_cents: int
    restock_date: dt.date | None

    def label(self) -> str:
        """The variant as viewers name it: its option values, e.g. "黑色 XL"."""
        return " ".join(self.options.values()) or self.sku


@dataclass(frozen=True)
class ProductInfo:
    sku: str
    link_no: int | None
    title: str
    title_en: str | None
    aliases: tuple[str, ...]
    price_cents: int
    ship_within_hours: int | None
    presale_ship_date: dt.date | None
    facts: dict[str, Any]
    size_chart: tuple[dict[str, Any], ...]
    variants: tuple[VariantInfo, ...]

    @property
    def option_names(self) -> list[str]:
        names: dict[str, None] = {}
        for variant in self.variants:
            names.update(dict.fromkeys(variant.options))
        return list(names)

    def option_values(self, name: str) -> list[str]:
        values: dict[str, None] = {}
        for variant in self.variants:
            if name in variant.options:
                values[variant.options[name]] = None
        return list(values)


@dataclass(frozen=True)
class FaqInfo:
    question: str
    answer: str


@dataclass(frozen=True)
class StoreSnapshot:
    version: int
    name: str
    zone: ZoneInfo
    currency: str
    language: str
    products: dict[str, ProductInfo]
    variants: dict[str, VariantInfo]
    warehouses: dict[str, WarehouseInfo]
    transit: tuple[TransitRow, ...]
    faqs: tuple[FaqInfo, ...]
    by_link_no: dict[int, str] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Derived structures (vocabularies, indexes) built lazily once per snapshot."""

    def product(self, sku: str) -> ProductInfo:
        try:
            return self.products[sku]
        except KeyError:
            raise NotFound(f"unknown product SKU {sku!r}") from None

    def variant(self, sku: str) -> VariantInfo:
        try:
            return self.variants[sku]
        except KeyError:
            raise NotFound(f"unknown variant SKU {sku!r}") from None

    def derived(self, key: str, build: Any) -> Any:
        """Memoise something computed from this snapshot (it never changes, so neither does the value)."""
        value = self.cache.get(key)
        if value is None:
            value = build(self)
            self.cache[key] = value
        return value


EMPTY_VERSION = -1
_snapshots: dict[tuple[str, int], StoreSnapshot] = {}
_lock = threading.Lock()


# Built once: this runs for every message, and SQLAlchemy statement construction is not free.
_VERSION = select(models.Store.catalog_version).where(models.Store.id == 1)


def current_version(conn: Connection) -> int:
    version = conn.execute(_VERSION).scalar()
    return EMPTY_VERSION if version is None else int(version)


def get_snapshot(engine: Engine, conn: Connection) -> StoreSnapshot:
    """The snapshot for the catalog version the database holds now (built once per version)."""
    version = current_version(conn)
    key = (str(engine.url), version)
    snapshot = _snapshots.get(key)
    if snapshot is None:
        snapshot = _load(conn, version)
        with _lock:
            # Older versions of this database are dead weight once a newer one is loaded.
            for stale in [k for k in _snapshots if k[0] == key[0]]:
                del _snapshots[stale]
            _snapshots[key] = snapshot
    return snapshot


def _load(conn: Connection, version: int) -> StoreSnapshot:
    store = conn.execute(select(models.Store.__table__)).first()
    zone = ZoneInfo(store.timezone if store else "Asia/Shanghai")
    warehouses = {
        w.code: WarehouseInfo(
            code=w.code, name=w.name or w.code, province=w.province, city=w.city,
            cutoff_local=dt.time.fromisoformat(w.cutoff_local), handling_days=w.handling_days,
            zone=ZoneInfo(w.timezone) if w.timezone else zone,
        )
        for w in conn.execute(select(models.Warehouse.__table__))
    }
    transit = tuple(
        TransitRow(r.from_warehouse, r.to_province, r.carrier, r.days_min, r.days_max)
        for r in conn.execute(select(models.TransitRule.__table__).order_by(models.TransitRule.id))
    )
    variants_by_product: dict[str, list[VariantInfo]] = {}
    product_rows = conn.execute(select(models.Product.__table__).order_by(models.Product.position)).all()
    prices = {p.sku: p.price_cents for p in product_rows}
    variant_rows = conn.execute(
        select(models.Variant.__table__).order_by(models.Variant.product_sku, models.Variant.position)
    )
    for v in variant_rows:
        info = VariantInfo(
            sku=v.sku, product_sku=v.product_sku, options=dict(v.options or {}),
            price_cents=v.price_cents if v.price_cents is not None else prices.get(v.product_sku, 0),
            restock_date=v.restock_date,
        )
        variants_by_product.setdefault(v.product_sku, []).append(info)
    products = {
        p.sku: ProductInfo(
            sku=p.sku, link_no=p.link_no, title=p.title, title_en=p.title_en,
            aliases=tuple(p.aliases or ()), price_cents=p.price_cents, ship_within_hours=p.ship_within_hours,
            presale_ship_date=p.presale_ship_date, facts=dict(p.facts or {}),
            size_chart=tuple(p.size_chart or ()), variants=tuple(variants_by_product.get(p.sku, ())),
        )
        for p in product_rows
    }
    faqs = tuple(FaqInfo(f.question, f.answer) for f in conn.execute(
        select(models.Faq.__table__).order_by(models.Faq.id)))
    return StoreSnapshot(
        version=version, name=store.name if store else "", zone=zone,
        currency=store.currency if store else "CNY", language=store.language if store else "zh",
        products=products, variants={v.sku: v for p in products.values() for v in p.variants},
        warehouses=warehouses, transit=transit, faqs=faqs,
        by_link_no={p.link_no: p.sku for p in products.values() if p.link_no is not None},
    )
