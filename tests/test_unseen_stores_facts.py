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
