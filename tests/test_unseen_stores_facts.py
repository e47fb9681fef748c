"""Facts a viewer names by a word of their value, not of their key ("does the pro have LDAC": the
fact is ``pro_extras: "Pro adds LDAC, …"``), and fact topics a toy shop is asked about. Stores in
tests/data/."""

from __future__ import annotations

NOW = "2026-11-25T15:00:00+08:00"


def facts_call(decision) -> dict | None:
    return next((c for c in decision.tool_calls if c["name"] == "product_facts"), None)


def test_does_the_pro_have_ldac_is_answered_from_the_fact_that_says_so_not_with_stock(electronics_room):
    decision = electronics_room.on_air("1").ask("does the pro have LDAC", now=NOW)
    assert decision.action == "answer" and decision.intent == "product_info"
    assert "Pro adds LDAC" in decision.reply
    assert "left" not in decision.reply


def test_a_word_in_a_facts_value_finds_that_fact(electronics_room):
    decision = electronics_room.on_air("1").ask("does the standard have multipoint", now=NOW)
    assert decision.action == "answer"
    assert "multipoint" in decision.reply


def test_a_variant_named_with_a_stock_question_stays_a_stock_question(electronics_room):
    decision = electronics_room.on_air("1").ask("Pro black still in stock?", now=NOW)
    assert decision.intent == "stock" and "3 left" in decision.reply


def test_youmeiyou_a_feature_the_catalog_does_not_list_escalates_instead_of_giving_stock(beauty_home_room):
    # "精华有没有防晒": whether the serum has sun protection; its facts do not say.
    decision = beauty_home_room.on_air("SKIN-30").ask("精华有没有防晒", now=NOW)
    assert decision.action == "escalate" and decision.intent == "product_info"
    assert "件" not in decision.reply


# --- quantities in Chinese numerals are the option values written in digits ---------------------

def price_call(decision) -> dict | None:
    return next((c for c in decision.tool_calls if c["name"] == "check_stock"), None)


def test_yibai_haosheng_is_the_100ml_serum_and_its_price(beauty_home_room):
    decision = beauty_home_room.on_air("SKIN-30").ask("一百毫升的多少钱", now=NOW)
    assert decision.action == "answer"
    assert price_call(decision)["args"]["options"] == {"规格": ["100ml"]}
    assert "100ml" in decision.reply and "499元" in decision.reply


def test_a_piece_count_in_chinese_numerals_is_that_set(toys_room):
    decision = toys_room.on_air("1").ask("一百片的多少钱", now=NOW)
    assert decision.action == "answer" and "100片" in decision.reply and "199元" in decision.reply


def test_an_age_range_in_chinese_numerals_is_that_edition(toys_room):
    decision = toys_room.on_air("5").ask("三到六岁的有吗", now=NOW)
    assert decision.action == "answer"
    assert "3-6岁" in decision.reply and "150件" in decision.reply and "0-3岁" not in decision.reply


def test_a_childs_age_asks_whether_the_toy_on_air_suits_them_not_for_the_0_3_book(toys_room):
    decision = toys_room.on_air("1").ask("三岁能玩吗", now=NOW)
    assert decision.action == "answer" and decision.intent == "product_info"
    assert facts_call(decision)["args"]["product_sku"] == "MAG-100"
    assert "3岁以上" in decision.reply and "绘本" not in decision.reply


def test_toy_shop_fact_questions_find_their_facts(toys_room):
    asked = {("1", "适合几岁"): "3岁以上", ("2", "能玩多久"): "约25分钟", ("4", "里面填的什么"): "PP棉",
             ("5", "有几本"): "12册绘本"}
    for (link, text), expected in asked.items():
        decision = toys_room.on_air(link).ask(text, now=NOW)
        assert decision.action == "answer", text
        assert expected in decision.reply, text
