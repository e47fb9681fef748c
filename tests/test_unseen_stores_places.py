"""Places outside China and the US, and places nobody listed: a delivery time comes from the
transit table or a person gives it, never a guess. Stores in tests/data/."""

from __future__ import annotations

NOW = "2026-11-25T15:00:00+08:00"


def shipping(decision) -> dict:
    return next(c for c in decision.tool_calls if c["name"] == "estimate_shipping")


def test_toronto_is_in_ontario_so_the_estimate_uses_the_stores_own_rows(electronics_room):
    decision = electronics_room.on_air("1").ask("how long to ship to Toronto", now=NOW)
    assert decision.action == "answer"
    result = shipping(decision)["result"]
    assert result["destination_region"] == "Ontario"
    plan = result["plan"]
    assert f"{plan['days_min']}-{plan['days_max']} days" in decision.reply
    assert "state or province" not in decision.reply


def test_a_place_nobody_listed_goes_to_the_host_with_no_transit_time(electronics_room):
    decision = electronics_room.on_air("1").ask("ship to Timbuktu?", now=NOW)
    assert decision.action == "escalate" and decision.reason_code == "unknown_destination"
    assert "Timbuktu" in decision.reply
    assert "days" not in decision.reply


def test_a_misspelt_state_is_the_state_it_was_taken_for(electronics_room):
    decision = electronics_room.on_air("1").ask("how long to californa", now=NOW)
    assert decision.action == "answer"
    assert shipping(decision)["result"]["destination_region"] == "California"
    assert "to California" in decision.reply


def test_a_chinese_store_reads_a_canadian_city_as_abroad(toys_room):
    decision = toys_room.on_air("1").ask("发到多伦多几天", now=NOW)
    assert decision.action == "escalate"
    assert "天" not in decision.reply


def test_a_city_abroad_nobody_listed_is_not_given_a_transit_time(toys_room):
    decision = toys_room.on_air("1").ask("发到东京要几天", now=NOW)
    assert decision.action == "escalate" and decision.reason_code == "unknown_destination"
    assert "东京" in decision.reply and "天" not in decision.reply


def test_sending_home_is_not_a_place_to_look_up(toys_room):
    decision = toys_room.on_air("1").ask("发到家里要几天", now=NOW)
    assert decision.action == "answer" and decision.reason_code != "unknown_destination"
