"""Store-policy questions in the toy shop (tests/data/store_toys_kids_zh.json), with nothing or a toy
on air: the merchant's FAQ answers when it shares what the question is about, not only its question
words ("多少" of "运费多少", "when … ship"); a stock-shaped "有X吗" about something no variant is goes to
the FAQ, and so does a question the FAQ asks nearly word for word where a topic word led to another fact."""

from __future__ import annotations

NOW = "2026-11-25T15:00:00+08:00"


def names(decision) -> list[str]:
    return [call["name"] for call in decision.tool_calls]


def test_nothing_on_air_short_questions_get_the_faq_answer_not_which_link(toys_room):
    for text, part in (("有礼品袋吗", "免费加礼品袋"), ("有检测报告吗", "检测报告可在商品详情页查看"),
                       ("电池自己买吗", "遥控车自带充电电池")):
        decision = toys_room.ask(text, now=NOW)
        assert decision.action == "answer", text
        assert part in decision.reply
        assert decision.intent == "policy"


def test_nothing_on_air_how_much_is_not_answered_with_the_shipping_fee(toys_room):
    # "多少钱" and "包邮吗，运费多少" share only "多少": which link is it?
    decision = toys_room.ask("多少钱", now=NOW)
    assert decision.action == "escalate" and decision.reason_code == "no_product"
    assert "运费" not in decision.reply


def test_nothing_on_air_when_does_it_ship_needs_a_product_not_a_faq(toys_room, outdoor_room):
    for room in (toys_room, outdoor_room):
        decision = room.ask("when does it ship?", now=NOW)
        assert decision.action == "escalate" and decision.reason_code == "no_product"


def test_a_gift_bag_asked_for_with_the_rc_car_on_air_is_the_faq_not_the_cars_stock(toys_room):
    room = toys_room.on_air("2")
    for text in ("有礼品袋吗", "有检测报告吗"):
        decision = room.ask(text, now=NOW)
        assert decision.action == "answer", text
        assert "check_stock" not in names(decision) and "件" not in decision.reply
    assert "30件" in room.ask("有货吗", now=NOW).reply  # a plain stock question is still stock


def test_do_i_buy_batteries_for_the_rc_car_is_answered_by_the_faq_not_its_battery_life(toys_room):
    decision = toys_room.on_air("2").ask("电池要自己买吗", now=NOW)
    assert decision.action == "answer"
    assert "遥控车自带充电电池" in decision.reply and "25分钟" not in decision.reply


def test_the_bubble_machines_own_battery_fact_still_answers_for_it(toys_room):
    decision = toys_room.on_air("6").ask("电池要自己买吗", now=NOW)
    assert decision.action == "answer"
    assert "需4节5号电池" in decision.reply


def test_a_shelf_life_asked_of_the_lip_glaze_is_its_own_fact_not_the_store_faq(beauty_home_room):
    decision = beauty_home_room.on_air("2").ask("保质期多久", now=NOW)
    assert decision.action == "answer"
    assert "3年" in decision.reply and "牛肉干" not in decision.reply
