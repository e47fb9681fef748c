"""The `liveassist` command as merchants and scripts use it: real processes, real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CATALOG

LIVEASSIST = [sys.executable, "-m", "assistant.cli"]


@pytest.fixture
def cli(database_url: str, tmp_path: Path):
    env = os.environ | {"LIVEASSIST_DATABASE_URL": database_url, "LIVEASSIST_DATA_DIR": str(tmp_path / "data")}

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*LIVEASSIST, *args], capture_output=True, text=True, env=env, timeout=120)
        if ok:
            assert done.returncode == 0, done.stderr
        return done

    return run


def test_import_set_on_air_ask_and_change_stock_end_to_end(cli):
    assert "imported" in cli("catalog", "import", str(EXAMPLE_CATALOG)).stdout
    assert "unchanged" in cli("catalog", "import", str(EXAMPLE_CATALOG)).stdout
    assert "HOODIE-01" in cli("room", "on-air", "live1", "3").stdout
    asked = cli("ask", "--room", "live1", "--user", "douyin:1", "--json", "--now", "2026-11-22T14:00:00+08:00",
                "黑色XL还有吗")
    decision = json.loads(asked.stdout)
    assert set(decision) >= {"action", "reply", "intent", "tool_calls", "confidence"}
    assert decision["action"] == "answer" and "23" in decision["reply"]
    assert all(set(call) == {"name", "args", "result"} for call in decision["tool_calls"])
    cli("stock", "set", "HOODIE-01-BLK-XL", "GZ", "2")
    decision = json.loads(cli("ask", "--room", "live1", "--user", "douyin:1", "--json", "黑色XL还有吗").stdout)
    assert "2" in decision["reply"] and "23" not in decision["reply"]


def test_on_air_by_sku_link_and_clear(cli):
    cli("catalog", "import", str(EXAMPLE_CATALOG))
    assert "LIP-12" in cli("room", "on-air", "r", "--link", "7").stdout
    assert "DOWN-07" in cli("room", "on-air", "r", "--sku", "DOWN-07").stdout
    assert "nothing on air" in cli("room", "on-air", "r", "--clear").stdout
    decision = json.loads(cli("ask", "--room", "r", "--user", "douyin:1", "--json", "XL还有吗").stdout)
    assert decision["action"] == "escalate"


@pytest.mark.parametrize("args, message", [
    (["stock", "set", "HOODIE-01-BLK-XL", "GZ", "-5"], "negative"),
    (["stock", "set", "HOODIE-01-BLK-XL", "GZ", "lots"], "whole number"),
    (["stock", "set", "NO-SUCH-SKU", "GZ", "5"], "unknown variant"),
    (["stock", "set", "HOODIE-01-BLK-XL", "XX", "5"], "unknown warehouse"),
    (["room", "on-air", "r", "NOPE"], "unknown product"),
    (["room", "on-air", "r", "99"], "link number 99"),
    (["ask", "--room", "r", "--user", "u:1", "--now", "yesterday", "XL?"], "ISO 8601"),
])
def test_mistakes_get_a_one_line_error_and_exit_1(cli, args, message):
    cli("catalog", "import", str(EXAMPLE_CATALOG))
    done = cli(*args, ok=False)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_catalog_is_refused_with_the_json_path(cli, tmp_path):
    document = json.loads(EXAMPLE_CATALOG.read_text(encoding="utf-8"))
    document["products"][0]["variants"][1]["stock"]["HZ"] = -3
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    done = cli("catalog", "import", str(bad), ok=False)
    assert done.returncode == 1 and "products[0].variants[1].stock.HZ" in done.stderr
    assert "Traceback" not in done.stderr


def test_transcripts_list_filter_and_export(cli, tmp_path):
    cli("catalog", "import", str(EXAMPLE_CATALOG))
    cli("room", "on-air", "live1", "HOODIE-01")
    cli("ask", "--room", "live1", "--user", "douyin:1", "XL还有吗")
    cli("ask", "--room", "live1", "--user", "douyin:2", "666")
    cli("ask", "--room", "other", "--user", "douyin:2", "能便宜点吗")
    rows = [json.loads(line) for line in cli("transcripts", "--format", "jsonl").stdout.splitlines()]
    assert len(rows) == 3
    assert {r["action"] for r in rows} == {"answer", "ignore", "escalate"}
    ignored = cli("transcripts", "--action", "ignore", "--format", "json").stdout
    assert [r["text"] for r in json.loads(ignored)] == ["666"]
    out = tmp_path / "night.csv"
    cli("transcripts", "--room", "live1", "--format", "csv", "--output", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,received_at,room_id") and len(lines) == 3
