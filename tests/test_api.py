"""The HTTP API, by the contract: catalog, stock, on-air, messages, transcripts — and bad input."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.auth import create_token, revoke_token
from tests.conftest import EXAMPLE_CATALOG, load_json


@pytest.fixture
def tokens(engine):
    return {role: create_token(engine, role, f"test {role}") for role in ("ingest", "host", "cs", "admin")}


@pytest.fixture
def api(settings, tokens):
    with TestClient(create_app(settings, warm_up=False)) as client:
        client.headers["Authorization"] = f"Bearer {tokens['admin']}"
        assert client.post("/v1/catalog", json=load_json(EXAMPLE_CATALOG)).status_code == 200
        yield client


def as_role(tokens, role):
    return {"Authorization": f"Bearer {tokens[role]}"}


def ask(api, text, room="live1", user="douyin:1001", now="2026-11-22T14:00:00+08:00"):
    return api.post(f"/v1/rooms/{room}/messages", json={"user_id": user, "text": text, "now": now})


def test_on_air_then_ask_then_change_stock(api):
    assert api.put("/v1/rooms/live1/on-air", json={"product": "HOODIE-01"}).json()["on_air"] == "HOODIE-01"
    answer = ask(api, "黑色XL还有吗").json()
    assert answer["action"] == "answer" and "23" in answer["reply"]
    assert api.put("/v1/stock/HOODIE-01-BLK-XL/GZ", json={"qty": 4}).status_code == 200
    assert "4" in ask(api, "黑色XL还有吗").json()["reply"]


def test_on_air_by_link_number_and_clear(api):
    assert api.put("/v1/rooms/r2/on-air", json={"link_no": 7}).json()["on_air"] == "LIP-12"
    assert api.get("/v1/rooms/r2").json()["on_air"] == "LIP-12"
    assert api.delete("/v1/rooms/r2/on-air").status_code == 200
    assert api.get("/v1/rooms/r2").json()["on_air"] is None


def test_the_answer_json_has_the_contract_shape(api):
    api.put("/v1/rooms/live1/on-air", json={"product": "HOODIE-01"})
    body = ask(api, "发到成都几天").json()
    assert body["action"] in ("answer", "escalate", "ignore")
    assert body["intent"] == "shipping"
    assert isinstance(body["confidence"], float) and 0 <= body["confidence"] <= 1
    for call in body["tool_calls"]:
        assert set(call) == {"name", "args", "result"}


@pytest.mark.parametrize("text", ["", "   ", "\x00\x07\x1b[31m", "啊" * 10_000, "👍" * 3000])
def test_empty_huge_and_control_character_messages_are_ignored_and_recorded(api, text):
    response = ask(api, text)
    assert response.status_code == 200
    assert response.json()["action"] == "ignore"
    rows = api.get("/v1/transcripts", params={"room": "live1"}).json()["transcripts"]
    assert len(rows) == 1 and rows[0]["action"] == "ignore"


def test_unreadable_requests_get_a_clear_4xx_and_still_reach_the_transcript(api):
    broken = api.post("/v1/rooms/live1/messages", content=b'{"user_id": "douyin:1", "text": ',
                      headers={"content-type": "application/json"})
    assert broken.status_code == 422 and "request refused" in broken.json()["error"]
    missing = api.post("/v1/rooms/live1/messages", json={"text": "XL还有吗"})
    assert missing.status_code == 422 and "user_id" in missing.json()["error"]
    rows = api.get("/v1/transcripts", params={"room": "live1"}).json()["transcripts"]
    assert {r["text"] for r in rows} == {'{"user_id": "douyin:1", "text": ', "XL还有吗"}


@pytest.mark.parametrize("path, body, status, words", [
    ("/v1/stock/HOODIE-01-BLK-XL/GZ", {"qty": -1}, 422, "negative"),
    ("/v1/stock/HOODIE-01-BLK-XL/GZ", {"qty": "many"}, 422, "whole number"),
    ("/v1/stock/HOODIE-01-BLK-XL/GZ", {"qty": 2.5}, 422, "whole number"),
    ("/v1/stock/NOPE/GZ", {"qty": 1}, 404, "unknown variant"),
    ("/v1/stock/HOODIE-01-BLK-XL/XX", {"qty": 1}, 404, "unknown warehouse"),
    ("/v1/rooms/live1/on-air", {"product": "NOPE"}, 404, "unknown product"),
    ("/v1/rooms/live1/on-air", {"link_no": 99}, 404, "link number 99"),
    ("/v1/rooms/live1/on-air", {}, 422, "exactly one"),
])
def test_bad_values_get_clear_errors_never_a_500(api, path, body, status, words):
    response = api.put(path, json=body)
    assert response.status_code == status
    assert words in response.json()["error"]


def test_unknown_room_is_a_404_and_a_bad_room_id_a_422(api):
    assert api.get("/v1/rooms/never-seen").status_code == 404
    assert api.put("/v1/rooms/bad%20room!/on-air", json={"product": "HOODIE-01"}).status_code == 422


def test_a_bad_catalog_is_refused_with_json_paths(api):
    document = load_json(EXAMPLE_CATALOG)
    document["products"][0]["variants"][0]["stock"]["HZ"] = "lots"
    response = api.post("/v1/catalog", json=document)
    assert response.status_code == 422
    assert "products[0].variants[0].stock.HZ" in [p["path"] for p in response.json()["problems"]]


def test_transcripts_filter_and_export(api):
    api.put("/v1/rooms/live1/on-air", json={"product": "HOODIE-01"})
    ask(api, "XL还有吗")
    ask(api, "666", user="douyin:2")
    ask(api, "能便宜点吗", room="other")
    assert api.get("/v1/transcripts").json()["count"] == 3
    assert [r["text"] for r in api.get("/v1/transcripts", params={"action": "ignore"}).json()["transcripts"]] == ["666"]
    assert api.get("/v1/transcripts", params={"user": "douyin:1001", "room": "live1"}).json()["count"] == 1
    assert api.get("/v1/transcripts", params={"intent": "stock"}).json()["count"] == 1
    csv_text = api.get("/v1/transcripts", params={"format": "csv"}).text
    assert csv_text.startswith("id,received_at,room_id")
    lines = api.get("/v1/transcripts", params={"format": "jsonl"}).text.splitlines()
    assert all(json.loads(line)["tool_calls"] is not None for line in lines)
    assert api.get("/v1/transcripts", params={"since": "not a time"}).status_code == 422


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_real_server_answers_over_http(database_url, tmp_path):
    port = _free_port()
    env = {"LIVEASSIST_DATABASE_URL": database_url, "LIVEASSIST_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "assistant.cli", "catalog", "import", str(EXAMPLE_CATALOG)],
                   env=env, check=True, capture_output=True)
    made = subprocess.run([sys.executable, "-m", "assistant.cli", "tokens", "create", "host"],
                          env=env, check=True, capture_output=True, text=True)
    lines = made.stdout.splitlines()
    assert len(lines) == 1  # one line: the token, for scripts
    headers = {"Authorization": f"Bearer {lines[0]}"}
    server = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        httpx.put(f"{base}/v1/rooms/live1/on-air", json={"link_no": 3}, headers=headers).raise_for_status()
        reply = httpx.post(f"{base}/v1/rooms/live1/messages", headers=headers,
                           json={"user_id": "douyin:1", "text": "still have XL?"}).json()
        assert reply["action"] == "answer" and reply["lang"] == "en"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("method, path, body, allowed_roles", [
    ("post", "/v1/rooms/live1/messages", {"user_id": "douyin:1", "text": "XL还有吗"}, {"ingest", "host", "admin"}),
    ("put", "/v1/rooms/live1/on-air", {"product": "HOODIE-01"}, {"host", "admin"}),
    ("put", "/v1/stock/HOODIE-01-BLK-XL/GZ", {"qty": 5}, {"ingest", "admin"}),
    ("get", "/v1/transcripts", None, {"cs", "admin"}),
    ("post", "/v1/catalog", "catalog", {"admin"}),
])
def test_each_role_may_do_only_its_own_work(api, tokens, method, path, body, allowed_roles):
    payload = load_json(EXAMPLE_CATALOG) if body == "catalog" else body
    for role in ("ingest", "host", "cs", "admin"):
        kwargs = {"headers": as_role(tokens, role)} | ({"json": payload} if payload is not None else {})
        status = getattr(api, method)(path, **kwargs).status_code
        assert (status == 200) == (role in allowed_roles), (role, status)
        if role not in allowed_roles:
            assert status == 403


def test_missing_wrong_and_revoked_tokens_get_401(api, tokens, engine):
    body = {"user_id": "douyin:1", "text": "XL还有吗"}
    assert api.post("/v1/rooms/r/messages", json=body, headers={"Authorization": ""}).status_code == 401
    assert api.post("/v1/rooms/r/messages", json=body, headers={"Authorization": "Bearer la_admin_forged"}).status_code == 401
    token = create_token(engine, "ingest")
    assert api.post("/v1/rooms/r/messages", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    from assistant import auth
    revoke_token(engine, max(t["id"] for t in auth.list_tokens(engine)))
    assert api.post("/v1/rooms/r/messages", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_health_checks_need_no_token(api):
    assert api.get("/healthz", headers={"Authorization": ""}).status_code == 200
    assert api.get("/readyz", headers={"Authorization": ""}).status_code == 200
