"""What changes during a live session: stock figures and the product on air in each room.

Both the CLI and the HTTP API call these; each write commits at once, so the very next answer (in
this process or another one sharing the database) sees it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, select

from assistant import models
from assistant.db import storage_errors
from assistant.errors import InvalidInput, NotFound

ROOM_ID = re.compile(r"^[\w.:@\-]{1,64}$")


def check_room_id(room_id: str) -> str:
    if not ROOM_ID.match(room_id or ""):
        raise InvalidInput("a room id is 1–64 letters, digits, '.', ':', '@', '-' or '_'")
    return room_id


@dataclass(frozen=True)
class RoomState:
    room_id: str
    on_air_sku: str | None
    exists: bool


@dataclass(frozen=True)
class StockChange:
    variant_sku: str
    warehouse: str
    before: int
    after: int


def parse_quantity(raw: object) -> int:
    """A stock figure as typed by a person or sent in JSON: a whole number, 0 or more."""
    if isinstance(raw, bool):
        raise InvalidInput("quantity must be a whole number, 0 or more")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d+\s*", raw):
        value = int(raw)
    else:
        raise InvalidInput(f"quantity must be a whole number, 0 or more (got {raw!r})")
    if value < 0:
        raise InvalidInput(f"quantity cannot be negative (got {value})")
    if value > 10_000_000:
        raise InvalidInput(f"quantity {value} is not plausible")
    return value


def set_stock(engine: Engine, variant_sku: str, warehouse: str, qty: object,
              now: dt.datetime | None = None) -> StockChange:
    """Set one variant's units in one warehouse.

    Raises:
        NotFound: unknown variant SKU or warehouse.
        InvalidInput: a quantity that is negative or not a whole number.
    """
    value = parse_quantity(qty)
    now = now or dt.datetime.now(dt.UTC)
    table = models.Stock.__table__
    with storage_errors(), engine.begin() as conn:
        if conn.execute(select(models.Variant.sku).where(models.Variant.sku == variant_sku)).first() is None:
            raise NotFound(f"unknown variant SKU {variant_sku!r}")
        if conn.execute(select(models.Warehouse.code).where(models.Warehouse.code == warehouse)).first() is None:
            codes = conn.execute(select(models.Warehouse.code)).scalars().all()
            raise NotFound(f"unknown warehouse {warehouse!r} (warehouses: {', '.join(codes)})")
        before = conn.execute(select(table.c.qty).where(table.c.variant_sku == variant_sku,
                                                        table.c.warehouse_code == warehouse)).scalar()
        if before is None:
            conn.execute(table.insert().values(variant_sku=variant_sku, warehouse_code=warehouse, qty=value,
                                               updated_at=now))
        elif before != value:
            conn.execute(table.update().where(table.c.variant_sku == variant_sku,
                                              table.c.warehouse_code == warehouse)
                         .values(qty=value, updated_at=now))
    return StockChange(variant_sku, warehouse, before or 0, value)


_ROOM = select(models.Room.on_air_sku).where(models.Room.id == bindparam("room_id"))


def room_state(conn: Connection, room_id: str) -> RoomState:
    row = conn.execute(_ROOM, {"room_id": room_id}).first()
    return RoomState(room_id, row.on_air_sku if row else None, row is not None)


def resolve_product(conn: Connection, *, sku: str | None = None, link_no: int | None = None,
                    either: str | None = None) -> str:
    """The product SKU meant by a SKU, a link number, or a value that may be either.

    A value that is an existing SKU is that product; otherwise a number is a link number.
    """
    products = models.Product.__table__
    if either is not None:
        value = either.strip()
        if conn.execute(select(products.c.sku).where(products.c.sku == value)).first():
            return value
        if value.isdigit():
            link_no = int(value)
        else:
            raise NotFound(f"unknown product SKU {value!r}")
    if sku is not None:
        if conn.execute(select(products.c.sku).where(products.c.sku == sku)).first() is None:
            raise NotFound(f"unknown product SKU {sku!r}")
        return sku
    if link_no is not None:
        found = conn.execute(select(products.c.sku).where(products.c.link_no == link_no)).scalar()
        if found is None:
            raise NotFound(f"no product has link number {link_no}")
        return found
    raise InvalidInput("name a product: a SKU or a link number")


def set_on_air(engine: Engine, room_id: str, *, sku: str | None = None, link_no: int | None = None,
               either: str | None = None, now: dt.datetime | None = None) -> RoomState:
    """Put a product on air in a room (the room is created on first use)."""
    check_room_id(room_id)
    now = now or dt.datetime.now(dt.UTC)
    with storage_errors(), engine.begin() as conn:
        product = resolve_product(conn, sku=sku, link_no=link_no, either=either)
        _upsert_room(conn, room_id, product, now)
    return RoomState(room_id, product, True)


def clear_on_air(engine: Engine, room_id: str, now: dt.datetime | None = None) -> RoomState:
    check_room_id(room_id)
    now = now or dt.datetime.now(dt.UTC)
    with storage_errors(), engine.begin() as conn:
        _upsert_room(conn, room_id, None, now)
    return RoomState(room_id, None, True)


def _upsert_room(conn: Connection, room_id: str, sku: str | None, now: dt.datetime) -> None:
    table = models.Room.__table__
    updated = conn.execute(table.update().where(table.c.id == room_id).values(on_air_sku=sku, updated_at=now))
    if updated.rowcount == 0:
        conn.execute(table.insert().values(id=room_id, on_air_sku=sku, created_at=now, updated_at=now))
