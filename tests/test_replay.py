"""The replay client against the real server: every message of the demo night is accounted for."""

from __future__ import annotations

import argparse
import collections
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.live import replay
from tests.conftest import DEMO_CATALOG, ROOT

NIGHT = ROOT / "assistant" / "demo" / "night.jsonl"
FIRST_LINES = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "assistant.cli", *args], env=env, check=True, capture_output=True,
                          text=True)
    return done.stdout.strip()


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    replay.add_arguments(parser)
    return parser.parse_args(argv)


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """The real server on a free port, with the demo store and a token per role it needs."""
    env = {"LIVEASSIST_DATABASE_URL": database_url, "LIVEASSIST_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    _cli(env, "catalog", "import", "--no-index", str(DEMO_CATALOG))
    tokens = {role: _cli(env, "tokens", "create", role) for role in ("ingest", "admin")}
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port),
                                "--log-level", "warning"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, tokens
    finally:
        process.terminate()
        process.wait(timeout=10)


def _sent_viewer_messages(limit: int) -> collections.Counter[tuple[str, str]]:
    lines = [json.loads(line) for line in NIGHT.read_text(encoding="utf-8").splitlines()[:limit]]
    return collections.Counter((line["user_id"], line["text"]) for line in lines if line.get("role") == "viewer")


def _transcripts(base: str, token: str, room: str, expected: int) -> list[dict]:
    """The room's transcripts, once the server's batched writer has caught up (or after ~10 s)."""
    rows: list[dict] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = httpx.get(f"{base}/v1/transcripts", params={"room": room, "limit": 1000},
                         headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["transcripts"]
        if len(rows) >= expected:
            break
        time.sleep(0.2)
    return rows


def test_every_replayed_viewer_message_is_answered_grouped_or_shed_once(server, capsys):
    base, tokens = server
    code = replay.run(_args(str(NIGHT), "--url", base, "--room", "night", "--token", tokens["ingest"],
                            "--on-air-token", tokens["admin"], "--rate", "3000", "--limit", str(FIRST_LINES),
                            "--json"))
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    sent = _sent_viewer_messages(FIRST_LINES)
    assert report["on_air_applied"] == 1  # the night's first link goes on air within its first 300 lines
    assert report["acknowledged"] == report["sent"] == sum(report["outcomes"].values())
    assert report["outcomes"].get("person", 0) == report["sent"] - sum(sent.values())  # the host's lines

    rows = _transcripts(base, tokens["admin"], "night", sum(sent.values()))
    assert collections.Counter((row["user_id"], row["text"]) for row in rows) == sent
    assert {row["route"] for row in rows} <= {"chat", "host", "grouped", "shed", "none"}
    assert any(row["route"] == "grouped" for row in rows)  # the burst after "1号链接上车了" shares answers


def test_a_refused_token_is_a_clear_error_and_exit_code_1(server, capsys):
    base, _ = server
    code = replay.run(_args(str(NIGHT), "--url", base, "--room", "night", "--token", "la_ingest_forged",
                            "--limit", "5"))
    assert code == 1
    assert "refused the token" in capsys.readouterr().err


def test_a_bad_line_is_reported_with_its_number(tmp_path, capsys):
    night = tmp_path / "night.jsonl"
    night.write_text('{"t": 0, "user_id": "douyin:1", "text": "XL还有吗"}\n{"t": 1, "user_id": "douyin:2"}\n',
                     encoding="utf-8")
    code = replay.run(_args(str(night), "--room", "r", "--token", "x"))
    assert code == 1
    assert f"{night} line 2" in capsys.readouterr().err


def test_lines_due_within_20_ms_travel_in_one_frame_and_on_air_changes_apart():
    lines = [replay.Line(1, 0.0, {"user_id": "a", "text": "1"}), replay.Line(2, 0.01, {"user_id": "b", "text": "2"}),
             replay.Line(3, 0.015, on_air=3), replay.Line(4, 0.016, {"user_id": "c", "text": "3"}),
             replay.Line(5, 1.0, {"user_id": "d", "text": "4"})]
    frames = replay.plan_frames(lines, speed=10)
    assert [(f.numbers, f.on_air) for f in frames] == [([1, 2], None), ([], 3), ([4], None), ([5], None)]
    assert frames[-1].due == pytest.approx(0.1)
    at_rate = replay.plan_frames(lines, rate=100)  # one message every 10 ms, whenever it was recorded
    assert [(f.numbers, f.due) for f in at_rate] == [([1, 2], 0.0), ([], 0.02), ([4, 5], 0.02)]
