"""Asking for an option a product does not have, on the stores in tests/data: a size of a lip glaze
that comes in shades only, a colour of a charger that comes in wattages, a shade number it lacks. The
reply says so from the catalog, lists what it does come in, and states no stock figure."""

from __future__ import annotations

import re

NOW = "2026-11-25T15:00:00+08:00"


def test_lip_glaze_has_no_sizes_so_youmeiyou_xl_says_it_comes_in_shades_with_no_stock_figure(beauty_home_room):
    decision = beauty_home_room.on_air("2").ask("有没有XL", now=NOW)
    assert decision.action == "answer"
    assert "不分尺码" in decision.reply
    assert "色号：#01 烂番茄/#02 奶茶/#03 枫叶红" in decision.reply
    assert "件" not in decision.reply and "78" not in decision.reply


def test_a_charger_asked_for_in_black_says_it_comes_in_wattages(electronics_room):
    decision = electronics_room.on_air("2").ask("do you have it in black", now=NOW)
    assert decision.action == "answer"
    assert "doesn't come in different colours" in decision.reply
    assert "20W/65W/100W" in decision.reply and "left" not in decision.reply


def test_a_puzzle_asked_for_in_blue_lists_piece_counts_and_pictures(toys_room):
    decision = toys_room.on_air("3").ask("有蓝色的吗", now=NOW)
    assert decision.action == "answer"
    assert "不分颜色" in decision.reply and "星空/海洋" in decision.reply


def test_a_shade_number_the_lip_glaze_lacks_is_named_as_not_offered(beauty_home_room):
    room = beauty_home_room.on_air("2")
    for text in ("06有吗", "6号色有吗"):
        decision = room.ask(text, now=NOW)
        assert decision.action == "answer", text
        assert decision.reply.startswith("这款没有")
        assert not re.search(r"\d+件", decision.reply)
    assert "#02 奶茶" in room.ask("#02还有吗", now=NOW).reply  # a shade it has is still its stock


def test_hash_06_of_a_lip_glaze_in_shades_01_to_05_is_a_shade_it_lacks_not_link_6(beauty_home_room):
    room = beauty_home_room.on_air("2")
    for text in ("#06有吗", "＃06有吗", "#6有吗", "#6号色还有吗"):
        decision = room.ask(text, now=NOW)
        assert decision.action == "answer", text
        assert decision.reply.startswith(("这款没有#06", "这款没有#6")), text
        assert "#01 烂番茄/#02 奶茶/#03 枫叶红/#04 豆沙粉/#05 脏橘" in decision.reply, text
        assert not re.search(r"\d+件", decision.reply), text


def test_a_lip_glaze_named_beside_a_hash_number_no_link_has_is_asked_for_that_shade(beauty_home_room):
    decision = beauty_home_room.on_air("1").ask("唇釉 #6有吗", now=NOW)
    assert decision.action == "answer"
    assert decision.reply.startswith("这款没有#6") and "#05 脏橘" in decision.reply


def test_a_hash_number_in_the_lipsticks_own_padded_shape_is_a_shade_even_where_a_link_has_it(room):
    """The contract's example store: the lipstick (link 7) comes in "01 正红", "03 豆沙", "05 枫叶棕"
    (no "#"); link 5 is a down jacket."""
    lipstick = room.on_air("LIP-12")
    assert "05 枫叶棕" in lipstick.ask("#05有吗", now=NOW).reply
    decision = lipstick.ask("#06有吗", now=NOW)
    assert decision.action == "answer" and decision.reply.startswith("这款没有#06")
    assert "01 正红/03 豆沙/05 枫叶棕" in decision.reply and not re.search(r"\d+件", decision.reply)
    # Written as a link is written ("#5"), it is still link 5, as it is with the hoodie on air.
    assert "羽绒服" in lipstick.ask("#5有吗", now=NOW).reply
    assert "羽绒服" in room.on_air("HOODIE-01").ask("#05有吗", now=NOW).reply


def test_how_big_is_the_bear_with_no_size_fact_lists_its_sizes_from_the_catalog(toys_room):
    room = toys_room.on_air("4")
    for text in ("小熊多大", "有多大的", "小熊有几个尺寸"):
        decision = room.ask(text, now=NOW)
        assert decision.action == "answer", text
        assert "30cm、45cm、60cm" in decision.reply


def test_a_size_fact_still_answers_before_the_options(toys_room):
    decision = toys_room.on_air("3").ask("拼图多大", now=NOW)
    assert decision.action == "answer" and "30×40cm" in decision.reply


def test_how_big_is_the_bottle_lists_its_capacities(outdoor_room):
    decision = outdoor_room.on_air("3").ask("how big is the bottle", now=NOW)
    assert decision.action == "answer"
    assert "20 oz, 32 oz, 40 oz" in decision.reply


def test_a_one_metre_bear_is_a_length_the_bear_does_not_come_in(toys_room):
    decision = toys_room.on_air("4").ask("1米的有吗", now=NOW)
    assert decision.action == "answer"
    assert decision.reply.startswith("这款没有1米") and "30cm/45cm/60cm" in decision.reply
    assert not re.search(r"\d+件", decision.reply)


def test_whats_inside_the_bear_is_its_filling(toys_room):
    decision = toys_room.on_air("4").ask("小熊里面是棉花吗", now=NOW)
    assert decision.action == "answer" and "PP棉" in decision.reply


def test_how_many_colours_does_the_bedding_come_in_lists_colours_not_stock(beauty_home_room):
    room = beauty_home_room.on_air("4")
    decision = room.ask("四件套有几个颜色", now=NOW)
    assert decision.action == "answer" and "燕麦色、雾霾蓝" in decision.reply and "件，" not in decision.reply
    assert room.ask("还有几个", now=NOW).intent == "stock"


# --- lengths in Chinese numerals: 一米 is 1m, 一米八 1.8m, 两米 2m ------------------------------------------

def stock_selection(decision) -> dict:
    for call in decision.tool_calls:
        if call["name"] == "check_stock":
            return call["args"].get("options") or {}
    return {}


def test_a_one_metre_bed_in_chinese_numerals_is_a_size_the_bedding_does_not_come_in(beauty_home_room):
    room = beauty_home_room.on_air("4")
    for text, said in (("一米的有吗", "1米"), ("一米二的有吗", "1.2米"), ("两米二的有吗", "2.2米")):
        decision = room.ask(text, now=NOW)
        assert decision.action == "answer", text
        assert decision.reply.startswith(f"这款没有{said}"), text
        assert "1.5m床/1.8m床/2.0m床" in decision.reply and not re.search(r"\d+件", decision.reply)


def test_一米八_and_两米_in_chinese_numerals_are_the_beds_the_bedding_comes_in(beauty_home_room):
    room = beauty_home_room.on_air("4")
    assert stock_selection(room.ask("一米八的床", now=NOW)) == {"尺寸": ["1.8m床"]}
    assert stock_selection(room.ask("两米的有吗", now=NOW)) == {"尺寸": ["2.0m床"]}
    assert stock_selection(room.ask("一米五的燕麦色还有吗", now=NOW)) == {"尺寸": ["1.5m床"], "颜色": ["燕麦色"]}


def test_sixty_metres_in_chinese_numerals_is_the_60m_rope(outdoor_room):
    decision = outdoor_room.on_air("1").ask("六十米的有吗", now=NOW)
    assert decision.action == "answer"
    assert stock_selection(decision) == {"Length": ["60m"]}


def test_a_cable_sold_in_feet_asked_for_in_metres_says_it_comes_in_feet(electronics_room):
    decision = electronics_room.on_air("3").ask("两米的线有吗", now=NOW)
    assert decision.action == "answer"
    assert decision.reply.startswith("这款没有2米") and "3 ft/6 ft/10 ft" in decision.reply
    assert not re.search(r"\d+件", decision.reply)


def test_a_height_in_chinese_numerals_still_asks_for_a_size(hoodie_room):
    decision = hoodie_room.ask("一米七 120斤穿什么码")
    assert decision.action == "answer" and decision.intent == "size_advice"
    assert "170" in decision.reply


# --- an option's values asked to be listed, in any wording and for any option --------------------------

def test_what_colors_do_you_have_lists_the_jackets_colours_not_its_stock(outdoor_room):
    room = outdoor_room.on_air("7")
    for text in ("what colors do you have", "how many colours", "which colors are available", "what are the colors"):
        decision = room.ask(text, now=NOW)
        assert decision.action == "answer" and decision.intent == "product_info", text
        assert "colours: Black, Red (all in stock)" in decision.reply, text
        assert not re.search(r"\d", decision.reply), text


def test_which_sizes_are_available_names_the_size_sold_out_in_every_colour(outdoor_room):
    # XL comes only in black, and black XL is sold out; the other sizes have stock in some colour.
    decision = outdoor_room.on_air("7").ask("what sizes are available", now=NOW)
    assert decision.action == "answer"
    assert decision.reply.endswith("sizes: S, M, L, XL (XL sold out)")


def test_a_size_named_with_left_is_still_the_stock_of_that_size(outdoor_room):
    decision = outdoor_room.on_air("7").ask("size M left?", now=NOW)
    assert decision.intent == "stock" and "30 left" in decision.reply and "8 left" in decision.reply


def test_what_sizes_of_a_backpack_sold_by_capacity_lists_its_capacities(outdoor_room):
    decision = outdoor_room.on_air("2").ask("what sizes do you have", now=NOW)
    assert decision.action == "answer" and "capacities: 28L, 38L" in decision.reply


def test_what_wattages_do_you_have_lists_the_chargers_wattages_with_the_sold_out_one(electronics_room):
    decision = electronics_room.on_air("2").ask("what wattages do you have", now=NOW)
    assert decision.action == "answer"
    assert "wattages: 20W, 65W, 100W (100W sold out)" in decision.reply and "left" not in decision.reply


def test_what_colors_of_a_charger_sold_by_wattage_says_it_has_no_colours(electronics_room):
    decision = electronics_room.on_air("2").ask("what colors do you have", now=NOW)
    assert decision.action == "answer"
    assert "doesn't come in different colours" in decision.reply and "20W/65W/100W" in decision.reply
    assert "left" not in decision.reply


def test_which_shades_are_left_lists_the_lip_glaze_shades_and_the_sold_out_ones(beauty_home_room):
    room = beauty_home_room.on_air("2")
    for text in ("还有哪些色号", "色号有哪些", "what shades do you have"):
        decision = room.ask(text, now=NOW)
        assert decision.action == "answer" and decision.intent == "product_info", text
        assert "#01 烂番茄" in decision.reply and "#05 脏橘" in decision.reply, text
        assert not re.search(r"\d+件|\d+ left", decision.reply), text
    assert room.ask("还有哪些色号", now=NOW).reply.endswith("其中#02 奶茶、#03 枫叶红已售罄")


def test_which_colours_are_in_stock_lists_the_bedding_colours(beauty_home_room):
    room = beauty_home_room.on_air("4")
    for text in ("哪些颜色有货", "有几个颜色", "除了燕麦色还有什么颜色"):
        decision = room.ask(text, now=NOW)
        assert decision.intent == "product_info", text
        assert decision.reply.endswith("颜色有：燕麦色、雾霾蓝，都有货"), text


def test_the_sizes_of_a_colour_named_are_that_colours_stock(beauty_home_room):
    decision = beauty_home_room.on_air("4").ask("雾霾蓝有哪些尺寸", now=NOW)
    assert decision.intent == "stock"
    assert "1.5m床售罄" in decision.reply and "1.8m床 35件" in decision.reply


def test_how_many_flavours_lists_the_flavours_and_the_sold_out_one(shoes_tea_room):
    room = shoes_tea_room.on_air("4")
    for text in ("有几种口味", "有哪些口味", "多少种口味"):
        decision = room.ask(text, now=NOW)
        assert decision.action == "answer" and decision.intent == "product_info", text
        assert decision.reply.endswith("口味有：白桃乌龙、柠檬红茶、荔枝红茶、青提茉莉，其中柠檬红茶已售罄"), text
    assert room.ask("芒果味有吗", now=NOW).reply.startswith("这款没有芒果味")


def test_a_hoodies_colours_and_sizes_asked_in_chinese_and_english(hoodie_room):
    assert hoodie_room.ask("有哪些颜色").reply.endswith("颜色有：黑色、灰色，都有货")
    assert hoodie_room.ask("what colours do you have").reply.endswith("colours: black, grey (all in stock)")
    for text in ("有几个码", "有什么码"):
        assert hoodie_room.ask(text).reply.endswith("尺码有：M、L、XL、XXL，其中XXL已售罄"), text
    assert hoodie_room.ask("170穿什么码").intent == "size_advice"
    decision = hoodie_room.ask("黑色有哪些码")
    assert decision.intent == "stock" and "L 8件" in decision.reply


def test_a_judgement_asked_of_the_colours_is_not_answered_with_the_list_of_colours(outdoor_room, beauty_home_room):
    # "which colour is warmest" wants an opinion (or a fact) the colour list does not hold: the host answers.
    for room, text in ((outdoor_room.on_air("7"), "which colour is warmest"),
                       (outdoor_room.on_air("7"), "what colour is most popular"),
                       (beauty_home_room.on_air("2"), "哪个色号显白")):
        decision = room.ask(text, now=NOW)
        assert "(all in stock)" not in decision.reply and "都有货" not in decision.reply, text
        assert decision.action == "escalate", (text, decision.reply)


def test_米色_米白_米黄_after_a_chinese_numeral_are_colours_not_metres():
    from assistant.text import normalise

    for text in ("三米色的有吗", "要两米白的", "一米黄"):
        assert normalise(text).text == text  # 米色 beige, 米白 off-white, 米黄 cream: no length here
    assert normalise("一米八的床").text == "1.8米的床"
