"""Customer service reviews exchanges, corrects replies, and corrections become eval cases."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.auth import create_token
from tests.conftest import EXAMPLE_CATALOG, load_json


@pytest.fixture
def tokens(engine):
    return {role: {"Authorization": f"Bearer {create_token(engine, role)}"} for role in ("ingest", "host", "cs", "admin")}


@pytest.fixture
def client(settings, tokens):
    with TestClient(create_app(settings, warm_up=False)) as client:
        client.headers.update(tokens["admin"])
        client.post("/v1/catalog", json=load_json(EXAMPLE_CATALOG))
        client.put("/v1/rooms/live1/on-air", json={"product": "HOODIE-01"})
        for user, text in [("douyin:8820", "我的单发了吗"), ("douyin:1001", "XL还有吗"), ("douyin:1002", "能便宜点吗"),
                           ("douyin:1003", "666")]:
            client.post("/v1/rooms/live1/messages", json={"user_id": user, "text": text,
                                                          "now": "2026-11-22T14:00:00+08:00"})
        yield client


def rows(client, headers, **params):
    return client.get("/v1/transcripts", params=params, headers=headers).json()["transcripts"]


def test_customer_service_sees_personal_data_masked_and_admin_sees_it_whole(client, tokens):
    order = next(r for r in rows(client, tokens["admin"], intent="order_status"))
    assert order["user_id"] == "douyin:8820"
    assert "ZT7788990011" in json.dumps(order["tool_calls"], ensure_ascii=False)
    masked = next(r for r in rows(client, tokens["cs"], intent="order_status"))
    assert masked["user_id"] != "douyin:8820" and "***" in masked["user_id"]
    everything = json.dumps(masked, ensure_ascii=False)
    assert "ZT7788990011" not in everything and "DY20261120000456" not in everything
    assert "0011" in everything  # the tail is enough to talk about it
    detail = client.get(f"/v1/transcripts/{masked['id']}", headers=tokens["cs"]).json()
    assert "ZT7788990011" not in json.dumps(detail, ensure_ascii=False)
    csv_text = client.get("/v1/transcripts", params={"format": "csv"}, headers=tokens["cs"]).text
    assert "ZT7788990011" not in csv_text and "douyin:8820" not in csv_text


def test_filters_by_outcome_words_and_action(client, tokens):
    assert [r["text"] for r in rows(client, tokens["cs"], q="便宜")] == ["能便宜点吗"]
    assert {r["action"] for r in rows(client, tokens["cs"], action="ignore")} == {"ignore"}
    host_routed = rows(client, tokens["cs"], route="host")
    assert {r["text"] for r in host_routed} >= {"能便宜点吗", "XL还有吗"}  # suggest mode: answers go to the host


def test_open_one_exchange_with_tool_calls_and_who_acted(client, tokens):
    question = next(r for r in rows(client, tokens["admin"], intent="stock"))
    board = client.get("/v1/rooms/live1/board", headers=tokens["host"]).json()
    group = board["questions"][0]["group_id"]
    client.post(f"/v1/rooms/live1/groups/{group}/accept", headers=tokens["host"], json={"text": "XL黑色有货，快拍"})
    detail = client.get(f"/v1/transcripts/{question['id']}", headers=tokens["cs"]).json()
    assert [c["name"] for c in detail["tool_calls"]] == ["find_product", "check_stock"]
    assert detail["tool_calls"][1]["result"]["total"] == 23
    assert detail["host_actions"][0]["action"] == "edited" and detail["host_actions"][0]["role"] == "host"


def test_a_correction_becomes_an_eval_case(client, tokens):
    wrong = next(r for r in rows(client, tokens["cs"], q="便宜"))
    made = client.post(f"/v1/transcripts/{wrong['id']}/corrections", headers=tokens["cs"],
                       json={"right_action": "answer", "right_reply": "直播间价129元，已是最低", "note": "价格问题可直接答"})
    assert made.status_code == 200
    assert [r["id"] for r in rows(client, tokens["cs"], corrected=True)] == [wrong["id"]]
    exported = client.get("/v1/corrections/eval-cases", headers=tokens["admin"]).text.splitlines()
    case = json.loads(exported[0])
    assert case["text"] == "能便宜点吗" and case["expect"]["action"] == "answer"
    assert case["on_air"] == "HOODIE-01" and case["now"].startswith("2026-11-22T06:00")
    assert case["right_reply"] == "直播间价129元，已是最低"
    refused = client.post(f"/v1/transcripts/{wrong['id']}/corrections", headers=tokens["cs"],
                          json={"right_action": "answer", "right_reply": ""})
    assert refused.status_code == 422
    assert client.post(f"/v1/transcripts/{wrong['id']}/corrections", headers=tokens["host"],
                       json={"right_action": "ignore"}).status_code == 403
