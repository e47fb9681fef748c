"""The catalog file, as merchants write it (``../shared/contract/catalog.example.json``).

Validation is whole-file and happens before anything touches the database: pydantic checks each
field, then :func:`check_references` checks what spans records (a stock warehouse that exists, an
order item whose SKU exists, unique SKUs and link numbers). Unknown fields are kept as warnings so
that ERP exports with extra columns still import.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

_CUTOFF = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class _Row(BaseModel):
    """Base for every catalog record: extra fields are allowed (and reported as warnings)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


def _as_str(value: Any) -> Any:
    # SKUs and ids may be written as JSON numbers by spreadsheets; they are strings to us.
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return value


class Store(_Row):
    name: str = Field(min_length=1)
    timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    language: Literal["zh", "en"] | None = None
    """The store's main language; when absent it is inferred from the product titles."""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _check_timezone(value)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {value!r} (use an IANA name such as Asia/Shanghai)") from exc
    return value


class Warehouse(_Row):
    code: str = Field(min_length=1, max_length=32)
    name: str | None = None
    province: str = Field(min_length=1)
    city: str | None = None
    cutoff_local: str
    handling_days: int = Field(default=0, ge=0, le=60)
    timezone: str | None = None

    _code = field_validator("code", mode="before")(_as_str)

    @field_validator("cutoff_local")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        match = _CUTOFF.match(value)
        if not match:
            raise ValueError("cutoff_local must be HH:MM, 24-hour, e.g. 16:00")
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        return None if value is None else _check_timezone(value)


class Transit(_Row):
    model_config = ConfigDict(extra="allow", populate_by_name=True, str_strip_whitespace=True)

    from_warehouse: str = Field(alias="from", min_length=1)
    to_province: str = Field(min_length=1)
    carrier: str | None = None
    days_min: int = Field(ge=0, le=90)
    days_max: int = Field(ge=0, le=90)

    _from = field_validator("from_warehouse", mode="before")(_as_str)

    @model_validator(mode="after")
    def _ordered(self) -> Transit:
        if self.days_max < self.days_min:
            raise ValueError("days_max must not be less than days_min")
        return self


class SizeChartRow(_Row):
    size: str = Field(min_length=1)
    height_cm: tuple[float, float] | None = None
    weight_kg: tuple[float, float] | None = None

    _size = field_validator("size", mode="before")(_as_str)

    @field_validator("height_cm", "weight_kg")
    @classmethod
    def _range(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and value[1] < value[0]:
            raise ValueError("a range is [low, high] with low <= high")
        return value


class Variant(_Row):
    sku: str = Field(min_length=1, max_length=64)
    color: str | None = None
    size: str | None = None
    options: dict[str, str] = Field(default_factory=dict)
    stock: dict[str, Annotated[int, Field(ge=0, le=10_000_000)]] = Field(default_factory=dict)
    restock_date: dt.date | None = None
    price: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)

    _sku = field_validator("sku", "color", "size", mode="before")(_as_str)

    @field_validator("options", mode="before")
    @classmethod
    def _option_values_are_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k).strip(): _as_str(v) for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _merge_shorthand(self) -> Variant:
        # `color` and `size` are shorthand for options.color / options.size.
        for name in ("color", "size"):
            short = getattr(self, name)
            long = self.options.get(name)
            if short is not None and long is not None and short != long:
                raise ValueError(f"{name} {short!r} disagrees with options.{name} {long!r}")
            if short is not None:
                self.options[name] = short
        self.options = {k: v for k, v in self.options.items() if v not in (None, "")}
        return self


class Product(_Row):
    sku: str = Field(min_length=1, max_length=64)
    link_no: int | None = Field(default=None, ge=0, le=100_000)
    title: str = Field(min_length=1)
    title_en: str | None = None
    aliases: list[str] = Field(default_factory=list)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    ship_within_hours: int | None = Field(default=None, ge=0, le=24 * 90)
    presale_ship_date: dt.date | None = None
    facts: dict[str, Any] = Field(default_factory=dict)
    size_chart: list[SizeChartRow] | None = None
    variants: list[Variant] = Field(min_length=1)

    _sku = field_validator("sku", mode="before")(_as_str)

    @field_validator("aliases", mode="before")
    @classmethod
    def _aliases_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
        return value


OrderStatus = Literal["paid", "shipped", "delivered", "cancelled"]


class OrderItem(_Row):
    sku: str = Field(min_length=1)
    qty: int = Field(default=1, ge=1)
    price: Decimal | None = Field(default=None, ge=0)

    _sku = field_validator("sku", mode="before")(_as_str)


class Order(_Row):
    order_id: str = Field(min_length=1, max_length=64)
    user_id: str = Field(min_length=1, max_length=128)
    items: list[OrderItem] = Field(min_length=1)
    status: OrderStatus
    paid_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    carrier: str | None = None
    tracking_no: str | None = None
    ship_to_province: str | None = None
    ship_to_city: str | None = None

    _ids = field_validator("order_id", "user_id", "tracking_no", mode="before")(_as_str)


class Faq(_Row):
    q: str = Field(min_length=1)
    a: str = Field(min_length=1)


class Catalog(_Row):
    store: Store
    warehouses: list[Warehouse] = Field(min_length=1)
    transit: list[Transit] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    orders: list[Order] = Field(default_factory=list)
    faqs: list[Faq] = Field(default_factory=list)


def check_references(catalog: Catalog) -> list[tuple[str, str]]:
    """Find what single-record validation cannot: duplicates and dangling references.

    Returns:
        ``(json_path, message)`` pairs; empty when the catalog is consistent.
    """
    problems: list[tuple[str, str]] = []
    warehouses = {w.code for w in catalog.warehouses}
    _duplicates(problems, "warehouses", [w.code for w in catalog.warehouses], "code")

    seen_routes: set[tuple[str, str]] = set()
    for i, row in enumerate(catalog.transit):
        if row.from_warehouse not in warehouses:
            problems.append((f"transit[{i}].from", f"unknown warehouse {row.from_warehouse!r}"))
        route = (row.from_warehouse, row.to_province)
        if route in seen_routes:
            problems.append((f"transit[{i}]", f"duplicate route {route[0]} → {route[1]}"))
        seen_routes.add(route)

    skus: dict[str, str] = {}
    link_numbers: dict[int, str] = {}
    for i, product in enumerate(catalog.products):
        where = f"products[{i}]"
        _claim(problems, skus, product.sku, f"{where}.sku")
        if product.link_no is not None:
            if product.link_no in link_numbers:
                problems.append(
                    (f"{where}.link_no", f"link_no {product.link_no} is already used by {link_numbers[product.link_no]}")
                )
            link_numbers[product.link_no] = product.sku
        for j, variant in enumerate(product.variants):
            vwhere = f"{where}.variants[{j}]"
            _claim(problems, skus, variant.sku, f"{vwhere}.sku")
            for code in variant.stock:
                if code not in warehouses:
                    problems.append((f"{vwhere}.stock.{code}", f"unknown warehouse {code!r}"))

    _duplicates(problems, "orders", [o.order_id for o in catalog.orders], "order_id")
    for i, order in enumerate(catalog.orders):
        for j, item in enumerate(order.items):
            if item.sku not in skus:
                problems.append((f"orders[{i}].items[{j}].sku", f"unknown SKU {item.sku!r}"))
    return problems


def _claim(problems: list[tuple[str, str]], skus: dict[str, str], sku: str, path: str) -> None:
    if sku in skus:
        problems.append((path, f"SKU {sku!r} is already used at {skus[sku]}"))
    else:
        skus[sku] = path


def _duplicates(problems: list[tuple[str, str]], table: str, keys: list[str], field: str) -> None:
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if key in seen:
            problems.append((f"{table}[{i}].{field}", f"duplicate {field} {key!r}"))
        seen.add(key)


def unknown_fields(model: BaseModel, path: str = "") -> list[str]:
    """JSON paths of fields the schema does not know (reported as warnings, never errors)."""
    found: list[str] = []
    extra = model.model_extra or {}
    found.extend(f"{path}.{key}" if path else key for key in extra)
    for name in type(model).model_fields:
        value = getattr(model, name)
        key = type(model).model_fields[name].alias or name
        here = f"{path}.{key}" if path else key
        if isinstance(value, BaseModel):
            found.extend(unknown_fields(value, here))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found.extend(unknown_fields(item, f"{here}[{i}]"))
    return found
