"""The live room on a real night: danmaku storms in, one answer per question, the host's board."""

from __future__ import annotations

import datetime as dt
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant import models
from assistant.api.app import create_app
from assistant.auth import create_token
from assistant.live import outbox as outbox_module
from assistant.live_state import set_stock
from tests.conftest import EXAMPLE_CATALOG, load_json


@pytest.fixture
def tokens(engine):
    return {role: create_token(engine, role) for role in ("ingest", "host", "cs", "admin")}


@pytest.fixture
def app_client(settings, tokens):
    settings = settings.model_copy(update={"follow_up_seconds": 0.6, "group_window_seconds": 30.0})
    with TestClient(create_app(settings, warm_up=False)) as client:
        client.headers["Authorization"] = f"Bearer {tokens['admin']}"
        assert client.post("/v1/catalog", json=load_json(EXAMPLE_CATALOG)).status_code == 200
        client.put("/v1/rooms/live1/on-air", json={"product": "HOODIE-01"})
        yield client


def live(client):
    return client.app.state.live


def send(client, messages, room="live1"):
    response = client.post(f"/v1/rooms/{room}/danmaku", json=messages)
    assert response.status_code == 200, response.text
    live(client).drain()
    return response.json()


def auto_post(client, room="live1", **extra):
    assert client.put(f"/v1/rooms/{room}/policy", json={"auto_post": True, **extra}).status_code == 200


def outbox(client, room="live1"):
    return client.get(f"/v1/rooms/{room}/outbox").json()["messages"]


def transcripts(client, room="live1"):
    live(client).recorder.flush()
    return client.get("/v1/transcripts", params={"room": room, "limit": 1000}).json()["transcripts"]


def viewer(i, text, **extra):
    return {"platform": "douyin", "user_id": f"douyin:{1000 + i}", "nickname": f"观众{i}", "text": text} | extra


def test_thirty_viewers_asking_for_xl_get_one_answer_addressed_to_the_group(app_client):
    auto_post(app_client)
    wordings = ["XL还有吗", "xl有货吗", "还有XL吗？？", "XL有木有", "ＸＬ还有么"]
    send(app_client, [viewer(0, "XL还有吗")])
    send(app_client, [viewer(i, wordings[i % len(wordings)]) for i in range(1, 30)])
    time.sleep(1.5)  # the follow-up post for those who joined (posts to one group are spaced)
    posts = outbox(app_client)
    assert len(posts) == 2, [p["text"] for p in posts]
    assert posts[0]["text"].startswith("@观众0 ") and "23" in posts[0]["text"]
    assert "等29人" in posts[1]["text"] and "23" in posts[1]["text"]
    # The same facts in other words: platforms block identical messages as spam.
    assert posts[0]["text"].removeprefix("@观众0 ") != posts[1]["text"].split("：", 1)[1]
    board = app_client.get("/v1/rooms/live1/board").json()
    assert [q["count"] for q in board["questions"]] == [30]
    rows = transcripts(app_client)
    assert len(rows) == 30 and len({r["group_id"] for r in rows}) == 1


def test_grouping_follows_meaning_not_words(app_client):
    send(app_client, [viewer(1, "黑色XL还有吗"), viewer(2, "黑色xl有货不"), viewer(3, "灰色XL还有吗"),
                      viewer(4, "灰色的XL有吗")])
    board = app_client.get("/v1/rooms/live1/board").json()
    assert sorted(q["count"] for q in board["questions"]) == [2, 2]


def test_a_flooding_viewer_is_limited_but_every_message_is_recorded(app_client):
    flood = [viewer(7, f"XL还有吗{'?' * (i % 3)}") for i in range(20)]
    result = send(app_client, flood)
    assert result["outcomes"].get("queued", 0) <= 6
    assert result["outcomes"].get("rate_limited", 0) + result["outcomes"].get("repeat", 0) >= 14
    rows = transcripts(app_client)
    assert len(rows) == 20
    assert sum(r["route"] == "shed" for r in rows) >= 14


def test_late_answers_go_to_the_host_not_the_chat(app_client):
    auto_post(app_client, late_after_seconds=60)
    asked = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)).isoformat()
    send(app_client, [viewer(1, "XL还有吗", time=asked)])
    assert outbox(app_client) == []
    board = app_client.get("/v1/rooms/live1/board").json()
    assert board["questions"][0]["status"] == "late"


def test_escalations_always_go_to_the_host(app_client):
    auto_post(app_client)
    send(app_client, [viewer(i, "能便宜点吗") for i in range(5)])
    assert outbox(app_client) == []
    escalations = app_client.get("/v1/rooms/live1/board").json()["escalations"]
    assert escalations[0]["count"] == 5 and escalations[0]["reply"]


def test_the_bot_stands_down_when_the_host_answers(app_client):
    auto_post(app_client)
    live(app_client).follow_up_seconds = 1.5  # room for the host to answer before the next post
    time.sleep(0.5)
    send(app_client, [viewer(1, "灰色L还有吗")])
    send(app_client, [viewer(2, "灰色L还有吗"), viewer(3, "灰色L有货吗")])
    send(app_client, [{"user_id": "douyin:host", "nickname": "主播", "text": "@观众2 @观众3 有的有的", "role": "host"}])
    time.sleep(2.0)
    posts = outbox(app_client)
    assert len(posts) == 1 and posts[0]["text"].startswith("@观众1")
    board = app_client.get("/v1/rooms/live1/board").json()
    assert board["questions"][0]["status"] == "answered"


def test_repeated_answers_vary_their_wording(app_client, settings):
    auto_post(app_client)
    live(app_client).window_seconds = 0.0  # every message opens its own group
    live(app_client).windows.window = 0.0
    send(app_client, [viewer(1, "黑色M还有吗")])
    send(app_client, [viewer(2, "黑色M还有吗")])
    bodies = [p["text"].split(" ", 1)[1] for p in outbox(app_client)]
    assert len(bodies) == 2 and bodies[0] != bodies[1]
    assert all("200" in body for body in bodies)  # same facts, other words


def test_host_accepts_edits_and_dismisses_and_every_action_is_recorded(app_client, tokens, engine):
    host = {"Authorization": f"Bearer {tokens['host']}"}
    send(app_client, [viewer(1, "黑色L还有吗"), viewer(2, "黑色XL还有吗"), viewer(3, "灰色L还有吗")])
    questions = app_client.get("/v1/rooms/live1/board", headers=host).json()["questions"]
    assert {q["status"] for q in questions} == {"suggested"}
    first, second, third = (q["group_id"] for q in questions)
    posted = app_client.post(f"/v1/rooms/live1/groups/{first}/accept", headers=host).json()["posted"]
    assert posted["source"] == "host" and posted["text"].startswith("@")
    edited = app_client.post(f"/v1/rooms/live1/groups/{second}/accept", headers=host,
                             json={"text": "黑色XL还有货，直接拍"}).json()["posted"]
    assert edited["text"].endswith("黑色XL还有货，直接拍")
    assert app_client.post(f"/v1/rooms/live1/groups/{third}/dismiss", headers=host).status_code == 200
    with engine.connect() as conn:
        actions = conn.execute(select(models.HostAction.action).order_by(models.HostAction.id)).scalars().all()
    assert actions == ["accepted", "edited", "dismissed"]
    statuses = {q["group_id"]: q["status"] for q in app_client.get("/v1/rooms/live1/board", headers=host).json()["questions"]}
    assert statuses == {first: "accepted", second: "edited", third: "dismissed"}


def test_a_stock_change_reaches_the_open_board_within_a_second(app_client, tokens, engine):
    with app_client.websocket_connect(f"/v1/rooms/live1/events?token={tokens['host']}") as ws:
        first = ws.receive_json()
        assert first["type"] == "snapshot"
        variants = {v["sku"]: v["total"] for v in first["board"]["on_air"]["variants"]}
        assert variants["HOODIE-01-BLK-XL"] == 23
        started = time.monotonic()
        set_stock(engine, "HOODIE-01-BLK-XL", "GZ", 7)  # as the CLI or another process would
        while True:
            event = ws.receive_json()
            if event["type"] == "stock":
                break
        assert time.monotonic() - started < 1.0
        assert {"variant_sku": "HOODIE-01-BLK-XL", "total": 7} in event["changes"]
    board = app_client.get("/v1/rooms/live1/board").json()
    assert {v["sku"]: v["total"] for v in board["on_air"]["variants"]}["HOODIE-01-BLK-XL"] == 7


def test_a_question_sent_to_the_room_appears_on_the_board_by_websocket(app_client, tokens):
    with app_client.websocket_connect(f"/v1/rooms/live1/events?token={tokens['host']}") as ws:
        assert ws.receive_json()["type"] == "snapshot"
        send(app_client, [viewer(1, "黑色XL还有吗")])
        while (event := ws.receive_json())["type"] != "turn":
            pass
        assert event["decision"]["action"] == "answer" and "23" in event["decision"]["reply"]
        assert event["asker"] == "观众1"


def test_the_stream_websocket_takes_danmaku_and_refuses_without_token(app_client, tokens):
    with app_client.websocket_connect(f"/v1/rooms/live1/stream?token={tokens['ingest']}") as ws:
        ws.send_json([viewer(1, "XL还有吗"), viewer(2, "666"), {"text": "no user"}])
        ack = ws.receive_json()
        assert ack["received"] == 3 and sum(ack["outcomes"].values()) == 2 and len(ack["invalid"]) == 1
        ws.send_text("not json")
        assert ws.receive_json()["invalid"]
    from starlette.websockets import WebSocketDisconnect

    for token in (tokens["cs"], "la_ingest_forged"):  # the wrong role, then no valid token at all
        with pytest.raises(WebSocketDisconnect) as refused, app_client.websocket_connect(
                "/v1/rooms/live1/stream", headers={"Authorization": f"Bearer {token}"}) as ws:
            ws.receive_json()
        assert refused.value.code == 4401


def test_chit_chat_never_waits_in_the_queue_and_overload_is_recorded_not_lost(app_client):
    service = live(app_client)
    service._stop.set()  # the workers stop answering: the queue can only fill
    time.sleep(0.8)
    capacity = service.capacity
    chatter = [viewer(i, "666") for i in range(500)]
    # Each in words of its own: the same words as a queued question would wait with it, not queue.
    questions = [viewer(10_000 + i, f"黑色{['M', 'L', 'XL'][i % 3]}还有吗 #{i}") for i in range(capacity + 100)]
    result = app_client.post("/v1/rooms/live1/danmaku", json=chatter + questions).json()
    assert result["outcomes"]["ignored"] == 500  # decided at the door, as the planner would
    assert result["outcomes"]["queued"] == capacity
    assert result["outcomes"]["overload"] == 100  # beyond capacity: recorded as shed, with the reason
    metrics = app_client.get("/metrics").text
    assert 'liveassist_messages_shed_total{reason="overload"} 100.0' in metrics
    assert 'liveassist_fast_path_total{kind="ignored"} 500.0' in metrics
    service.recorder.flush()
    rows = transcripts(app_client)
    assert sum(r["reason"] == "shed: overload" for r in rows) == 100
    assert sum(r["text"] == "666" and r["action"] == "ignore" for r in rows) == 500
    stats = app_client.get("/v1/rooms/live1/stats").json()  # nobody answers: the queued are pending
    assert stats["received"] == 500 + capacity + 100
    assert (stats["ignored"], stats["shed"], stats["pending"]) == (500, 100, capacity)


def test_viewers_typing_the_words_of_a_queued_question_wait_with_it_and_share_its_answer(app_client):
    service = live(app_client)
    service._stop.set()  # nobody answers yet: the host has just called the link
    time.sleep(0.8)
    burst = [viewer(i, ["XL还有吗", "XL还有吗？", "灰色L有货吗"][i % 3]) for i in range(300)]
    result = app_client.post("/v1/rooms/live1/danmaku", json=burst).json()
    # Three places in the queue, one per wording, not three hundred.
    assert result["outcomes"] == {"queued": 3, "joined_queued": 297}
    assert service.bus.depth() == 3
    assert app_client.get("/v1/rooms/live1/stats").json()["pending"] == 300

    service._stop.clear()
    service._threads = [threading.Thread(target=service._work, daemon=True)]
    service._threads[0].start()
    service.drain()
    rows = transcripts(app_client)
    assert len(rows) == 300
    xl = [r for r in rows if "XL" in r["text"]]
    grey = [r for r in rows if "灰色" in r["text"]]
    assert len({r["group_id"] for r in xl}) == 1 and len({r["group_id"] for r in grey}) == 1
    # "XL还有吗？" means what "XL还有吗" means: it joins that group too. One tool call per group.
    assert sum(r["route"] == "grouped" for r in rows) == 298
    assert sum(bool(r["tool_calls"]) for r in rows) == 2
    assert all("23" in r["reply"] for r in xl)  # the group's answer: 23 black XL in Guangzhou
    stats = app_client.get("/v1/rooms/live1/stats").json()
    assert stats["pending"] == 0 and stats["received"] == _accounted(stats) == 300
    board = app_client.get("/v1/rooms/live1/board").json()
    assert sorted(q["count"] for q in board["questions"]) == [100, 200]


def test_chatter_the_door_cannot_tell_is_read_once_then_ignored_at_the_door(app_client):
    # "gogogo" has no chit-chat cue the door knows: the first one goes through the pipeline, which
    # ignores it; the next viewers typing it are ignored at the door, the same way, without the queue.
    first = send(app_client, [viewer(0, "gogogo")])
    assert first["outcomes"] == {"queued": 1}
    again = send(app_client, [viewer(i, "gogogo") for i in range(1, 51)])
    assert again["outcomes"] == {"ignored": 50}
    rows = transcripts(app_client)
    assert len(rows) == 51 and {r["action"] for r in rows} == {"ignore"}
    assert len({r["reason"] for r in rows}) == 1  # the reason the pipeline gave, for all of them
    # A question is never taken for chatter this way: it has other words.
    assert send(app_client, [viewer(99, "gogogo XL还有吗")])["outcomes"] == {"queued": 1}


def test_after_the_host_switches_products_the_same_words_are_about_the_new_product(app_client):
    first = send(app_client, [viewer(1, "黑色还有吗")])
    assert first["outcomes"] == {"queued": 1}
    hoodie_reply = transcripts(app_client)[0]["reply"]
    assert "23" in hoodie_reply  # the hoodie's black XL
    app_client.put("/v1/rooms/live1/on-air", json={"product": "DOWN-07"})
    again = send(app_client, [viewer(2, "黑色还有吗")])
    assert again["outcomes"] == {"queued": 1}  # not joined to the hoodie's group at the door
    rows = {r["user_id"]: r for r in transcripts(app_client)}
    before, after = rows["douyin:1001"], rows["douyin:1002"]
    assert after["group_id"] != before["group_id"]
    assert "23" not in after["reply"] and "没有黑色" in after["reply"]  # the down jacket comes in navy only


def test_when_answering_a_question_fails_it_and_those_waiting_with_it_are_recorded_not_lost(app_client, monkeypatch):
    service = live(app_client)
    service._stop.set()  # the worker stops, so that the same words wait together
    time.sleep(0.8)
    result = app_client.post("/v1/rooms/live1/danmaku",
                             json=[viewer(i, "XL还有吗") for i in range(5)]).json()
    assert result["outcomes"] == {"queued": 1, "joined_queued": 4}

    def broken(*args, **kwargs):
        raise RuntimeError("the inventory went away mid-answer")

    answered = []
    monkeypatch.setattr(service.stream, "answer", lambda *a, **k: (answered.append(1), broken())[1])
    service._stop.clear()
    worker = threading.Thread(target=service._work, daemon=True)
    worker.start()
    service.drain()
    assert len(answered) == 1  # the riders are not answered again, one by one, to fail the same way
    assert worker.is_alive()  # and the worker goes on with the next messages
    rows = transcripts(app_client)
    assert len(rows) == 5 and {r["reason"] for r in rows} == {"shed: error"}
    stats = app_client.get("/v1/rooms/live1/stats").json()
    assert stats["pending"] == 0 and stats["shed"] == 5 == stats["received"]
    service._stop.set()


def _accounted(stats):
    return sum(stats[k] for k in ("answered", "grouped", "escalated", "ignored", "shed", "pending"))


def test_every_message_of_a_storm_is_accounted_for_in_the_room_stats(app_client):
    storm = ([viewer(0, "XL还有吗")] + [viewer(i, "XL还有吗") for i in range(1, 20)]  # one group
             + [viewer(100 + i, "666") for i in range(10)]                              # chit-chat
             + [viewer(7, f"黑色L还有吗{'!' * i}") for i in range(12)]                     # one viewer flooding
             + [viewer(200, "我要投诉你们客服"), viewer(201, "能便宜点吗")])               # for the host
    send(app_client, storm)
    synchronous = app_client.post("/v1/rooms/live1/messages", json={"user_id": "douyin:9", "text": "M码有吗"})
    assert synchronous.status_code == 200
    live(app_client).recorder.flush()
    stats = app_client.get("/v1/rooms/live1/stats").json()
    assert stats["received"] == len(storm) + 1 == _accounted(stats)
    assert stats["pending"] == 0
    assert stats["grouped"] >= 18 and stats["ignored"] == 10 and stats["shed"] >= 6 and stats["escalated"] >= 2
    assert stats["answered"] >= 2  # the group's first question and the synchronous one
    assert stats["latency_ms"]["p50"] is not None and stats["latency_ms"]["p95"] >= stats["latency_ms"]["p50"]
    assert len(transcripts(app_client)) == stats["received"]  # the counts say what the transcripts hold


def test_room_stats_need_a_host_cs_or_admin_token(app_client, tokens):
    assert app_client.get("/v1/rooms/live1/stats", headers={"Authorization": f"Bearer {tokens['cs']}"}).status_code == 200
    assert app_client.get("/v1/rooms/live1/stats",
                          headers={"Authorization": f"Bearer {tokens['ingest']}"}).status_code == 403
    assert app_client.get("/v1/rooms/live1/stats", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_demand_counts_sizes_and_asks_for_sold_out_variants(app_client):
    send(app_client, [viewer(1, "XL还有吗"), viewer(2, "黑色XXL还有吗"), viewer(3, "黑色XXL有吗"), viewer(4, "666"),
                      viewer(5, "能便宜点吗")])
    demand = app_client.get("/v1/rooms/live1/demand").json()
    assert demand["demand"]["by_option"]["size"]["XXL"] == 2
    assert demand["demand"]["asked_sold_out"] >= 2
    assert any(a["kind"] == "asked_sold_out" and "XXL" in a["label"] for a in demand["alerts"])
    shares = demand["demand"]["shares"]
    assert shares["ignore"] > 0 and shares["escalate"] > 0 and shares["answer"] > 0


def test_metrics_are_in_prometheus_format(app_client):
    send(app_client, [viewer(1, "XL还有吗")])
    text = app_client.get("/metrics").text
    assert "# TYPE liveassist_messages_received_total counter" in text
    assert "liveassist_answer_seconds_bucket" in text


def test_the_contract_endpoint_still_returns_this_messages_decision(app_client):
    reply = app_client.post("/v1/rooms/live1/messages", json={"user_id": "douyin:1", "text": "XL还有吗"}).json()
    assert reply["action"] == "answer" and "23" in reply["reply"]
    again = app_client.post("/v1/rooms/live1/messages", json={"user_id": "douyin:2", "text": "XL还有吗"}).json()
    assert again["action"] == "answer"
    board = app_client.get("/v1/rooms/live1/board").json()
    assert board["questions"][0]["count"] == 2


class _FlakyWebhook(BaseHTTPRequestHandler):
    calls: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).calls.append(body)
        self.send_response(503 if len(type(self).calls) < 3 else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_webhook_is_retried_until_the_connector_takes_it(app_client, monkeypatch, engine):
    monkeypatch.setattr(outbox_module, "RETRY_DELAYS", (0.1, 0.2, 0.4, 0.8, 1.6))
    server = HTTPServer(("127.0.0.1", 0), _FlakyWebhook)
    _FlakyWebhook.calls = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        auto_post(app_client, webhook_url=f"http://127.0.0.1:{server.server_port}/hook")
        send(app_client, [viewer(1, "黑色L还有吗")])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                row = conn.execute(select(models.OutboxMessage.status, models.OutboxMessage.attempts)).first()
            if row and row.status == "delivered":
                break
            time.sleep(0.1)
        assert row.status == "delivered" and row.attempts == 3
        assert len(_FlakyWebhook.calls) == 3
    finally:
        server.shutdown()


def test_a_page_on_another_site_cannot_use_the_host_s_cookie(app_client, tokens):
    from starlette.websockets import WebSocketDisconnect

    app_client.cookies.set("liveassist_token", tokens["host"])
    headers = {"Authorization": "", "Origin": "https://evil.example"}
    with pytest.raises(WebSocketDisconnect) as refused, app_client.websocket_connect(
            "/v1/rooms/live1/events", headers=headers) as ws:
        ws.receive_json()
    assert refused.value.code == 4401
    with app_client.websocket_connect("/v1/rooms/live1/events",
                                      headers={"Authorization": "", "Origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"] == "snapshot"
