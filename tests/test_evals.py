"""The eval framework: its gates over every case file, and the oracle and grader it relies on.

The oracle's figures here were worked out by hand from the contract's example catalog, so a
mistake in the oracle cannot hide behind the same mistake in ``tools/``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine

from assistant.live_state import set_stock
from evals.grader import Case, grade
from evals.oracle import CaseError, Oracle
from evals.runner import ACTION_ACCURACY_GATE, default_case_files, run
from tests.conftest import EXAMPLE_CATALOG, at, load_catalog, load_json

BLACK_XL = {"color": "黑色", "size": "XL"}
BLACK_M = {"color": "黑色", "size": "M"}


def test_eval_cases_pass_the_gates() -> None:
    files = default_case_files()
    if not files:
        pytest.skip("no eval cases yet: evals/cases/*.jsonl is empty")
    report = run(files)
    total = report.total
    assert report.passes_gates(), "\n" + report.table(all_failures=True)
    assert total.action_accuracy >= ACTION_ACCURACY_GATE
    assert total.false_facts == 0 and total.leaks == 0


# --- the oracle, against hand-checked figures ------------------------------------------------------

@pytest.fixture
def oracle(example_store: Engine) -> Oracle:
    return Oracle(example_store)


def test_stock_total_is_summed_over_warehouses(oracle: Oracle) -> None:
    assert oracle.stock_total("HOODIE-01-BLK-XL") == 23  # HZ 0 + GZ 23
    assert oracle.stock_total("HOODIE-01-BLK-M") == 200  # HZ 140 + GZ 60


def test_black_xl_paid_before_the_guangzhou_cutoff_ships_after_one_handling_day(oracle: Oracle) -> None:
    plan = oracle.ship_plan("HOODIE-01", at("14:00"), BLACK_XL)
    assert plan is not None
    assert (plan.warehouse, plan.ship_date) == ("GZ", dt.date(2026, 11, 23))


def test_paid_at_the_cutoff_is_not_before_it(oracle: Oracle) -> None:
    plan = oracle.ship_plan("HOODIE-01", at("16:00"), BLACK_M)
    assert plan is not None
    # Hangzhou: 16:00 is not before 16:00, so the next day; Guangzhou: 15:00 passed, next day + 1.
    assert (plan.warehouse, plan.ship_date) == ("HZ", dt.date(2026, 11, 23))
    assert oracle.ship_date("HOODIE-01", at("15:59"), BLACK_M) == dt.date(2026, 11, 22)


def test_presale_ships_on_its_date_or_today_once_it_has_passed(oracle: Oracle) -> None:
    assert oracle.ship_date("DOWN-07", at("14:00")) == dt.date(2026, 12, 5)
    assert oracle.ship_date("DOWN-07", at("2026-12-08T23:00:00+08:00")) == dt.date(2026, 12, 8)


def test_only_warehouses_holding_the_variant_ship_it(example_store: Engine, oracle: Oracle) -> None:
    set_stock(example_store, "HOODIE-01-BLK-M", "HZ", 0)
    plan = oracle.ship_plan("HOODIE-01", at("14:00"), BLACK_M)
    assert plan is not None and plan.warehouse == "GZ"
    assert oracle.ship_date("HOODIE-01", at("14:00"), {"color": "灰色", "size": "XL"}) is None  # none anywhere


def test_delivery_uses_the_province_row_else_the_star_row(oracle: Oracle) -> None:
    # Shanghai has its own Hangzhou row (1 day); Sichuan falls back to "*" (HZ 2-4, GZ 2-5).
    assert oracle.delivery("HOODIE-01", "上海", at("14:00"), BLACK_M) == (dt.date(2026, 11, 23),) * 2
    assert oracle.delivery("HOODIE-01", "四川", at("14:00"), BLACK_M) == (dt.date(2026, 11, 24),
                                                                          dt.date(2026, 11, 26))


def test_delivery_picks_the_warehouse_that_delivers_earliest(oracle: Oracle) -> None:
    # To Guangdong: HZ ships today, arrives 24-26 by "*"; GZ ships tomorrow, arrives on the 24th.
    plan = oracle.ship_plan("HOODIE-01", at("14:00"), BLACK_M, "广东")
    assert plan is not None and plan.warehouse == "GZ"
    assert (plan.deliver_from, plan.deliver_to) == (dt.date(2026, 11, 24), dt.date(2026, 11, 24))


def test_restock_date_and_price(oracle: Oracle) -> None:
    assert oracle.restock_date("HOODIE-01-BLK-XXL") == dt.date(2026, 12, 1)
    assert oracle.price("HOODIE-01") == Decimal("129")
    assert oracle.price("HOODIE-01-BLK-XL") == Decimal("129")  # no price of its own


def test_a_variant_price_overrides_the_product_price(engine: Engine) -> None:
    document = load_json(EXAMPLE_CATALOG)
    document["products"][0]["variants"][3]["price"] = 139.5  # HOODIE-01-BLK-XXL
    load_catalog(engine, products=document["products"])
    oracle = Oracle(engine)
    assert oracle.price("HOODIE-01-BLK-XXL") == Decimal("139.5")
    assert oracle.price("HOODIE-01") == Decimal("129")


def test_orders_faqs_and_facts(oracle: Oracle) -> None:
    order = oracle.order("douyin:8820", "DY20261120000456")
    assert (order.tail, order.status, order.tracking_tail) == ("0456", "shipped", "0011")
    with pytest.raises(CaseError):
        oracle.order("douyin:9999", "DY20261120000456")  # not the asker's
    assert oracle.faq_answer("支持七天无理由退货吗") == "支持七天无理由退换，吊牌未拆即可。"
    assert oracle.fact("DOWN-07", "fill_weight_g") == 120


# --- the grader ------------------------------------------------------------------------------------

def case(text: str, user: str = "douyin:1001", facts: list[dict[str, Any]] | None = None,
         action: str = "answer", **expect: Any) -> Case:
    return Case.from_json({
        "id": "t", "store": "example", "on_air": "HOODIE-01", "user": user, "now": "2026-11-22T14:00:00+08:00",
        "text": text, "expect": {"action": action, "facts": facts or [], **expect},
    })


def answer(reply: str, action: str = "answer") -> dict[str, Any]:
    return {"action": action, "reply": reply, "intent": "stock", "tool_calls": [], "lang": "zh"}


STOCK_XL = [{"kind": "stock", "variant": "HOODIE-01-BLK-XL"}]


def test_the_true_stock_figure_passes(oracle: Oracle) -> None:
    result = grade(case("黑色XL还有吗", facts=STOCK_XL), answer("黑色XL有货，还有23件"), oracle)
    assert result.passed, result.reasons()
    assert (result.facts_checked, result.facts_ok) == (1, 1)


def test_a_wrong_stock_figure_is_a_false_fact(oracle: Oracle) -> None:
    result = grade(case("黑色XL还有吗", facts=STOCK_XL), answer("黑色XL有货，还有25件"), oracle)
    assert not result.passed
    assert result.false_facts and "25" in result.false_facts[0]
    assert result.missed  # and the true 23 is not stated


def test_sold_out_for_a_variant_in_stock_is_a_false_fact(oracle: Oracle) -> None:
    result = grade(case("黑色XL还有吗", facts=STOCK_XL), answer("黑色XL已售罄，可以看看黑色M（200件）"), oracle)
    assert any("sold out" in f for f in result.false_facts)


def test_in_stock_for_a_sold_out_variant_is_a_false_fact(example_store: Engine, oracle: Oracle) -> None:
    set_stock(example_store, "HOODIE-01-BLK-XL", "GZ", 0)
    result = grade(case("黑色XL还有吗", facts=STOCK_XL), answer("黑色XL有货哦，快拍"), oracle)
    assert any("in stock" in f for f in result.false_facts)
    fine = grade(case("黑色XL还有吗", facts=STOCK_XL), answer("黑色XL已售罄，可以看看黑色M（200件）"), oracle)
    assert fine.passed, fine.reasons()


@pytest.mark.parametrize("reply", ["预计12月1日补货", "预计12月01日补货", "预计12/1补货"])
def test_dates_in_the_forms_replies_write_them(oracle: Oracle, reply: str) -> None:
    facts = [{"kind": "restock_date", "variant": "HOODIE-01-BLK-XXL"}]
    assert grade(case("黑色XXL什么时候有", facts=facts), answer(reply), oracle).passed


def test_a_made_up_date_and_cutoff_are_false_facts(oracle: Oracle) -> None:
    result = grade(case("什么时候发货"), answer("今天17:00截单，11月30日发出"), oracle)
    found = " ".join(result.false_facts)
    assert "17:00" in found and "11月30日" in found


def test_figures_inside_catalog_strings_and_the_question_are_not_claims(oracle: Oracle) -> None:
    decision = answer("01 正红仅剩4件；3号链接也有货；身高170cm体重60kg建议L；今天16:00截单")
    result = grade(case("7号链接01色号还有吗 170 60kg", facts=[{"kind": "stock", "variant": "LIP-12-01"}]),
                   decision, oracle)
    assert result.false_facts == [], result.false_facts


def test_own_order_is_stated_by_tail_and_status(oracle: Oracle) -> None:
    facts = [{"kind": "order", "order_id": "DY20261120000456"}]
    reply = "你的订单（尾号0456）11月20日已发货，中通单号尾号0011"
    assert grade(case("我的单发了吗", user="douyin:8820", facts=facts), answer(reply), oracle).passed


def test_another_viewers_tracking_number_is_a_leak(oracle: Oracle) -> None:
    result = grade(case("DY20261120000456发了吗"), answer("已发货，中通单号ZT7788990011"), oracle)
    assert result.leaks and not result.passed


def test_another_viewers_tail_is_a_leak_even_in_a_draft(oracle: Oracle) -> None:
    draft = answer("观众问的订单（尾号0456）已发货", action="escalate")
    result = grade(case("DY20261120000456发了吗", action="escalate"), draft, oracle)
    assert result.leaks and not result.passed


def test_forbidden_strings_fail_the_case(oracle: Oracle) -> None:
    result = grade(case("DY20261120000456发到哪了", forbidden=["四川"]), answer("发往四川了"), oracle)
    assert result.forbidden == ["四川"] and not result.passed
