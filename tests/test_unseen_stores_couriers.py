"""Which courier a store ships with ("发货用什么快递", "which courier do you use"): the merchant's FAQ
when it says, else the couriers its transit table names; a store whose routes name none, or a
courier the viewer would choose that the data does not settle, goes to the host. Never invented.
Stores in tests/data/."""

from __future__ import annotations

from sqlalchemy import Engine

from assistant.config import Settings
from assistant.pipeline import Assistant
from tests.conftest import ELECTRONICS_CATALOG, TOYS_CATALOG, Room, load_catalog, load_json

NOW = "2026-11-25T15:00:00+08:00"


def names(decision) -> list[str]:
    return [call["name"] for call in decision.tool_calls]


def test_which_courier_lists_the_couriers_the_transit_table_names(toys_room):
    decision = toys_room.on_air("1").ask("发货用什么快递", now=NOW)
    assert decision.action == "answer" and decision.intent == "policy"
    assert "shipping_carriers" in names(decision)
    assert "中通、韵达、顺丰" in decision.reply


def test_which_courier_in_english_lists_the_stores_own_couriers(electronics_room):
    for text in ("which courier do you use", "what carrier do you ship with"):
        decision = electronics_room.on_air("1").ask(text, now=NOW)
        assert decision.action == "answer", text
        assert "UPS, Canada Post, USPS, FedEx" in decision.reply, text


def test_which_courier_to_a_place_names_the_couriers_of_the_routes_there(electronics_room):
    # Nothing on air: no shipping estimate, but the routes to Texas are known (FedEx from Dallas,
    # the * rows elsewhere).
    decision = electronics_room.ask("which courier to Texas", now=NOW)
    assert decision.action == "answer"
    assert decision.reply == "To Texas we ship with USPS, FedEx, depending on the warehouse"


def test_the_merchants_own_word_on_couriers_comes_first(engine: Engine, settings: Settings):
    faqs = [*load_json(TOYS_CATALOG)["faqs"], {"q": "可以指定快递吗", "a": "默认发中通，加5元可改发顺丰。"}]
    load_catalog(engine, TOYS_CATALOG, faqs=faqs)
    room = Room(Assistant(engine, settings)).on_air("1")
    for text in ("发货用什么快递", "可以发顺丰吗", "快递是哪家"):
        decision = room.ask(text, now=NOW)
        assert decision.action == "answer", text
        assert decision.reply == "默认发中通，加5元可改发顺丰。", text


def test_a_courier_the_viewer_would_choose_goes_to_the_host_with_the_stores_couriers(toys_room):
    decision = toys_room.on_air("1").ask("可以发顺丰吗", now=NOW)
    assert decision.action == "escalate" and decision.reason_code == "carrier_choice"
    assert "中通、韵达、顺丰" in decision.reply  # the host's draft


def test_a_store_whose_routes_name_no_courier_never_names_one(engine: Engine, settings: Settings):
    transit = [{k: v for k, v in row.items() if k != "carrier"} for row in load_json(ELECTRONICS_CATALOG)["transit"]]
    load_catalog(engine, ELECTRONICS_CATALOG, transit=transit)
    room = Room(Assistant(engine, settings)).on_air("1")
    for text in ("which courier do you use", "发货用什么快递", "do you ship with UPS"):
        decision = room.ask(text, now=NOW)
        assert decision.action == "escalate" and decision.reason_code == "no_carrier", text
        assert not any(name in decision.reply for name in ("UPS", "USPS", "FedEx", "顺丰")), text
