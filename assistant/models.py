"""The database tables (SQLAlchemy 2, typed). Alembic migrations in ``migrations/`` create them.

Money is kept in integer cents so SQLite and PostgreSQL agree to the cent; instants are stored
as UTC and come back timezone-aware; local wall times (warehouse cutoffs) stay ``HH:MM`` text,
read in the warehouse's or the store's timezone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so migrations can alter them on PostgreSQL and SQLite alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, dt.datetime: UTCDateTime}


class Store(Base):
    """The one store this database serves (row id 1)."""

    __tablename__ = "store"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    catalog_version: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped by every import, so processes know to rebuild their vocabulary."""
    updated_at: Mapped[dt.datetime]


class Setting(Base):
    """Small key/value facts about this database (e.g. the hash of the last imported catalog)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Warehouse(Base):
    __tablename__ = "warehouses"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    cutoff_local: Mapped[str] = mapped_column(String(5))
    handling_days: Mapped[int] = mapped_column(Integer, default=0)
    timezone: Mapped[str | None] = mapped_column(String(64))


class TransitRule(Base):
    __tablename__ = "transit_rules"
    __table_args__ = (UniqueConstraint("from_warehouse", "to_province", name="uq_transit_route"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    from_warehouse: Mapped[str] = mapped_column(ForeignKey("warehouses.code", ondelete="CASCADE"))
    to_province: Mapped[str] = mapped_column(String(100))
    carrier: Mapped[str | None] = mapped_column(String(100))
    days_min: Mapped[int] = mapped_column(Integer)
    days_max: Mapped[int] = mapped_column(Integer)


class Product(Base):
    __tablename__ = "products"
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    link_no: Mapped[int | None] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    price_cents: Mapped[int] = mapped_column(Integer)
    ship_within_hours: Mapped[int | None] = mapped_column(Integer)
    presale_ship_date: Mapped[dt.date | None] = mapped_column(Date)
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    size_chart: Mapped[list[Any] | None] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)

    variants: Mapped[list[Variant]] = relationship(back_populates="product", order_by="Variant.position")


class Variant(Base):
    __tablename__ = "variants"
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    product_sku: Mapped[str] = mapped_column(ForeignKey("products.sku", ondelete="CASCADE"), index=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    price_cents: Mapped[int | None] = mapped_column(Integer)
    restock_date: Mapped[dt.date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="variants")


class Stock(Base):
    """Units of one variant in one warehouse; a missing row means zero."""

    __tablename__ = "stock"
    __table_args__ = (CheckConstraint("qty >= 0", name="qty_not_negative"),)
    variant_sku: Mapped[str] = mapped_column(ForeignKey("variants.sku", ondelete="CASCADE"), primary_key=True)
    warehouse_code: Mapped[str] = mapped_column(
        ForeignKey("warehouses.code", ondelete="CASCADE"), primary_key=True
    )
    qty: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    """Pages showing live stock poll for rows changed since they last looked."""


class Order(Base):
    __tablename__ = "orders"
    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16))
    paid_at: Mapped[dt.datetime | None]
    shipped_at: Mapped[dt.datetime | None]
    delivered_at: Mapped[dt.datetime | None]
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_no: Mapped[str | None] = mapped_column(String(100))
    ship_to_province: Mapped[str | None] = mapped_column(String(100))
    ship_to_city: Mapped[str | None] = mapped_column(String(100))

    items: Mapped[list[OrderItem]] = relationship(order_by="OrderItem.position")


class OrderItem(Base):
    __tablename__ = "order_items"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    qty: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Faq(Base):
    __tablename__ = "faqs"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(Text, unique=True)
    answer: Mapped[str] = mapped_column(Text)


class Room(Base):
    __tablename__ = "rooms"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    on_air_sku: Mapped[str | None] = mapped_column(ForeignKey("products.sku", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Transcript(Base):
    """One viewer message and everything the assistant did with it."""

    __tablename__ = "transcripts"
    __table_args__ = (Index("ix_transcripts_room_time", "room_id", "received_at"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    clock: Mapped[dt.datetime]
    """The instant the answer was computed for (``now`` when the caller fixed it)."""
    channel: Mapped[str] = mapped_column(String(16), default="api")
    lang: Mapped[str | None] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(16), index=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(Text, default="")
    understanding: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tool_calls: Mapped[list[Any]] = mapped_column(default=list)
    planner: Mapped[str] = mapped_column(String(32), default="offline")
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    """A reference the live room hands out before the row is written (rows are written in batches)."""
    group_id: Mapped[str | None] = mapped_column(String(32), index=True)
    """Viewers asking the same thing at about the same time share a group and one answer."""
    route: Mapped[str | None] = mapped_column(String(16))
    """Where the reply went: chat (posted), host (teleprompter), shed, or none."""
    audio: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    usage: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """When an LLM was asked: model, tokens in and out, estimated cost, rounds, retries, error."""
    """For a spoken question: what speech recognition heard, its language, confidence, the duration."""


class ApiToken(Base):
    """A bearer token for one role. Only a hash is kept; the token itself is shown once, at creation."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]


class OutboxMessage(Base):
    """A reply on its way to the live chat, read by the platform connector (WebSocket or webhook)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_room_id_id", "room_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    group_id: Mapped[str | None] = mapped_column(String(32))
    users: Mapped[list[Any]] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(String(16))
    """auto (posted by the assistant) or host (accepted or edited on the teleprompter)."""
    created_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None]


class HostAction(Base):
    """What the host or customer service did: accept, edit, dismiss, answer by hand, switch product, correct."""

    __tablename__ = "host_actions"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(24))
    group_id: Mapped[str | None] = mapped_column(String(32), index=True)
    text: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[dt.datetime]


class RoomPolicy(Base):
    """How a room routes answers, set by the merchant."""

    __tablename__ = "room_policies"
    room_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    auto_post: Mapped[bool] = mapped_column(default=False)
    """Post safe answers to the chat by themselves; otherwise only suggest them to the host."""
    late_after_seconds: Mapped[int] = mapped_column(Integer, default=60)
    webhook_url: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]


class Correction(Base):
    """Customer service marking a reply wrong, with the right answer: a future eval case."""

    __tablename__ = "corrections"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    right_action: Mapped[str] = mapped_column(String(16))
    right_reply: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]
