"""A viewer asks for a kind of product by name ("有没有面膜", "do you sell phone cases"): the store
may not sell it at all, and then the product on air must not answer for it. Elliptical questions
("有货吗", "有没有01") stay about the product on air. Stores in tests/data/."""

from __future__ import annotations

NOW = "2026-11-25T15:00:00+08:00"


def names(decision) -> list[str]:
    return [call["name"] for call in decision.tool_calls]


def test_store_sells_no_face_masks_so_youmeiyou_mianmo_is_not_answered_with_the_lip_glazes_stock(beauty_home_room):
    for text in ("有没有面膜", "有面膜吗", "面膜多少钱", "卖面膜吗"):
        decision = beauty_home_room.on_air("LIP-66").ask(text, now=NOW)
        assert decision.action == "escalate", text
        assert decision.reason_code == "not_sold"
        assert "面膜" in decision.reply
        assert "check_stock" not in names(decision) and "唇釉" not in decision.reply


def test_elliptical_questions_still_ask_about_the_product_on_air(beauty_home_room):
    room = beauty_home_room.on_air("LIP-66")
    assert room.ask("有货吗", now=NOW).action == "answer"
    assert "#01 烂番茄" in room.ask("有没有01", now=NOW).reply
    # The catalog calls the lip glaze 口红 too: a viewer asking for lipstick gets it.
    assert "丝绒雾面唇釉" in room.ask("有没有口红", now=NOW).reply


def test_a_kind_only_another_product_is_answers_about_that_product(beauty_home_room):
    decision = beauty_home_room.on_air("LIP-66").ask("有没有被子", now=NOW)
    assert decision.action == "answer"
    assert "桑蚕丝冬被" in decision.reply


def test_english_viewer_asking_for_face_masks_in_an_electronics_store_is_not_told_headphone_stock(electronics_room):
    for text in ("do you have face masks?", "do you sell phone cases"):
        decision = electronics_room.on_air("1").ask(text, now=NOW)
        assert decision.action == "escalate", text
        assert decision.reason_code == "not_sold"
        assert "left" not in decision.reply and "AeroSound" not in decision.reply
    assert "face masks" in electronics_room.ask("do you have face masks?", now=NOW).reply


def test_a_feature_of_the_product_on_air_is_not_a_kind_of_product_to_sell(electronics_room):
    # "does it come with earbuds" asks about what is in the box, not about buying earbuds.
    decision = electronics_room.on_air("1").ask("is it microwave safe", now=NOW)
    assert decision.reason_code != "not_sold"


def test_a_kind_of_toy_the_shop_does_not_sell_escalates_and_one_it_sells_is_found(toys_room):
    room = toys_room.on_air("1")
    assert room.ask("有没有洋娃娃", now=NOW).reason_code == "not_sold"
    assert room.ask("do you have barbie dolls", now=NOW).reason_code == "not_sold"
    puzzle = room.ask("有没有拼图", now=NOW)
    assert puzzle.action == "answer" and "儿童纸质拼图" in puzzle.reply


def test_the_kind_named_beats_a_product_guessed_from_one_shared_word(toys_room):
    # "machine" is shared with "Bubble Machine"; "teddy bear" is what is asked about.
    decision = toys_room.ask("is the teddy bear machine washable", now=NOW)
    facts = [c for c in decision.tool_calls if c["name"] == "product_facts"]
    assert facts and facts[0]["args"]["product_sku"] == "PLUSH-5"
