"""Colloquial viewer questions on the stores in tests/data: stock asked the way chat asks it ("any
earbuds left?", "still got chargers"), plurals of English product names, and words that only look
like a fact topic ("chargers" is not "charge")."""

from __future__ import annotations

NOW = "2026-11-25T15:00:00+08:00"


def names(decision) -> list[str]:
    return [call["name"] for call in decision.tool_calls]


def test_any_earbuds_left_with_the_name_in_between_is_a_stock_question(electronics_room):
    for text in ("any earbuds left?", "earbuds left?", "any white buds left"):
        decision = electronics_room.ask(text, now=NOW)
        assert decision.action == "answer", text
        assert decision.intent == "stock"
        assert "500 left" in decision.reply  # white earbuds: 500 in the catalog


def test_still_got_chargers_is_the_chargers_stock_not_a_battery_fact(electronics_room):
    decision = electronics_room.ask("still got chargers", now=NOW)
    assert decision.action == "answer" and decision.intent == "stock"
    assert "20W (400 left)" in decision.reply and "65W (only 4 left)" in decision.reply


def test_the_left_earbud_is_not_a_stock_question(electronics_room):
    decision = electronics_room.ask("is the left earbud replaceable", now=NOW)
    assert "check_stock" not in names(decision)


def test_hw_much_is_the_70m_is_a_price_question(outdoor_room):
    decision = outdoor_room.on_air("1").ask("hw much is the 70m", now=NOW)
    assert decision.action == "answer" and decision.intent == "price"
    assert "$259" in decision.reply


def test_pro_vs_standard_whats_the_diff_answers_from_the_pro_extras_fact_not_stock(electronics_room):
    decision = electronics_room.on_air("1").ask("pro vs standard whats the diff", now=NOW)
    assert decision.action == "answer" and decision.intent == "product_info"
    assert "Pro adds LDAC" in decision.reply and "left" not in decision.reply


def test_a_not_a_questions_are_questions_about_the_shoe(shoes_tea_room):
    room = shoes_tea_room.on_air("1")
    decision = room.ask("鞋子重不重", now=NOW)
    assert decision.action == "answer" and "约260g" in decision.reply
    decision = room.ask("主播这鞋偏码吗", now=NOW)
    assert decision.action == "answer" and "偏小半码" in decision.reply


def test_how_to_use_the_serum_finds_its_shiyong_fangfa_fact(beauty_home_room):
    decision = beauty_home_room.on_air("1").ask("精华怎么用", now=NOW)
    assert decision.action == "answer" and "洁面后取2-3滴按压全脸" in decision.reply


def test_how_far_and_can_it_go_in_water_answer_from_the_rc_cars_facts(toys_room):
    room = toys_room.on_air("2")
    decision = room.ask("遥控多远", now=NOW)
    assert decision.action == "answer" and "约50米" in decision.reply
    decision = room.ask("能下水吗", now=NOW)
    assert decision.action == "answer" and "不防水" in decision.reply


def test_are_the_earbuds_waterproof_answers_with_their_water_resistance(electronics_room):
    decision = electronics_room.on_air("4").ask("are these waterproof", now=NOW)
    assert decision.action == "answer" and "IPX5" in decision.reply


def test_is_this_shoe_breathable_answers_from_the_fact_whose_value_says_so(shoes_tea_room):
    decision = shoes_tea_room.on_air("1").ask("这双鞋透气吗", now=NOW)
    assert decision.action == "answer" and "飞织网面，透气" in decision.reply


def test_jacket_sizes_alone_lists_the_sizes_and_an_elliptical_colour_is_still_stock(outdoor_room, shoes_tea_room):
    decision = outdoor_room.ask("jacket sizes?", now=NOW)
    assert decision.action == "answer" and "S, M, L, XL" in decision.reply
    decision = shoes_tea_room.on_air("1").ask("黑色的呢", now=NOW)
    assert decision.intent == "stock" and "共109件" in decision.reply


def test_do_you_guys_have_tents_is_the_tents_stock(outdoor_room):
    decision = outdoor_room.ask("do u guys have tents", now=NOW)
    assert decision.action == "answer" and decision.intent == "stock"
    assert "Olive (40 left)" in decision.reply


def test_an_english_fact_name_after_an_english_title_is_spaced_in_a_chinese_reply(electronics_room):
    decision = electronics_room.on_air("2").ask("这个charger能充macbook吗", now=NOW)
    assert "Charger compatible" in decision.reply
