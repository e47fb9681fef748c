"""What viewers get back: the contract's answers, read as the product's behaviour."""

from __future__ import annotations

import pytest

from assistant.live_state import set_stock


def figures(decision) -> dict:
    """The stock check's result, by tool name, for asserting on facts rather than wording."""
    return {call["name"]: call["result"] for call in decision.tool_calls}


def test_xl_sold_out_in_hangzhou_but_23_in_guangzhou_answers_23_and_ships_from_guangzhou(hoodie_room):
    decision = hoodie_room.ask("黑色XL还有吗，什么时候发货", now="14:00")
    assert decision.action == "answer"
    assert "23" in decision.reply
    shipping = figures(decision)["estimate_shipping"]
    assert shipping["plan"]["warehouse"] == "GZ"
    # Guangzhou: before the 15:00 cutoff, plus one handling day.
    assert shipping["plan"]["ship_date"] == "2026-11-23"
    assert "广州" in decision.reply and "11月23日" in decision.reply


def test_a_question_naming_no_product_is_about_the_one_on_air(hoodie_room):
    decision = hoodie_room.ask("XL还有吗")
    assert decision.action == "answer"
    assert decision.intent == "stock"
    assert "23" in decision.reply and "灰色" in decision.reply


def test_low_stock_reads_as_urgency(hoodie_room):
    decision = hoodie_room.ask("黑色L码有货不")
    assert decision.action == "answer"
    assert "8" in decision.reply
    set_stock(hoodie_room.assistant.engine, "HOODIE-01-BLK-L", "HZ", 3)
    decision = hoodie_room.ask("黑色L码有货不")
    assert "仅剩3件" in decision.reply


def test_sold_out_names_the_restock_date_and_what_is_in_stock(hoodie_room):
    decision = hoodie_room.ask("黑色XXL还有吗")
    assert decision.action == "answer"
    assert "12月1日" in decision.reply
    assert "黑色XL" in decision.reply  # an in-stock neighbour


def test_the_very_next_answer_uses_a_stock_change(hoodie_room):
    assert "23" in hoodie_room.ask("黑色XL还有吗").reply
    set_stock(hoodie_room.assistant.engine, "HOODIE-01-BLK-XL", "GZ", 0)
    decision = hoodie_room.ask("黑色XL还有吗")
    assert "售罄" in decision.reply and "23" not in decision.reply


def test_english_question_gets_an_english_answer(hoodie_room):
    decision = hoodie_room.ask("still have XL?")
    assert decision.action == "answer"
    assert decision.lang == "en"
    assert "23 left" in decision.reply


@pytest.mark.parametrize("text", ["3号链接黑色XL还有吗", "链接3黑色XL还有吗", "#3 黑色XL还有吗", "三号链接黑色xl有木有"])
def test_link_numbers_in_every_form_people_write(room, text):
    decision = room.ask(text)  # nothing on air: the link number names the product
    assert decision.action == "answer", decision.reason
    assert "23" in decision.reply


def test_unnamed_product_with_nothing_on_air_escalates(room):
    decision = room.ask("XL还有吗")
    assert decision.action == "escalate"
    assert decision.reason_code == "no_product"


def test_delivery_to_a_city_uses_its_province_and_the_earliest_warehouse(hoodie_room):
    decision = hoodie_room.ask("黑色M发到上海几天", now="14:00")
    plan = figures(decision)["estimate_shipping"]["plan"]
    assert plan["warehouse"] == "HZ" and plan["transit_to"] == "上海"
    assert plan["deliver_from"] == "2026-11-23"
    assert "11月23日" in decision.reply


def test_presale_ships_on_its_date(room):
    decision = room.ask("5号链接什么时候发货")
    assert decision.action == "answer"
    assert "12月5日" in decision.reply


def test_size_advice_from_height_and_weight_then_stock(hoodie_room):
    decision = hoodie_room.ask("170 60kg穿什么码")
    result = figures(decision)["size_advice"]
    assert result["recommended"] == "L"
    assert decision.action == "answer" and "L" in decision.reply


@pytest.mark.parametrize("text", ["一米七 120斤穿什么码", "身高170体重60选什么码", "5'7 132lbs what size"])
def test_body_size_in_the_forms_people_write(hoodie_room, text):
    decision = hoodie_room.ask(text)
    assert figures(decision)["size_advice"]["recommended"] == "L", decision.understanding


def test_own_order_status(hoodie_room):
    decision = hoodie_room.ask("我的单发了吗", user="douyin:8820")
    assert decision.action == "answer"
    assert "0456" in decision.reply and "已发货" in decision.reply


def test_other_viewers_order_is_never_revealed(hoodie_room):
    for text in ["我的单发了吗", "DY20261120000456发了吗", "查一下订单DY20261120000456", "douyin:8820的订单到哪了"]:
        decision = hoodie_room.ask(text, user="douyin:9999")
        for secret in ("0456", "ZT7788990011", "0011", "四川"):
            assert secret not in decision.reply, (text, decision.reply)
            results = str(decision.tool_calls)
            assert "ZT7788990011" not in results


@pytest.mark.parametrize("text, reason", [
    ("能便宜点吗", "bargain"),
    ("质量太差了我要投诉", "complaint"),
    ("我要退款", "after_sales"),
    ("孕妇能用吗", "health"),
])
def test_what_needs_a_person_is_escalated_with_a_draft(hoodie_room, text, reason):
    decision = hoodie_room.ask(text)
    assert decision.action == "escalate"
    assert decision.reason_code == reason
    assert decision.reply  # the host gets a draft


@pytest.mark.parametrize("text", ["666", "主播好美", "哈哈哈哈", "🎉🎉🎉", "来了来了", "加我微信 abc123 领福利", "http://spam.example.com"])
def test_chit_chat_emoji_links_and_spam_are_ignored(hoodie_room, text):
    decision = hoodie_room.ask(text)
    assert decision.action == "ignore"
    assert decision.reply == ""


def test_policy_question_answered_from_the_faq(hoodie_room):
    decision = hoodie_room.ask("支持七天无理由吗")
    assert decision.action == "answer"
    assert "七天无理由" in decision.reply


def test_price_comes_from_the_catalog(hoodie_room):
    decision = hoodie_room.ask("多少钱")
    assert decision.action == "answer" and "129" in decision.reply


def test_a_size_the_product_does_not_come_in(hoodie_room):
    decision = hoodie_room.ask("XXXL有吗")
    assert decision.action == "answer"
    assert "XXXL" in decision.reply and "XXL" in decision.reply


def test_shade_named_by_its_number(room):
    decision = room.ask("7号链接01色号还有吗")
    assert decision.action == "answer"
    assert "4" in decision.reply


def test_every_figure_in_an_answer_comes_from_a_tool_result(hoodie_room):
    import re

    for text in ["黑色XL还有吗，发到成都几天", "170 60kg穿什么码", "多少钱", "我的单发了吗"]:
        decision = hoodie_room.ask(text, user="douyin:8820")
        results = str([c["result"] for c in decision.tool_calls])
        for number in re.findall(r"\d+", decision.reply):
            assert str(int(number)) in results or number in results, (text, number)


def test_before_any_catalog_is_imported_questions_escalate_and_chatter_is_ignored(engine, settings):
    from assistant.pipeline import Assistant, Message

    empty = Assistant(engine, settings)
    assert empty.handle(Message("r1", "douyin:1", "XL还有吗")).action == "escalate"
    assert empty.handle(Message("r1", "douyin:1", "666")).action == "ignore"
    assert empty.handle(Message("r1", "douyin:1", "我的单发了吗")).action == "answer"  # "no orders on your account"
