"""Facts a viewer names by a word of their value, not of their key ("does the pro have LDAC": the
fact is ``pro_extras: "Pro adds LDAC, …"``), and fact topics a toy shop is asked about. Stores in
tests/data/."""

from __future__ import annotations

from tools.catalog import fact_keys_for

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


# --- a feature named, often by its short form: that feature's fact, or a person ------------------

def test_does_it_have_anc_gets_the_noise_cancelling_fact_not_the_battery_fact_that_mentions_anc(audio_room):
    for text in ("does it have anc", "does it have ANC?", "is there noise cancelling", "anc?"):
        decision = audio_room.on_air("1").ask(text, now=NOW)
        assert decision.action == "answer" and decision.intent == "product_info", text
        assert "hybrid ANC, up to 42 dB" in decision.reply, text
        assert "30 hours" not in decision.reply, text


def test_anc_asked_of_headphones_whose_only_anc_word_is_in_the_battery_fact_goes_to_the_host(electronics_room):
    # "battery: 40 hours with ANC on" is how long the battery lasts, not a fact about ANC.
    decision = electronics_room.on_air("1").ask("does it have anc", now=NOW)
    assert decision.action == "escalate" and decision.intent == "product_info"
    assert decision.reason_code == "no_such_fact"


def test_a_feature_the_product_has_no_fact_about_goes_to_the_host(audio_room):
    for text in ("does it have anc", "noise cancelling?", "battery life?"):
        decision = audio_room.on_air("3").ask(text, now=NOW)
        assert decision.action == "escalate" and decision.reason_code == "no_such_fact", text


def test_a_short_form_in_a_features_list_answers_from_that_list_in_any_case(audio_room):
    for text in ("is it IPX7", "is it ipx7?", "does it have enc"):
        decision = audio_room.on_air("2").ask(text, now=NOW)
        assert decision.action == "answer", text
        assert "IPX7, stereo pairing, speakerphone with ENC" in decision.reply, text


def test_anc_is_not_enc_a_speaker_with_an_enc_mic_is_not_said_to_have_anc(audio_room):
    decision = audio_room.on_air("2").ask("does it have anc", now=NOW)
    assert decision.action == "escalate" and decision.reason_code == "no_such_fact"


def test_youmeiyou_jiangzao_is_a_question_about_the_feature_not_about_stock(electronics_room):
    # "有降噪吗": whether it has noise cancelling; the headphones' facts have no such fact.
    decision = electronics_room.on_air("1").ask("有降噪吗", now=NOW)
    assert decision.action == "escalate" and decision.intent == "product_info"
    assert "件" not in decision.reply


def test_how_long_does_the_battery_last_is_the_battery_not_the_delivery_time(audio_room):
    decision = audio_room.on_air("1").ask("how long does the battery last", now=NOW)
    assert decision.action == "answer" and decision.intent == "product_info"
    assert "30 hours with ANC off" in decision.reply


def test_a_key_word_names_a_fact_only_as_a_whole_word():
    # "age" is no part of "storage" or "usage": a product whose facts say nothing of age is not
    # answered with how to store it.
    assert fact_keys_for("age", ["收纳", "storage", "usage", "Wattage", "age_range"]) == ["age_range"]
    assert fact_keys_for("insulation", ["keeps_cold", "keeps_hot"]) == ["keeps_cold", "keeps_hot"]
    assert fact_keys_for("anc", ["noise_cancelling", "battery", "balance"]) == ["noise_cancelling"]


# --- a fact written in the other language: posted when it reads the same, else a person relays it --

def test_a_chinese_question_about_an_english_sentence_fact_goes_to_the_host_with_the_fact_as_written(electronics_room):
    decision = electronics_room.on_air("1").ask("续航多久", now=NOW)
    assert decision.action == "escalate" and decision.reason_code == "other_language"
    assert "40 hours with ANC on" in decision.reply  # the host's draft: the merchant's words


def test_a_chinese_question_about_a_figure_or_a_code_is_answered_in_chinese(electronics_room):
    decision = electronics_room.on_air("4").ask("防水吗", now=NOW)
    assert decision.action == "answer" and decision.reply.endswith("防水：IPX5")
    decision = electronics_room.on_air("1").ask("重量多少", now=NOW)
    assert decision.action == "answer" and decision.reply.endswith("重量：250 g")


def test_an_english_question_about_a_chinese_fact_goes_to_the_host_unless_it_is_a_figure(beauty_home_room):
    decision = beauty_home_room.on_air("SKIN-30").ask("shelf life?", now=NOW)
    assert decision.action == "escalate" and decision.reason_code == "other_language"
    assert "未开封3年" in decision.reply
    decision = beauty_home_room.on_air("LIP-66").ask("net content?", now=NOW)
    assert decision.action == "answer" and decision.reply.endswith("net content: 3g")  # not "净含量: 3g"
