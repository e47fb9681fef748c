"""Shared fixtures: a real database per test, on SQLite and (when configured) PostgreSQL.

Every test that asks for ``engine`` runs once per backend. SQLite gets a fresh file; PostgreSQL
(``LIVEASSIST_TEST_DATABASE_URL``) gets a fresh schema, so tests never see each other's rows and
the schema is built by the same Alembic migrations a deployment runs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from assistant.catalog.importer import import_catalog, validate_catalog
from assistant.config import Settings
from assistant.db import dispose_all, get_engine, normalise_url, upgrade
from assistant.live_state import set_on_air
from assistant.pipeline import Assistant, Message

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CATALOG = ROOT.parent / "shared" / "contract" / "catalog.example.json"
if not EXAMPLE_CATALOG.exists():  # a checkout outside the team workspace: use the copy in tests/
    EXAMPLE_CATALOG = ROOT / "tests" / "data" / "catalog.example.json"
DEMO_CATALOG = ROOT / "assistant" / "demo" / "store_zh.json"
ENGLISH_CATALOG = ROOT / "evals" / "stores" / "tau_retail_en.json"
# Two stores written after the planner, to keep it honest: shoes with numeric sizes, tea by weight
# and flavour, phone cases by model (zh); rope by length, bottles in oz, two time zones (en).
SHOES_TEA_CATALOG = ROOT / "tests" / "data" / "store_shoes_tea_zh.json"
OUTDOOR_CATALOG = ROOT / "tests" / "data" / "store_outdoor_en.json"
# And two more: skincare, lip glaze shades "#01 …", jerky, beds by "1.8m床" (zh); headphones,
# chargers by wattage, cables by length in feet, shipping to Canada (en, America/Los_Angeles).
BEAUTY_HOME_CATALOG = ROOT / "tests" / "data" / "store_beauty_home_zh.json"
ELECTRONICS_CATALOG = ROOT / "tests" / "data" / "store_electronics_en.json"
# And a toy shop written after the kinds-of-product matcher: age ranges "0-3岁", piece counts "100片",
# facts that answer "适合几岁", nothing that is a face mask or a doll.
TOYS_CATALOG = ROOT / "tests" / "data" / "store_toys_kids_zh.json"
# And an audio shop written after the fact topics: earbuds whose battery fact says "with ANC on" beside
# a noise-cancelling fact, a speaker whose features list says IPX7 and ENC, wired headphones with
# neither; one warehouse in Denver shipping to Colorado, Washington and the * row.
AUDIO_CATALOG = ROOT / "tests" / "data" / "store_audio_en.json"
PG_URL = os.environ.get("LIVEASSIST_TEST_DATABASE_URL")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def at(text_time: str) -> dt.datetime:
    """A Beijing wall-clock time on 2026-11-22 ("20:00") or a full ISO time."""
    if len(text_time) <= 5:
        return dt.datetime.fromisoformat(f"2026-11-22T{text_time}:00+08:00")
    return dt.datetime.fromisoformat(text_time)


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    yield f"{normalise_url(PG_URL)}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = get_engine(database_url)
    upgrade(engine)
    yield engine
    dispose_all()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


def load_catalog(engine: Engine, path: Path = EXAMPLE_CATALOG, **changes: object) -> None:
    document = load_json(path)
    document.update(changes)
    catalog, warnings = validate_catalog(document)
    import_catalog(engine, catalog, warnings=warnings)


@pytest.fixture
def example_store(engine: Engine) -> Engine:
    """The contract's example catalog: hoodie (link 3), pre-sale down jacket (5), lipstick (7)."""
    load_catalog(engine)
    return engine


@pytest.fixture
def assistant(example_store: Engine, settings: Settings) -> Assistant:
    return Assistant(example_store, settings)


class Room:
    """A live room to ask questions in, the way a test reads best: ``room.ask("XL还有吗")``."""

    def __init__(self, assistant: Assistant, room_id: str = "r1") -> None:
        self.assistant = assistant
        self.room_id = room_id

    def on_air(self, product: str) -> Room:
        set_on_air(self.assistant.engine, self.room_id, either=product)
        return self

    def ask(self, text: str, *, user: str = "douyin:1001", now: str = "14:00", nickname: str | None = None):
        return self.assistant.handle(Message(self.room_id, user, text, now=at(now), nickname=nickname))


@pytest.fixture
def room(assistant: Assistant) -> Room:
    return Room(assistant)


@pytest.fixture
def hoodie_room(room: Room) -> Room:
    return room.on_air("HOODIE-01")


@pytest.fixture
def shoes_tea_room(engine: Engine, settings: Settings) -> Room:
    """山野小铺: shoes 36–44 (link 1), 龙井 by weight (2), phone cases by model (3), fruit tea by
    flavour (4), pre-sale boots (6); warehouses SH (17:00) and CQ (14:00, 1 handling day)."""
    load_catalog(engine, SHOES_TEA_CATALOG)
    return Room(Assistant(engine, settings))


@pytest.fixture
def outdoor_room(engine: Engine, settings: Settings) -> Room:
    """An English outdoor store (America/New_York): rope by length and colorway (link 1), backpack
    by capacity (2), bottle in oz (3), pre-sale tent (4), jacket (7); warehouses NJ and NV (Pacific)."""
    load_catalog(engine, OUTDOOR_CATALOG)
    return Room(Assistant(engine, settings))


@pytest.fixture
def beauty_home_room(engine: Engine, settings: Settings) -> Room:
    """Serum (link 1), lip glaze "#01 烂番茄"… (2), jerky (3), bedding "1.5m床/1.8m床/2.0m床" (4), pre-sale
    quilt (5); warehouses HZ (16:00), GZ (15:00, 1 day), URC (Asia/Urumqi)."""
    load_catalog(engine, BEAUTY_HOME_CATALOG)
    return Room(Assistant(engine, settings))


@pytest.fixture
def electronics_room(engine: Engine, settings: Settings) -> Room:
    """Headphones Standard/Pro (link 1), chargers 20W/65W/100W (2), cables 3/6/10 ft USB-C/Lightning (3)."""
    load_catalog(engine, ELECTRONICS_CATALOG)
    return Room(Assistant(engine, settings))


@pytest.fixture
def toys_room(engine: Engine, settings: Settings) -> Room:
    """童趣玩具屋: magnetic tiles 62/100/168片 (link 1), RC car by colour and battery (2), puzzles by
    片数 and 图案 (3), teddy bear by cm and colour (4), pre-sale picture books 0-3岁/3-6岁 (5), bubble
    machine (6); warehouses 义乌 YW (16:00) and 汕头 ST (17:00, 1 handling day)."""
    load_catalog(engine, TOYS_CATALOG)
    return Room(Assistant(engine, settings))


@pytest.fixture
def audio_room(engine: Engine, settings: Settings) -> Room:
    """EchoWave Audio: earbuds with battery, noise-cancelling, codec and IPX4 facts (link 1), a speaker
    whose one features fact lists "IPX7, stereo pairing, speakerphone with ENC" (2), wired headphones
    with a cable and a weight and nothing else (3); warehouse DEN (America/Denver, 14:00)."""
    load_catalog(engine, AUDIO_CATALOG)
    return Room(Assistant(engine, settings))
