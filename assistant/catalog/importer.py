"""Catalog import: validate the whole file, then upsert it in one transaction.

Importing the same file twice leaves the same state: rows are upserted by their natural keys,
stock rows are rewritten only where a figure changed, and the catalog version (which tells every
process to rebuild its vocabulary) moves only when the file's content differs from the last one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, Table, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from assistant import models
from assistant.catalog.schema import Catalog, check_references, unknown_fields
from assistant.db import storage_errors
from assistant.errors import CatalogError

CATALOG_HASH_KEY = "catalog_hash"


@dataclass
class ImportReport:
    products: int = 0
    variants: int = 0
    warehouses: int = 0
    transit_rules: int = 0
    orders: int = 0
    faqs: int = 0
    stock_changes: int = 0
    changed: bool = False
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        state = "imported" if self.changed else "unchanged (same catalog as the last import)"
        return (
            f"catalog {state}: {self.products} products, {self.variants} variants, "
            f"{self.warehouses} warehouses, {self.transit_rules} transit rules, {self.orders} orders, "
            f"{self.faqs} FAQs; {self.stock_changes} stock figures changed"
        )


def parse_catalog(raw: str | bytes) -> tuple[Catalog, list[str]]:
    """Validate a whole catalog document.

    Returns:
        The catalog and warnings (unknown fields, kept for ERP exports with extra columns).

    Raises:
        CatalogError: with the JSON path of every bad field; nothing has been written.
    """
    try:
        document = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError([("", f"not valid JSON: {exc}")]) from exc
    return validate_catalog(document)


def validate_catalog(document: Any) -> tuple[Catalog, list[str]]:
    if not isinstance(document, dict):
        raise CatalogError([("", "a catalog is a JSON object with store, warehouses, products…")])
    try:
        catalog = Catalog.model_validate(document)
    except ValidationError as exc:
        raise CatalogError([(_json_path(err["loc"]), _message(err)) for err in exc.errors()]) from exc
    problems = check_references(catalog)
    if problems:
        raise CatalogError(problems)
    warnings = [f"unknown field ignored: {path}" for path in unknown_fields(catalog)]
    return catalog, warnings


def read_catalog_file(path: Path) -> tuple[Catalog, list[str], str]:
    """Read and validate a file; also returns its content hash."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError([("", f"cannot read {path}: {exc.strerror}")]) from exc
    catalog, warnings = parse_catalog(raw)
    return catalog, warnings, _content_hash(catalog)


def _content_hash(catalog: Catalog) -> str:
    canonical = catalog.model_dump_json(by_alias=True, exclude_none=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error.get("type") not in ("missing", "value_error") and "input" in error:
        message += f" (got {error['input']!r:.60})"
    return message


def _json_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def import_catalog(engine: Engine, catalog: Catalog, *, warnings: list[str] | None = None,
                   prune: bool = False, now: dt.datetime | None = None) -> ImportReport:
    """Write a validated catalog in one transaction.

    Args:
        engine: the database.
        catalog: a catalog that passed :func:`validate_catalog`.
        warnings: carried into the report.
        prune: also delete products, warehouses, orders and FAQs that are not in this catalog
            (a full replace); by default an import only adds and updates.
        now: the time stamped on changed rows.
    """
    now = now or dt.datetime.now(dt.UTC)
    content_hash = _content_hash(catalog)
    report = ImportReport(warnings=list(warnings or []))
    with storage_errors(), engine.begin() as conn:
        _write_store(conn, catalog, content_hash, now, report)
        _write_warehouses(conn, catalog, prune, report)
        _write_transit(conn, catalog, prune, report)
        _write_products(conn, catalog, prune, now, report)
        _write_orders(conn, catalog, prune, report)
        _write_faqs(conn, catalog, prune, report)
    return report


def _upsert(conn: Connection, table: Table, rows: list[dict[str, Any]], keys: list[str]) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE, on SQLite and PostgreSQL alike."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        statement = dialect.insert(table).values(chunk)
        updates = {c: statement.excluded[c] for c in chunk[0] if c not in keys}
        if updates:
            statement = statement.on_conflict_do_update(index_elements=keys, set_=updates)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=keys)
        conn.execute(statement)


def _write_store(conn: Connection, catalog: Catalog, content_hash: str, now: dt.datetime,
                 report: ImportReport) -> None:
    table = models.Store.__table__
    current = conn.execute(select(table.c.catalog_version, table.c.name)).first()
    previous_hash = _stored_hash(conn)
    report.changed = previous_hash != content_hash
    version = (current.catalog_version if current else 0) + (1 if report.changed else 0)
    language = catalog.store.language or _guess_language(catalog)
    row = {
        "id": 1, "name": catalog.store.name, "timezone": catalog.store.timezone,
        "currency": catalog.store.currency, "language": language, "catalog_version": version,
    }
    if current is None or report.changed:
        _upsert(conn, table, [row | {"updated_at": now}], ["id"])
        _store_hash(conn, content_hash)


def _stored_hash(conn: Connection) -> str | None:
    table = models.Setting.__table__
    return conn.execute(select(table.c.value).where(table.c.key == CATALOG_HASH_KEY)).scalar()


def _store_hash(conn: Connection, content_hash: str) -> None:
    _upsert(conn, models.Setting.__table__, [{"key": CATALOG_HASH_KEY, "value": content_hash}], ["key"])


def _guess_language(catalog: Catalog) -> str:
    titles = "".join(p.title for p in catalog.products[:50]) or catalog.store.name
    han = sum(1 for ch in titles if "\u4e00" <= ch <= "\u9fff")
    return "zh" if han >= len(titles) * 0.2 else "en"


def _write_warehouses(conn: Connection, catalog: Catalog, prune: bool, report: ImportReport) -> None:
    table = models.Warehouse.__table__
    rows = [w.model_dump(include={"code", "name", "province", "city", "cutoff_local", "handling_days",
                                  "timezone"}) for w in catalog.warehouses]
    _upsert(conn, table, rows, ["code"])
    if prune:
        conn.execute(delete(table).where(table.c.code.not_in([r["code"] for r in rows])))
    report.warehouses = len(rows)


def _write_transit(conn: Connection, catalog: Catalog, prune: bool, report: ImportReport) -> None:
    table = models.TransitRule.__table__
    rows = [
        {"from_warehouse": t.from_warehouse, "to_province": t.to_province, "carrier": t.carrier,
         "days_min": t.days_min, "days_max": t.days_max}
        for t in catalog.transit
    ]
    _upsert(conn, table, rows, ["from_warehouse", "to_province"])
    if prune:
        keep = [(r["from_warehouse"], r["to_province"]) for r in rows]
        routes = conn.execute(select(table.c.id, table.c.from_warehouse, table.c.to_province)).all()
        stale = [r.id for r in routes if (r.from_warehouse, r.to_province) not in set(keep)]
        if stale:
            conn.execute(delete(table).where(table.c.id.in_(stale)))
    report.transit_rules = len(rows)


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def _write_products(conn: Connection, catalog: Catalog, prune: bool, now: dt.datetime,
                    report: ImportReport) -> None:
    products, variants, stock = [], [], []
    for position, p in enumerate(catalog.products):
        products.append({
            "sku": p.sku, "link_no": p.link_no, "title": p.title, "title_en": p.title_en,
            "aliases": p.aliases, "price_cents": _cents(p.price), "ship_within_hours": p.ship_within_hours,
            "presale_ship_date": p.presale_ship_date, "facts": p.facts, "position": position,
            "size_chart": [row.model_dump(mode="json") for row in p.size_chart] if p.size_chart else None,
        })
        for v_position, v in enumerate(p.variants):
            variants.append({
                "sku": v.sku, "product_sku": p.sku, "options": v.options, "price_cents": _cents(v.price),
                "restock_date": v.restock_date, "position": v_position,
            })
            stock.extend({"variant_sku": v.sku, "warehouse_code": code, "qty": qty, "updated_at": now}
                         for code, qty in v.stock.items())
    product_table = models.Product.__table__
    # A link number may move from one product to another between imports: free them all first
    # so the unique constraint does not trip half-way through.
    moving = [p["sku"] for p in products]
    if moving:
        conn.execute(update(product_table).where(product_table.c.sku.in_(moving)).values(link_no=None))
        taken = [p["link_no"] for p in products if p["link_no"] is not None]
        if taken:
            conn.execute(update(product_table).where(product_table.c.link_no.in_(taken)).values(link_no=None))
    _upsert(conn, product_table, products, ["sku"])
    _upsert(conn, models.Variant.__table__, variants, ["sku"])
    report.stock_changes = _write_stock(conn, stock, [v["sku"] for v in variants])
    if prune:
        conn.execute(delete(product_table).where(product_table.c.sku.not_in(moving)))
        variant_table = models.Variant.__table__
        conn.execute(delete(variant_table).where(variant_table.c.sku.not_in([v["sku"] for v in variants])))
    report.products, report.variants = len(products), len(variants)


def _write_stock(conn: Connection, rows: list[dict[str, Any]], variant_skus: list[str]) -> int:
    """Set stock to the file's figures; a warehouse a variant does not list holds zero of it."""
    table = models.Stock.__table__
    existing = {}
    for start in range(0, len(variant_skus), 500):
        chunk = variant_skus[start : start + 500]
        for r in conn.execute(select(table.c.variant_sku, table.c.warehouse_code, table.c.qty)
                              .where(table.c.variant_sku.in_(chunk))):
            existing[(r.variant_sku, r.warehouse_code)] = r.qty
    wanted = {(r["variant_sku"], r["warehouse_code"]): r for r in rows}
    changed = [r for key, r in wanted.items() if existing.get(key) != r["qty"]]
    _upsert(conn, table, changed, ["variant_sku", "warehouse_code"])
    gone = [key for key, qty in existing.items() if key not in wanted and qty != 0]
    if gone:
        conn.execute(update(table)
                     .where(tuple_(table.c.variant_sku, table.c.warehouse_code).in_(gone))
                     .values(qty=0, updated_at=rows[0]["updated_at"] if rows else dt.datetime.now(dt.UTC)))
    return len(changed) + len(gone)


def _write_orders(conn: Connection, catalog: Catalog, prune: bool, report: ImportReport) -> None:
    orders, items = [], []
    for o in catalog.orders:
        orders.append({
            "order_id": o.order_id, "user_id": o.user_id, "status": o.status, "paid_at": o.paid_at,
            "shipped_at": o.shipped_at, "delivered_at": o.delivered_at, "carrier": o.carrier,
            "tracking_no": o.tracking_no, "ship_to_province": o.ship_to_province, "ship_to_city": o.ship_to_city,
        })
        items.extend({"order_id": o.order_id, "sku": i.sku, "qty": i.qty, "price_cents": _cents(i.price),
                      "position": n} for n, i in enumerate(o.items))
    table, item_table = models.Order.__table__, models.OrderItem.__table__
    store_zone = ZoneInfo(catalog.store.timezone)
    for o in orders:
        for key in ("paid_at", "shipped_at", "delivered_at"):
            # A time written without an offset is the store's local time.
            if o[key] is not None and o[key].tzinfo is None:
                o[key] = o[key].replace(tzinfo=store_zone)
    _upsert(conn, table, orders, ["order_id"])
    ids = [o["order_id"] for o in orders]
    for start in range(0, len(ids), 500):
        conn.execute(delete(item_table).where(item_table.c.order_id.in_(ids[start : start + 500])))
    if items:
        conn.execute(item_table.insert(), items)
    if prune:
        conn.execute(delete(table).where(table.c.order_id.not_in(ids)))
    report.orders = len(orders)


def _write_faqs(conn: Connection, catalog: Catalog, prune: bool, report: ImportReport) -> None:
    table = models.Faq.__table__
    rows = [{"question": f.q, "answer": f.a} for f in catalog.faqs]
    _upsert(conn, table, rows, ["question"])
    if prune:
        conn.execute(delete(table).where(table.c.question.not_in([r["question"] for r in rows])))
    report.faqs = len(rows)
