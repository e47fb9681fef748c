#!/usr/bin/env python3
"""Convert the τ-bench retail data into a liveassist catalog file (an English, US evaluation store).

Why: the assistant must not assume one store. τ-bench's retail domain (sierra-research/tau-bench,
MIT) is an independently written store with 50 products, 591 variants whose option names differ
from our demo store's ("capacity", "backrest height", "switch type", ...), 500 US users and 1,000
orders. This script turns it into the shape of ``shared/contract/catalog.example.json``.

What comes from τ unchanged: product and variant ids (as SKUs), names, option names and values,
variant prices, the ``available`` flag (sold out when false), order items and prices, order status
(mapped to ours), tracking ids, destination city and state.

What τ does not have, and is therefore *synthesised* here (deterministically, from SHA-256 hashes of
τ ids, never from ``random``): warehouses and transit times, stock figures per warehouse, restock
dates, which products are pre-sale, ship-within promises, size charts, aliases, generic facts,
FAQs and order timestamps. The output is byte-identical on every run.

Order timestamps are spread over 2026-10-20 .. 2026-11-21 (-05:00) so that, seen from a clock of
2026-11-22, nothing lies in the future: delivered orders were delivered, shipped orders are in
transit, paid orders are waiting to ship.

Usage::

    python evals/stores/convert_tau_retail.py [--source DIR] [--out FILE]

Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterable

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = Path(__file__).resolve().parents[3] / "shared/external/tau-bench-retail"
DEFAULT_OUT = HERE / "tau_retail_en.json"

STORE = {
    "name": "Sierra Outfitters Live",
    "timezone": "America/New_York",
    "currency": "USD",
    "language": "en",
}

# Fixed offset for order times, as the evaluation brief asks. An ISO time with an explicit offset
# is one unambiguous instant, so this is correct even on days when New York is on -04:00.
ORDER_TZ = dt.timezone(dt.timedelta(hours=-5))

# ---------------------------------------------------------------------------------------------
# Geography
# ---------------------------------------------------------------------------------------------

STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}

# Approximate centre of population (lat, lon) of each state: where parcels actually go, which
# matters for big states (most of Texas' people live in its east, most of Nevada's in Las Vegas).
STATE_POINTS = {
    "AL": (33.0, -86.8), "AK": (61.4, -149.0), "AZ": (33.4, -111.8), "AR": (35.0, -92.6),
    "CA": (35.5, -119.3), "CO": (39.5, -105.0), "CT": (41.5, -72.9), "DE": (39.4, -75.6),
    "DC": (38.9, -77.0), "FL": (27.8, -81.6), "GA": (33.3, -83.9), "HI": (21.3, -157.8),
    "ID": (43.9, -115.4), "IL": (41.3, -88.4), "IN": (40.0, -86.3), "IA": (41.9, -92.9),
    "KS": (38.5, -96.8), "KY": (37.8, -85.5), "LA": (30.7, -91.5), "ME": (44.3, -69.8),
    "MD": (39.1, -76.8), "MA": (42.3, -71.4), "MI": (42.9, -84.2), "MN": (45.2, -93.6),
    "MS": (32.6, -89.6), "MO": (38.4, -92.2), "MT": (46.7, -111.0), "NE": (41.0, -97.4),
    "NV": (36.7, -116.0), "NH": (43.0, -71.5), "NJ": (40.4, -74.4), "NM": (34.6, -106.4),
    "NY": (41.5, -74.6), "NC": (35.5, -79.7), "ND": (47.4, -99.2), "OH": (40.5, -82.6),
    "OK": (35.6, -96.8), "OR": (44.7, -122.6), "PA": (40.5, -77.2), "RI": (41.8, -71.4),
    "SC": (34.0, -81.2), "SD": (44.0, -99.0), "TN": (35.8, -86.4), "TX": (30.9, -97.4),
    "UT": (40.5, -111.8), "VT": (44.1, -72.8), "VA": (38.0, -77.8), "WA": (47.3, -121.6),
    "WV": (38.8, -80.9), "WI": (43.7, -89.0), "WY": (42.8, -107.5),
}

WAREHOUSES = [
    {"code": "NJ", "name": "Edison, NJ warehouse", "province": "New Jersey", "city": "Edison",
     "cutoff_local": "14:00", "handling_days": 0, "timezone": "America/New_York"},
    {"code": "TX", "name": "Dallas, TX warehouse", "province": "Texas", "city": "Dallas",
     "cutoff_local": "13:00", "handling_days": 1, "timezone": "America/Chicago"},
    {"code": "NV", "name": "Reno, NV warehouse", "province": "Nevada", "city": "Reno",
     "cutoff_local": "12:00", "handling_days": 1, "timezone": "America/Los_Angeles"},
]
WAREHOUSE_POINTS = {"NJ": (40.52, -74.41), "TX": (32.78, -96.80), "NV": (39.53, -119.81)}
WAREHOUSE_STATE = {"NJ": "NJ", "TX": "TX", "NV": "NV"}

# States sharing a border with each warehouse's state: these get next-day-ish ground service.
NEIGHBOURS = {
    "NJ": {"NY", "PA", "DE"},
    "TX": {"NM", "OK", "AR", "LA"},
    "NV": {"CA", "OR", "ID", "UT", "AZ"},
}

# (days_min, days_max, carrier) per distance band.
LOCAL = (1, 2, "UPS Ground")          # same or neighbouring state
REGIONAL = (2, 4, "FedEx")            # same part of the country
CROSS_COUNTRY = (4, 7, "USPS")        # coast to coast
NONCONTIGUOUS = {"AK": (6, 10, "USPS"), "HI": (5, 9, "USPS")}  # air legs, fewer departures
INTERNATIONAL = (7, 14, "USPS International")
REGIONAL_MAX_KM = 1675  # beyond this a ground parcel needs more than ~4 days (no state lies near it)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def _band(warehouse: str, state: str) -> tuple[int, int, str]:
    if state in NONCONTIGUOUS:
        return NONCONTIGUOUS[state]
    if state == WAREHOUSE_STATE[warehouse] or state in NEIGHBOURS[warehouse]:
        return LOCAL
    distance = _km(WAREHOUSE_POINTS[warehouse], STATE_POINTS[state])
    # Rounded so the band cannot flip on a last-digit floating-point difference.
    return REGIONAL if round(distance) <= REGIONAL_MAX_KM else CROSS_COUNTRY


def build_transit() -> list[dict[str, Any]]:
    """One row per warehouse and state (plus DC), and a ``*`` row for everywhere else."""
    rows = []
    for warehouse in WAREHOUSES:
        code = warehouse["code"]
        for state in sorted(STATE_NAMES, key=STATE_NAMES.get):
            low, high, carrier = _band(code, state)
            rows.append({"from": code, "to_province": STATE_NAMES[state], "carrier": carrier,
                         "days_min": low, "days_max": high})
        low, high, carrier = INTERNATIONAL
        rows.append({"from": code, "to_province": "*", "carrier": carrier, "days_min": low, "days_max": high})
    return rows


# ---------------------------------------------------------------------------------------------
# Deterministic "randomness"
# ---------------------------------------------------------------------------------------------


def _hash(tag: str, key: str) -> int:
    """A stable 64-bit number for (tag, key); tags keep the draws for different purposes independent."""
    return int.from_bytes(hashlib.sha256(f"{tag}|{key}".encode()).digest()[:8], "big")


def _unit(tag: str, key: str) -> float:
    """A stable number in [0, 1)."""
    return _hash(tag, key) / 2**64


# ---------------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------------

# Natural ways a viewer names each τ product. Written by hand; chosen not to collide across
# products ("notebook" is the paper Notebook, so Laptop does not get it; "kettle", "watch" and
# "camera" would each fit two or three products, so none gets them) and to claim nothing the data
# does not say (no brand names, no "DSLR").
ALIASES = {
    "Action Camera": ["action cam", "sports camera"],
    "Air Purifier": ["purifier", "air cleaner"],
    "Backpack": ["rucksack", "backpacks", "daypack"],
    "Bicycle": ["bike", "bikes"],
    "Bluetooth Speaker": ["speaker", "wireless speaker", "portable speaker"],
    "Bookshelf": ["bookcase", "shelf", "book shelf"],
    "Coffee Maker": ["coffeemaker", "coffee machine"],
    "Cycling Helmet": ["bike helmet", "helmet", "bicycle helmet"],
    "Desk Lamp": ["lamp", "table lamp", "reading lamp"],
    "Digital Camera": ["digicam", "photo camera"],
    "Dumbbell Set": ["dumbbells", "weights", "free weights"],
    "E-Reader": ["ereader", "e-book reader", "ebook reader"],
    "Electric Kettle": ["electric water kettle", "electric kettles"],
    "Electric Toothbrush": ["toothbrush", "power toothbrush"],
    "Espresso Machine": ["espresso maker", "espresso machines"],
    "Fleece Jacket": ["fleece", "jacket", "zip fleece"],
    "Gaming Mouse": ["mouse", "gamer mouse"],
    "Garden Hose": ["hose", "water hose"],
    "Grill": ["BBQ", "barbecue", "grills"],
    "Headphones": ["headset", "cans"],
    "Hiking Boots": ["boots", "hiking boot", "trail boots"],
    "Indoor Security Camera": ["security camera", "home camera", "security cam"],
    "Jigsaw Puzzle": ["puzzle", "jigsaw", "puzzles"],
    "LED Light Bulb": ["light bulb", "LED bulb", "bulb"],
    "Laptop": ["laptop computer", "laptops"],
    "Luggage Set": ["luggage", "suitcases", "suitcase set"],
    "Makeup Kit": ["makeup", "make-up kit", "cosmetics kit"],
    "Mechanical Keyboard": ["keyboard", "mech keyboard"],
    "Notebook": ["notepad", "journal", "notebooks"],
    "Office Chair": ["desk chair", "chair", "office chairs"],
    "Patio Umbrella": ["umbrella", "outdoor umbrella", "patio umbrellas"],
    "Perfume": ["fragrance", "cologne"],
    "Pet Bed": ["dog bed", "cat bed", "pet beds"],
    "Portable Charger": ["power bank", "battery pack", "charger"],
    "Running Shoes": ["runners", "running shoe", "jogging shoes"],
    "Skateboard": ["skate board", "skateboards"],
    "Smart Thermostat": ["thermostat", "smart home thermostat"],
    "Smart Watch": ["smartwatch", "smart watches"],
    "Smartphone": ["phone", "cell phone", "mobile phone"],
    "Sneakers": ["sneaker", "trainers", "kicks"],
    "Sunglasses": ["shades", "sunnies"],
    "T-Shirt": ["tee", "t shirt", "tshirt"],
    "Tablet": ["tablets", "tablet computer"],
    "Tea Kettle": ["stovetop kettle", "teakettle"],
    "Vacuum Cleaner": ["vacuum", "vac", "hoover"],
    "Wall Clock": ["clock", "wall clocks"],
    "Water Bottle": ["bottle", "water bottles"],
    "Wireless Earbuds": ["earbuds", "earphones", "wireless earphones"],
    "Wristwatch": ["wrist watch", "wristwatches"],
    "Yoga Mat": ["mat", "exercise mat", "yoga mats"],
}

# Products sold as pre-sale (the next batch ships on the date), keyed by τ name. Chosen among
# products with most variants available, so the pre-sale has something to sell. Their past orders
# (shipped or delivered in November) came from an earlier batch.
PRESALE = {
    "Bicycle": "2026-12-10",
    "Espresso Machine": "2026-12-05",
    "Luggage Set": "2026-12-15",
}

# Products that plug in or run on batteries: the store's electronics warranty applies to them.
ELECTRONICS = {
    "Action Camera", "Air Purifier", "Bluetooth Speaker", "Coffee Maker", "Desk Lamp",
    "Digital Camera", "E-Reader", "Electric Kettle", "Electric Toothbrush", "Espresso Machine",
    "Gaming Mouse", "Headphones", "Indoor Security Camera", "LED Light Bulb", "Laptop",
    "Mechanical Keyboard", "Portable Charger", "Smart Thermostat", "Smart Watch", "Smartphone",
    "Tablet", "Vacuum Cleaner", "Wireless Earbuds",
}
WARRANTY_FACT = "1-year limited warranty against manufacturing defects, from the delivery date"

# Letter sizes in wearing order, with a generic adult (unisex) chart. Only apparel gets a chart:
# a helmet's S/M/L is head circumference, which height and weight would not predict.
LETTER_SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
SIZE_CHART = {
    "XS": ((150, 160), (40, 50)),
    "S": ((155, 165), (45, 57)),
    "M": ((165, 175), (55, 68)),
    "L": ((172, 180), (65, 78)),
    "XL": ((178, 186), (75, 88)),
    "XXL": ((182, 192), (85, 100)),
}
APPAREL_WORDS = ("shirt", "tee", "hoodie", "jacket", "sweater", "sweatshirt", "coat", "pants", "dress", "vest")

RESTOCK_MONTH_START = dt.date(2026, 12, 1)


def _money(value: float | Decimal) -> float:
    """Two decimals, half up, as a JSON number."""
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _median_price(prices: list[float]) -> float:
    # Decimal so that the mean of the two middle prices rounds as a person would expect.
    values = sorted(Decimal(str(p)) for p in prices)
    mid = len(values) // 2
    median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    return _money(median)


def _unit_of(value: str) -> str:
    """What is left of a value without its numbers: "1.5 liters" → "liter", "5-25 lbs" → "lb"."""
    return re.sub(r"[\d.\s-]", "", value).lower().rstrip("s")


def _shopper_order(values: set[str]) -> list[str]:
    """Order one option's values as a shopper reads them: XS < S < M, 500ml < 1000ml, else A-Z.

    Numbers are compared only when every value starts with one and all share a unit, so that
    "1080p, 4K, 5K" stays alphabetical rather than putting 4K first.
    """
    if values <= set(LETTER_SIZES):
        return sorted(values, key=LETTER_SIZES.index)
    numbers = {v: re.match(r"^\d+(?:\.\d+)?", v) for v in values}
    if all(numbers.values()) and len({_unit_of(v) for v in values}) == 1:
        return sorted(values, key=lambda v: (float(numbers[v].group()), v))
    return sorted(values, key=lambda v: (v.lower(), v))


def _option_values(variants: Iterable[dict]) -> dict[str, list[str]]:
    """Option name → distinct values, names in first-seen order, values in shopper order."""
    found: dict[str, set[str]] = {}
    for variant in variants:
        for name, value in variant["options"].items():
            found.setdefault(name, set()).add(value)
    return {name: _shopper_order(values) for name, values in found.items()}


def _stock(item_id: str, available: bool) -> tuple[dict[str, int], str | None]:
    """Stock per warehouse and an optional restock date for one variant.

    Sold out in τ → 0 everywhere, and about half of those get a December restock date.
    Available → a total (about 10% low, 1-5; else 5-200) split over 1-3 warehouses.
    Every warehouse is listed, with 0 where it holds none, so the file reads unambiguously.
    """
    codes = [w["code"] for w in WAREHOUSES]
    stock = {code: 0 for code in codes}
    if not available:
        restock = None
        if _unit("restock", item_id) < 0.5:
            restock = (RESTOCK_MONTH_START + dt.timedelta(days=_hash("restock-day", item_id) % 31)).isoformat()
        return stock, restock
    if _unit("low", item_id) < 0.10:
        total = 1 + _hash("low-qty", item_id) % 5
    else:
        total = 5 + _hash("qty", item_id) % 196
    holders = sorted(codes, key=lambda code: _hash(f"holder-{code}", item_id))
    holders = holders[: min(total, 1 + _hash("spread", item_id) % 3)]
    # Cut the total into len(holders) positive parts at hashed points.
    cuts = sorted({1 + _hash(f"cut-{i}", item_id) % (total - 1) for i in range(len(holders) - 1)}) if total > 1 else []
    while len(cuts) < len(holders) - 1:  # two cuts fell on the same point: give up one holder
        holders.pop()
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total])]
    for code, qty in zip(holders, parts):
        stock[code] = qty
    return stock, None  # an available variant needs no restock date


def _size_chart(name: str, options: dict[str, list[str]]) -> list[dict] | None:
    sizes = options.get("size")
    if not sizes or not set(sizes) <= set(LETTER_SIZES):
        return None
    if not any(word in name.lower() for word in APPAREL_WORDS):
        return None
    return [{"size": size, "height_cm": list(SIZE_CHART[size][0]), "weight_kg": list(SIZE_CHART[size][1])}
            for size in sizes]


def _facts(name: str, options: dict[str, list[str]], prices: list[float]) -> dict[str, str]:
    """Only what the data says: the choices on offer and the price range (plus store warranty policy)."""
    facts = {f"{option} options": ", ".join(values) for option, values in options.items()}
    low, high = min(prices), max(prices)
    facts["price range"] = f"${low:,.2f} to ${high:,.2f}" if low != high else f"${low:,.2f}"
    if name in ELECTRONICS:
        facts["warranty"] = WARRANTY_FACT
    return facts


def _variant(raw: dict) -> dict[str, Any]:
    stock, restock = _stock(raw["item_id"], raw["available"])
    variant: dict[str, Any] = {"sku": str(raw["item_id"]), "options": dict(raw["options"]), "price": _money(raw["price"])}
    variant["stock"] = stock
    if restock:
        variant["restock_date"] = restock
    return variant


def build_products(tau_products: dict) -> list[dict[str, Any]]:
    """All τ products, link numbers 1.. in title order (independent of the source file's order)."""
    ordered = sorted(tau_products.values(), key=lambda p: (p["name"], p["product_id"]))
    names = [p["name"] for p in ordered]
    if len(set(names)) != len(names):
        raise SystemExit("τ product names are not unique; ALIASES/PRESALE are keyed by name")
    products = []
    for link_no, raw in enumerate(ordered, start=1):
        name = raw["name"]
        options = _option_values(raw["variants"].values())
        # Variants listed by their options in shopper order (then id), not in τ's arbitrary order.
        raw_variants = sorted(
            raw["variants"].values(),
            key=lambda v: ([options[k].index(x) for k, x in v["options"].items()], v["item_id"]),
        )
        prices = [v["price"] for v in raw_variants]
        presale = PRESALE.get(name)
        product: dict[str, Any] = {
            "sku": str(raw["product_id"]),
            "link_no": link_no,
            "title": name,
            "title_en": name,
            "aliases": ALIASES.get(name) or [name.lower()],
            "price": _median_price(prices),
            # Spot goods promise 24 or 48 h; pre-sale ships on its date instead.
            "ship_within_hours": None if presale else (24 if _unit("ship", raw["product_id"]) < 0.5 else 48),
            "presale_ship_date": presale,
            "facts": _facts(name, options, prices),
        }
        chart = _size_chart(name, options)
        if chart:
            product["size_chart"] = chart
        product["variants"] = [_variant(v) for v in raw_variants]
        products.append(product)
    return products


# ---------------------------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------------------------

STATUS = {
    "pending": "paid",
    "pending (item modified)": "paid",  # written by τ's tools when a pending order is edited
    "processed": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
    # A return or exchange is requested after delivery; the parcel itself was delivered.
    "return requested": "delivered",
    "exchange requested": "delivered",
}
CARRIERS = ["UPS", "FedEx", "USPS"]


def _at(day: str, hour: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ORDER_TZ)


# Window in which an order of each status was paid, chosen so that every later step fits before
# 2026-11-22 (calendar days): delivered ≤ 11-11 + 2 + 6 = 11-19; shipped ≤ 11-19 + 2 = 11-21, by 20:00.
PAID_WINDOWS = {
    "delivered": (_at("2026-10-20"), _at("2026-11-12")),
    "shipped": (_at("2026-11-14"), _at("2026-11-19", 12)),
    "paid": (_at("2026-11-20"), _at("2026-11-21", 22)),
    "cancelled": (_at("2026-10-20"), _at("2026-11-21", 22)),
}


def _moment(tag: str, key: str, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A stable minute in [start, end)."""
    minutes = int((end - start).total_seconds() // 60)
    return start + dt.timedelta(minutes=_hash(tag, key) % minutes)


def _later_day(tag: str, key: str, after: dt.datetime, days: tuple[int, int], hours: tuple[int, int]) -> dt.datetime:
    """A stable minute ``days`` (inclusive range) calendar days after ``after``, within working ``hours``.

    Parcels leave a warehouse and reach a door in the daytime, not at 3 a.m.
    """
    day = after.replace(hour=0, minute=0) + dt.timedelta(days=days[0] + _hash(f"{tag}-day", key) % (days[1] - days[0] + 1))
    return _moment(tag, key, day.replace(hour=hours[0]), day.replace(hour=hours[1]))


def _times(order_id: str, status: str) -> dict[str, str]:
    start, end = PAID_WINDOWS[status]
    paid = _moment("paid", order_id, start, end)  # paying online happens at any hour
    times = {"paid_at": paid.isoformat()}
    if status in ("shipped", "delivered"):
        shipped = _later_day("shipped", order_id, paid, days=(1, 2), hours=(8, 20))
        times["shipped_at"] = shipped.isoformat()
        if status == "delivered":
            delivered = _later_day("delivered", order_id, shipped, days=(2, 6), hours=(9, 20))
            times["delivered_at"] = delivered.isoformat()
    return times


def _items(raw_items: list[dict]) -> list[dict[str, Any]]:
    """τ lists one line per unit; identical lines become one line with a quantity."""
    merged: dict[tuple[str, float], dict[str, Any]] = {}
    for item in raw_items:
        key = (str(item["item_id"]), item["price"])
        if key in merged:
            merged[key]["qty"] += 1
        else:
            merged[key] = {"sku": key[0], "qty": 1, "price": _money(item["price"])}
    return list(merged.values())


def _tracking(raw: dict) -> str | None:
    for fulfillment in raw.get("fulfillments") or []:
        for tracking_id in fulfillment.get("tracking_id") or []:
            return str(tracking_id)
    return None


def build_orders(tau_orders: dict, known_skus: set[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Every τ order whose items all exist; returns (orders, ids of skipped orders)."""
    orders, skipped = [], []
    for raw in sorted(tau_orders.values(), key=lambda o: o["order_id"]):
        if any(str(item["item_id"]) not in known_skus for item in raw["items"]):
            skipped.append(raw["order_id"])
            continue
        if raw["status"] not in STATUS:
            raise SystemExit(f"order {raw['order_id']}: unknown τ status {raw['status']!r}")
        status = STATUS[raw["status"]]
        state = raw["address"]["state"]
        if state not in STATE_NAMES:
            raise SystemExit(f"order {raw['order_id']}: unknown US state code {state!r}")
        order: dict[str, Any] = {
            "order_id": raw["order_id"],
            "user_id": f"shop:{raw['user_id']}",
            "items": _items(raw["items"]),
            "status": status,
            **_times(raw["order_id"], status),
        }
        # Only a parcel on its way or delivered has a carrier and tracking number for the viewer;
        # τ also keeps tracking ids on cancelled orders, which we drop.
        tracking = _tracking(raw) if status in ("shipped", "delivered") else None
        if tracking:
            order["carrier"] = CARRIERS[_hash("carrier", raw["order_id"]) % len(CARRIERS)]
            order["tracking_no"] = tracking
        order["ship_to_province"] = STATE_NAMES[state]
        order["ship_to_city"] = raw["address"]["city"]
        orders.append(order)
    return orders, skipped


# ---------------------------------------------------------------------------------------------
# FAQs (store policy, written for this evaluation store)
# ---------------------------------------------------------------------------------------------

FAQS = [
    ("What is your return policy?",
     "You can return any item within 30 days of delivery for a full refund, as long as it is unused and in its original packaging."),
    ("Is shipping free?",
     "Standard shipping is free on orders over $35 within the US. Below $35 it is a flat $5.99."),
    ("Do you ship internationally?",
     "Yes. International orders ship by USPS International and usually arrive in 7 to 14 days; import duties are paid by the buyer."),
    ("Do you ship to Alaska and Hawaii?",
     "Yes, by USPS. Allow 6 to 10 days to Alaska and 5 to 9 days to Hawaii."),
    ("Do electronics come with a warranty?",
     "Yes. Electronics and electric appliances carry a 1-year limited warranty against manufacturing defects from the delivery date. Contact us with your order number to claim it."),
    ("The price dropped after I bought. Can I get the difference?",
     "Yes. If the price of your item drops within 14 days of your purchase, we refund the difference. Just message us your order number."),
    ("Can I get a gift receipt?",
     "Yes. Ask for a gift receipt before your order ships and we include one without prices in the parcel."),
    ("Can I change or cancel my order?",
     "You can change the address or items, or cancel, while the order is still paid and not shipped. Once it has shipped, please use a return instead."),
    ("Can I exchange an item for a different size or color?",
     "Yes, within 30 days of delivery, for the same product in another option if it is in stock. We ship the new item once the return is scanned by the carrier."),
    ("What does pre-sale mean?",
     "A pre-sale item is paid now and ships on the pre-sale date shown for that product. Same-day cutoffs do not apply to it."),
    ("What payment methods do you accept?",
     "Visa, Mastercard, American Express, Discover, PayPal and our store gift cards."),
    ("When does my order ship?",
     "In-stock items ship from our New Jersey, Texas or Nevada warehouse within 2 days of payment; ask us about a product and we tell you its exact ship date. Pre-sale items ship on their pre-sale date."),
    ("How do I track my order?",
     "Ask us here with your order number, or use the tracking number in your shipping email on the carrier's website."),
    ("My item arrived damaged. What do I do?",
     "Send us your order number and a photo within 7 days of delivery, and we send a free replacement or refund you."),
]


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def _load(source: Path, name: str) -> dict:
    with (source / name).open(encoding="utf-8") as handle:
        return json.load(handle)


def convert(source: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the catalog; also returns a small summary for the console."""
    tau_products = _load(source, "products.json")
    tau_orders = _load(source, "orders.json")
    tau_users = _load(source, "users.json")

    products = build_products(tau_products)
    known = {v["sku"] for p in products for v in p["variants"]}
    orders, skipped = build_orders(tau_orders, known)
    unknown_users = sorted({o["user_id"] for o in tau_orders.values()} - set(tau_users))
    catalog = {
        "store": dict(STORE),
        "warehouses": [dict(w) for w in WAREHOUSES],
        "transit": build_transit(),
        "products": products,
        "orders": orders,
        "faqs": [{"q": q, "a": a} for q, a in FAQS],
    }
    summary = {"skipped_orders": skipped, "order_users_missing_from_users_json": unknown_users}
    return catalog, summary


def render(catalog: dict[str, Any]) -> str:
    # Insertion order is fixed by the code above, so the text is the same on every run.
    return json.dumps(catalog, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder with τ products/orders/users.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="catalog JSON to write")
    args = parser.parse_args(argv)
    missing = [n for n in ("products.json", "orders.json", "users.json") if not (args.source / n).is_file()]
    if missing:
        parser.error(f"{args.source} lacks {', '.join(missing)} (pass --source DIR)")

    catalog, summary = convert(args.source)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(catalog), encoding="utf-8", newline="\n")
    variants = sum(len(p["variants"]) for p in catalog["products"])
    print(f"wrote {args.out}: {len(catalog['products'])} products, {variants} variants, "
          f"{len(catalog['orders'])} orders, {len(catalog['transit'])} transit rows, {len(catalog['faqs'])} FAQs")
    if summary["skipped_orders"]:
        print(f"skipped {len(summary['skipped_orders'])} orders with unknown items", file=sys.stderr)
    if summary["order_users_missing_from_users_json"]:
        print(f"{len(summary['order_users_missing_from_users_json'])} order users are not in users.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
