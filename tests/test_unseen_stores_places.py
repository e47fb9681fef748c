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


# --- a city name several places share (Vancouver: Washington or British Columbia) ----------------

def test_vancouver_in_a_store_shipping_to_washington_and_british_columbia_asks_which(electronics_room):
    decision = electronics_room.on_air("1").ask("ship to Vancouver", now=NOW)
    assert decision.action == "answer"
    assert shipping(decision)["result"]["error"]["code"] == "ambiguous_destination"
    assert "Washington or British Columbia" in decision.reply
    assert "days" not in decision.reply  # no delivery time for a place nobody chose


def test_vancouver_with_its_province_or_state_is_that_place(electronics_room):
    asked = {"how long to ship to Vancouver BC": "British Columbia", "ship to Vancouver, WA?": "Washington",
             "ship to vancouver bc?": "British Columbia", "ship to Vancouver, Canada": "British Columbia"}
    for text, region in asked.items():
        decision = electronics_room.on_air("1").ask(text, now=NOW)
        assert decision.action == "answer", text
        result = shipping(decision)["result"]
        assert result["destination_region"] == region, text
        assert f"{result['plan']['days_min']}-{result['plan']['days_max']} days" in decision.reply, text


def test_vancouver_in_a_store_that_ships_only_in_the_us_is_vancouver_washington_and_says_so(outdoor_room):
    decision = outdoor_room.on_air("1").ask("ship to Vancouver", now=NOW)
    assert decision.action == "answer"
    result = shipping(decision)["result"]
    assert result["destination_region"] == "Washington"
    assert "to Vancouver, Washington" in decision.reply  # read back as the place it was taken for


def test_vancouver_bc_in_a_store_that_ships_only_in_the_us_is_abroad(outdoor_room):
    decision = outdoor_room.on_air("1").ask("how long to Vancouver BC", now=NOW)
    assert "estimate_shipping" not in [c["name"] for c in decision.tool_calls]
    assert "48 contiguous US states" in decision.reply  # the store's own word on shipping abroad


def test_how_long_to_ship_names_no_place(electronics_room):
    decision = electronics_room.on_air("1").ask("how long to ship", now=NOW)
    assert decision.action == "answer" and decision.reason_code != "unknown_destination"
    assert "estimate_shipping" in [c["name"] for c in decision.tool_calls]
    assert "destination" not in shipping(decision)["args"]
