"""Understanding a store the planner was not written against: flavours, phone models, numeric sizes.

The stores are in tests/data/ (fixtures ``shoes_tea_room`` and ``outdoor_room``); the figures below
are read off those catalogs.
"""

from __future__ import annotations

NOW = "2026-11-25T15:00:00+08:00"  # a Wednesday, after the Chongqing warehouse's 14:00 cutoff


def stock_selection(decision) -> dict:
    for call in decision.tool_calls:
        if call["name"] == "check_stock":
            return call["args"].get("options") or {}
    return {}


# --- flavours whose names hold colour characters ("白桃乌龙", "柠檬红茶") -----------------------------------

def test_a_shortened_flavour_ships_from_the_only_warehouse_that_has_it(shoes_tea_room):
    # 青提茉莉 is stocked only in Chongqing (14:00 cutoff passed, one handling day): ships on the 27th.
    decision = shoes_tea_room.on_air("TEA-22").ask("青提的发广州几天", now=NOW)
    assert decision.action == "answer"
    assert "重庆" in decision.reply and "11月27日" in decision.reply
    assert "上海" not in decision.reply


def test_a_sold_out_flavour_named_by_its_first_word_gets_its_restock_date(shoes_tea_room):
    decision = shoes_tea_room.on_air("TEA-22").ask("柠檬味有吗", now=NOW)
    assert decision.action == "answer"
    assert "柠檬红茶" in decision.reply and "12月1日" in decision.reply
    assert "没有" not in decision.reply


def test_a_flavour_asked_as_x口味_is_that_flavour_not_a_missing_one(shoes_tea_room):
    decision = shoes_tea_room.on_air("TEA-22").ask("荔枝口味还剩多少", now=NOW)
    assert decision.action == "answer"
    assert "荔枝红茶" in decision.reply and "4" in decision.reply


def test_a_flavour_the_product_does_not_come_in_is_said_so(shoes_tea_room):
    decision = shoes_tea_room.on_air("TEA-22").ask("芒果口味有吗", now=NOW)
    assert decision.action == "answer"
    assert "没有芒果" in decision.reply


# --- phone models ----------------------------------------------------------------------------------------

def test_the_longest_model_name_wins_over_its_shorter_neighbours(shoes_tea_room):
    decision = shoes_tea_room.on_air("CASE-05").ask("苹果16 pro max黑色还有吗", now=NOW)
    assert stock_selection(decision) == {"型号": ["iPhone 16 Pro Max"], "颜色": ["磨砂黑"]}
    assert "18" in decision.reply


def test_16_pro_is_the_16_pro_not_also_the_pro_max(shoes_tea_room):
    decision = shoes_tea_room.on_air("CASE-05").ask("16 pro还有吗", now=NOW)
    assert stock_selection(decision) == {"型号": ["iPhone 16 Pro"]}
    assert "仅剩2件" in decision.reply


def test_model_names_written_without_spaces_are_found(shoes_tea_room):
    room = shoes_tea_room.on_air("CASE-05")
    assert stock_selection(room.ask("iphone15pro透明的还有吗", now=NOW))["型号"] == ["iPhone 15 Pro"]
    assert stock_selection(room.ask("16promax透明什么时候补货", now=NOW))["型号"] == ["iPhone 16 Pro Max"]
    assert stock_selection(room.ask("手机壳iPhone16 Pro有吗", now=NOW))["型号"] == ["iPhone 16 Pro"]


def test_a_model_the_case_is_not_made_for_is_not_answered_as_in_stock(shoes_tea_room):
    decision = shoes_tea_room.on_air("CASE-05").ask("有没有华为mate60的", now=NOW)
    assert "没有mate60" in decision.reply
    assert "有货" not in decision.reply


# --- the catalog's own fact names ------------------------------------------------------------------------

def test_a_fact_the_catalog_names_in_its_own_words_is_answered_from_it(shoes_tea_room):
    decision = shoes_tea_room.on_air("SHOE-88").ask("鞋面什么材质", now=NOW)
    assert decision.action == "answer"
    assert "飞织网面" in decision.reply
    decision = shoes_tea_room.on_air("CASE-05").ask("支持磁吸吗", now=NOW)
    assert decision.action == "answer" and "MagSafe" in decision.reply


def test_how_long_it_keeps_drinks_cold_is_a_product_fact_not_a_shipping_time(outdoor_room):
    decision = outdoor_room.on_air("3").ask("how long does it keep drinks cold", now="2026-11-25T13:30:00-05:00")
    assert decision.action == "answer"
    assert decision.intent == "product_info"
    assert "24 hours" in decision.reply


def test_an_english_fact_key_in_words_is_found(outdoor_room):
    decision = outdoor_room.on_air("1").ask("is it dry treated", now="2026-11-25T13:30:00-05:00")
    assert decision.action == "answer" and "core and sheath" in decision.reply


# --- the viewer's own purchase, and trouble with it ------------------------------------------------------

def test_when_will_my_bottle_ship_is_about_the_viewers_own_order(outdoor_room):
    decision = outdoor_room.on_air("3").ask("when will my water bottle ship", user="tiktok:alice",
                                            now="2026-11-25T13:30:00-05:00")
    assert decision.intent == "order_status"
    assert "1002" in decision.reply


def test_if_i_order_now_is_still_a_shipping_question(outdoor_room):
    decision = outdoor_room.on_air("3").ask("if i order now when will my bottle arrive", user="tiktok:alice",
                                            now="2026-11-25T13:30:00-05:00")
    assert decision.intent == "shipping"


def test_goods_that_arrived_damaged_go_to_a_person_even_without_the_word_complaint(outdoor_room):
    for text in ("my bottle arrived dented, this is ridiculous", "the rope I got is already frayed, not happy"):
        assert outdoor_room.on_air("3").ask(text, now="2026-11-25T13:30:00-05:00").action == "escalate", text


def test_shoes_that_arrived_dirty_go_to_after_sales(shoes_tea_room):
    decision = shoes_tea_room.on_air("SHOE-88").ask("鞋子收到有点脏", now=NOW)
    assert decision.action == "escalate" and decision.reason_code == "after_sales"


# --- how English viewers write lengths, sizes, colours, heights and order numbers ------------------------

EASTERN = "2026-11-25T13:30:00-05:00"


def test_spelled_out_units_and_typos_find_the_variant(outdoor_room):
    room = outdoor_room.on_air("1")
    assert stock_selection(room.ask("how many 70 meter blue ropes left", now=EASTERN)) == {
        "Colorway": ["Glacier Blue"], "Length": ["70m"]}
    assert stock_selection(room.ask("do u hav the 60 meter blu rope", now=EASTERN)) == {
        "Colorway": ["Glacier Blue"], "Length": ["60m"]}
    decision = outdoor_room.on_air("3").ask("what's the price of the 32 ounce", now=EASTERN)
    assert "$42" in decision.reply and "$34" not in decision.reply


def test_a_plural_size_word_is_that_size(outdoor_room):
    decision = outdoor_room.on_air("7").ask("any mediums left", now=EASTERN)
    assert decision.action == "answer"
    assert stock_selection(decision) == {"size": ["M"]}


def test_six_foot_190_pounds_counts_the_height_too(outdoor_room):
    decision = outdoor_room.on_air("7").ask("im 6ft 190lb what size", now=EASTERN)
    advice = next(call for call in decision.tool_calls if call["name"] == "size_advice")
    assert advice["args"]["height_cm"] == 183


def test_what_colors_lists_an_option_called_colorway(outdoor_room):
    decision = outdoor_room.on_air("2").ask("what colors does it come in", now=EASTERN)
    assert decision.action == "answer"
    assert "Black" in decision.reply and "Sage" in decision.reply


def test_another_viewers_short_order_number_is_not_on_your_account(outdoor_room):
    decision = outdoor_room.on_air("1").ask("what's the tracking for ORD-2001", user="tiktok:alice", now=EASTERN)
    assert decision.intent == "order_status"
    assert "2001" not in decision.reply and "1001" not in decision.reply and "6784" not in decision.reply


def test_naming_a_price_for_the_product_is_bargaining(outdoor_room):
    decision = outdoor_room.on_air("1").ask("can you do $150 for the rope?", now=EASTERN)
    assert decision.action == "escalate" and decision.reason_code == "bargain"


def test_a_shoe_size_in_chinese_numerals_is_that_size(shoes_tea_room):
    decision = shoes_tea_room.on_air("SHOE-88").ask("黑色三十八码还有吗", now=NOW)
    assert stock_selection(decision) == {"颜色": ["黑色"], "尺码": ["38"]}


# --- shade codes, bed sizes, watts and feet ----------------------------------------------------------

BEIJING = "2026-12-02T14:30:00+08:00"
LOS_ANGELES = "2026-12-02T10:30:00-08:00"


def test_hash_05_with_a_lip_glaze_on_air_is_the_shade_not_link_5(beauty_home_room):
    decision = beauty_home_room.on_air("LIP-66").ask("#05多少钱", now=BEIJING)
    assert decision.action == "answer"
    assert "139" in decision.reply and "899" not in decision.reply


def test_a_shade_asked_as_3号色_or_01号_is_that_shade(beauty_home_room):
    room = beauty_home_room.on_air("LIP-66")
    assert stock_selection(room.ask("3号色还有吗", now=BEIJING)) == {"色号": ["#03 枫叶红"]}
    decision = room.ask("01号还有吗", now=BEIJING)
    assert stock_selection(decision) == {"色号": ["#01 烂番茄"]} and "3" in decision.reply


def test_a_bed_size_said_as_a_bare_decimal_ships_from_the_warehouse_that_has_it(beauty_home_room):
    # 1.8m 燕麦色 is stocked only in Guangzhou (before its 15:00 cutoff, one handling day: Dec 3);
    # Hangzhou, nearer and faster, has other sizes of 燕麦色 but not this one.
    decision = beauty_home_room.on_air("BED-15").ask("燕麦1.8发浙江几天到", now=BEIJING)
    plan = next(c for c in decision.tool_calls if c["name"] == "estimate_shipping")
    assert plan["args"]["options"] == {"尺寸": ["1.8m床"], "颜色": ["燕麦色"]}
    assert plan["result"]["plan"]["warehouse"] == "GZ"
    assert "广州" in decision.reply and "杭州" not in decision.reply and "12月3日" in decision.reply


def test_一米八_with_a_bed_on_air_is_the_bed_size_not_the_viewers_height(beauty_home_room):
    decision = beauty_home_room.on_air("BED-15").ask("一米八的雾霾蓝有几套", now=BEIJING)
    assert decision.action == "answer"
    assert stock_selection(decision) == {"尺寸": ["1.8m床"], "颜色": ["雾霾蓝"]} and "35" in decision.reply


def test_bed_sizes_name_the_bedding_even_with_a_serum_on_air(beauty_home_room):
    decision = beauty_home_room.on_air("SKIN-30").ask("1.5燕麦和1.8雾霾蓝哪个有货", now=BEIJING)
    check = next(c for c in decision.tool_calls if c["name"] == "check_stock")
    assert check["args"]["product_sku"] == "BED-15"


def test_a_return_question_finds_the_return_faq_whatever_the_product_word(beauty_home_room):
    decision = beauty_home_room.on_air("SNACK-08").ask("牛肉干能退吗", now=BEIJING)
    assert decision.action == "answer" and "无理由" in decision.reply


def test_too_expensive_elsewhere_cheaper_goes_to_the_host(beauty_home_room):
    decision = beauty_home_room.on_air("SNACK-08").ask("太贵了 别家才39", now=BEIJING)
    assert decision.action == "escalate"


def test_a_wattage_asked_of_a_cable_is_not_a_missing_cable_model(electronics_room):
    decision = electronics_room.on_air("CBL-BR").ask("is the usb-c one 100w", now=LOS_ANGELES)
    assert "doesn't come in" not in decision.reply


def test_100_watt_and_6_feet_are_the_variants_in_any_spelling(electronics_room):
    decision = electronics_room.on_air("CHG-GAN").ask("100 watt when is it back", now=LOS_ANGELES)
    assert decision.action == "answer" and "Dec 20" in decision.reply
    decision = electronics_room.on_air("CBL-BR").ask("6' usb c price", now=LOS_ANGELES)
    assert decision.action == "answer" and "$15" in decision.reply


def test_status_of_a_short_order_number_is_the_viewers_own_order(electronics_room):
    decision = electronics_room.on_air("HP-900").ask("status of order VH-50011?", user="tiktok:maya",
                                                     now=LOS_ANGELES)
    assert decision.intent == "order_status" and "0011" in decision.reply


def test_a_cancelled_order_the_viewer_did_not_cancel_goes_to_a_person(electronics_room):
    decision = electronics_room.on_air("HP-900").ask("why was my order cancelled?? I never cancelled it",
                                                     user="tiktok:lena", now=LOS_ANGELES)
    assert decision.action == "escalate"
