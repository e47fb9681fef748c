"""Answers on two stores the code was not written against: numeric sizes, a warehouse in another
timezone, an FAQ that names a place. Figures are checked against the catalogs in tests/data."""

from __future__ import annotations

BEIJING_3PM = "2026-11-25T15:00:00+08:00"
NEW_YORK_1_01PM = "2026-11-25T13:01:00-05:00"


def results(decision) -> dict:
    return {call["name"]: call["result"] for call in decision.tool_calls}


# --- numeric option values never run into their counts -------------------------------------------

def test_which_white_sizes_are_left_lists_each_size_with_its_own_count(shoes_tea_room):
    decision = shoes_tea_room.on_air("1").ask("白色的还有哪些码", now=BEIJING_3PM)
    assert decision.action == "answer"
    reply = decision.reply
    for part in ("36码仅剩4件", "37码 40件", "38码售罄（12月3日补货）", "39码 50件", "40码 15件", "44码 7件"):
        assert part in reply
    assert "3740" not in reply and "3950" not in reply


def test_how_many_black_pairs_in_all_names_every_size_in_stock_and_the_total(shoes_tea_room):
    decision = shoes_tea_room.on_air("1").ask("黑色一共还有多少双", now=BEIJING_3PM)
    assert decision.action == "answer"
    # Seven black sizes: the one sold out for good gives way, the six that can be bought stay.
    for part in ("38码仅剩3件", "39码 30件", "40码 20件", "41码售罄（12月10日补货）", "42码 50件", "44码 6件"):
        assert part in decision.reply
    assert "共109件" in decision.reply


def test_two_sizes_asked_together_each_get_their_answer(shoes_tea_room):
    decision = shoes_tea_room.on_air("1").ask("40和41黑色都有吗", now=BEIJING_3PM)
    assert decision.action == "answer"
    assert "40码 20件" in decision.reply
    assert "41码售罄（12月10日补货）" in decision.reply


def test_presale_boots_list_their_sizes_apart_from_the_counts(shoes_tea_room):
    decision = shoes_tea_room.on_air("6").ask("棕色的还有哪些码", now=BEIJING_3PM)
    assert decision.action == "answer"
    assert "37码 100件" in decision.reply and "38码 20件" in decision.reply


def test_a_size_the_colour_does_not_come_in_names_sizes_as_sizes(shoes_tea_room):
    decision = shoes_tea_room.on_air("1").ask("白色42有吗", now=BEIJING_3PM)
    assert decision.action == "answer"
    assert "白色42码" in decision.reply


def test_english_lengths_read_with_their_counts_in_brackets(outdoor_room):
    decision = outdoor_room.on_air("1").ask("how many blue ropes left", now=NEW_YORK_1_01PM)
    assert decision.action == "answer"
    assert "70m (16 left)" in decision.reply and "60m (only 4 left)" in decision.reply


# --- times are told in the store's timezone -------------------------------------------------------

def test_a_pacific_cutoff_is_told_in_new_york_time(outdoor_room):
    decision = outdoor_room.on_air("1").ask("if I order the 60m blue now when does it ship?", now=NEW_YORK_1_01PM)
    assert decision.action == "answer"
    plan = results(decision)["estimate_shipping"]["plan"]
    assert plan["warehouse"] == "NV" and plan["cutoff_local"] == "10:00"  # 10:00 in Reno
    assert plan["cutoff"] == "13:00"  # is 13:00 in New York, where the store and its viewers are
    assert "13:00 cutoff has passed" in decision.reply and "10:00" not in decision.reply
    assert "Nov 27" in decision.reply


def test_a_cutoff_in_the_stores_own_timezone_reads_unchanged(shoes_tea_room):
    decision = shoes_tea_room.on_air("4").ask("青提茉莉发广州几天", now=BEIJING_3PM)
    assert decision.action == "answer"
    assert "今天14:00截单已过" in decision.reply
    assert "11月27日从重庆仓发出" in decision.reply


# --- a delivery-time question gets the estimate, even where an FAQ names the place ----------------

def test_how_long_to_xinjiang_answers_the_estimate_then_the_remote_area_fee(shoes_tea_room):
    decision = shoes_tea_room.on_air("1").ask("发新疆几天到", now=BEIJING_3PM)
    assert decision.action == "answer"
    plan = results(decision)["estimate_shipping"]["plan"]
    assert (plan["days_min"], plan["days_max"]) == (3, 6)
    reply = decision.reply
    assert "3-6天" in reply and "11月28日到12月1日送达" in reply
    assert reply.index("3-6天") < reply.index("运费15元")  # the estimate first, the fee after it


def test_a_city_in_a_remote_province_gets_that_provinces_estimate(shoes_tea_room):
    decision = shoes_tea_room.on_air("1").ask("发乌鲁木齐要几天", now=BEIJING_3PM)
    assert decision.action == "answer"
    assert "3-6天" in decision.reply and "11月28日到12月1日送达" in decision.reply


def test_a_place_the_store_does_not_ship_to_still_gets_the_merchants_word(outdoor_room):
    decision = outdoor_room.on_air("3").ask("how long to ship to alaska", now=NEW_YORK_1_01PM)
    assert "48 contiguous US states only" in decision.reply
    assert "days" not in decision.reply
