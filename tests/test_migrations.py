"""The schema upgrades in place: a database at an older migration keeps its rows."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from assistant.db import _alembic_config, get_engine, is_current, upgrade


def test_an_old_database_upgrades_in_place_and_keeps_its_rows(database_url):
    engine = get_engine(database_url)
    config = _alembic_config(engine)
    command.upgrade(config, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO transcripts (room_id, user_id, text, received_at, clock, channel, action, reply,"
                          " confidence, reason, understanding, tool_calls, planner, latency_ms)"
                          " VALUES ('r1', 'douyin:1', 'XL还有吗', '2026-11-22 06:00:00', '2026-11-22 06:00:00', 'cli',"
                          " 'answer', '黑色XL还有23件', 0.9, 'answered', '{}', '[]', 'offline', 1.2)"))
    assert not is_current(engine)
    upgrade(engine)
    assert is_current(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT text, reply, message_id, audio FROM transcripts")).all()
        columns = {c["name"] for c in inspect(conn).get_columns("transcripts")}
        tables = set(inspect(conn).get_table_names())
    assert rows == [("XL还有吗", "黑色XL还有23件", None, None)]
    assert {"message_id", "group_id", "route", "audio"} <= columns
    assert {"api_tokens", "outbox", "host_actions", "room_policies", "corrections"} <= tables
    upgrade(engine)  # already current: nothing to do
