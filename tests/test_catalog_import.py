"""Catalog import: validated whole, written in one transaction, idempotent."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import Engine, select

from assistant import models
from assistant.catalog.importer import import_catalog, parse_catalog, validate_catalog
from assistant.errors import CatalogError, StorageError
from tests.conftest import DEMO_CATALOG, ENGLISH_CATALOG, EXAMPLE_CATALOG, load_json


def dump(engine: Engine) -> dict:
    """Everything the catalog writes, as plain data (timestamps left out)."""
    tables = {
        "warehouses": models.Warehouse, "transit": models.TransitRule, "products": models.Product,
        "variants": models.Variant, "stock": models.Stock, "orders": models.Order, "items": models.OrderItem,
        "faqs": models.Faq, "store": models.Store,
    }
    state = {}
    with engine.connect() as conn:
        for name, model in tables.items():
            table = model.__table__
            columns = [c for c in table.columns if c.name not in ("id", "updated_at")]
            rows = conn.execute(select(*columns)).all()
            state[name] = sorted(json.dumps(list(r), default=str, ensure_ascii=False) for r in rows)
    return state


def test_importing_the_same_file_twice_changes_nothing(engine):
    catalog, warnings = validate_catalog(load_json(EXAMPLE_CATALOG))
    first = import_catalog(engine, catalog)
    before = dump(engine)
    second = import_catalog(engine, catalog)
    assert first.changed and not second.changed
    assert second.stock_changes == 0
    assert dump(engine) == before


def test_the_demo_store_and_the_english_store_import(engine):
    for path in (DEMO_CATALOG, ENGLISH_CATALOG):
        catalog, warnings = validate_catalog(load_json(path))
        assert warnings == []
        report = import_catalog(engine, catalog)
        assert report.products >= 20 and report.variants >= 150


@pytest.mark.parametrize("mutate, path", [
    (lambda d: d["products"][0]["variants"][1]["stock"].update(HZ=-3), "products[0].variants[1].stock.HZ"),
    (lambda d: d["products"][0].pop("title"), "products[0].title"),
    (lambda d: d["products"][1].update(price="free"), "products[1].price"),
    (lambda d: d["warehouses"][0].update(cutoff_local="4pm"), "warehouses[0].cutoff_local"),
    (lambda d: d["products"][2]["variants"][0]["stock"].update(XX=5), "products[2].variants[0].stock.XX"),
    (lambda d: d["orders"][0]["items"][0].update(sku="NOPE"), "orders[0].items[0].sku"),
    (lambda d: d["products"][1].update(link_no=3), "products[1].link_no"),
    (lambda d: d["transit"][0].update(days_min=5, days_max=2), "transit[0]"),
    (lambda d: d["store"].update(timezone="Mars/Olympus"), "store.timezone"),
])
def test_a_bad_file_is_refused_whole_naming_the_bad_field(engine, mutate, path):
    document = load_json(EXAMPLE_CATALOG)
    mutate(document)
    with pytest.raises(CatalogError) as refused:
        validate_catalog(document)
    assert any(p == path for p, _ in refused.value.problems), refused.value.problems
    assert path in str(refused.value)


def test_nothing_is_half_written_when_the_database_refuses_part_of_an_import(engine):
    catalog, _ = validate_catalog(load_json(EXAMPLE_CATALOG))
    import_catalog(engine, catalog)
    before = dump(engine)
    document = load_json(EXAMPLE_CATALOG)
    document["products"][0]["title"] = "改过的标题"
    document["products"][0]["variants"][0]["stock"]["HZ"] = 1
    # A stock figure the database's own check refuses, reached only after products were written.
    changed, _ = validate_catalog(document)
    changed.products[2].variants[0].stock["HZ"] = -1
    with pytest.raises(StorageError):
        import_catalog(engine, changed)
    assert dump(engine) == before


def test_unknown_fields_are_warnings_not_errors(engine):
    document = load_json(EXAMPLE_CATALOG)
    document["products"][0]["erp_category_id"] = 42
    document["warehouses"][0]["manager"] = "王经理"
    catalog, warnings = validate_catalog(document)
    assert "unknown field ignored: products[0].erp_category_id" in warnings
    assert "unknown field ignored: warehouses[0].manager" in warnings


def test_not_json_is_refused_with_a_clear_message():
    with pytest.raises(CatalogError, match="not valid JSON"):
        parse_catalog(b"{ this is not json")


def test_skus_may_be_all_digits_and_numbers_in_json(engine):
    document = load_json(EXAMPLE_CATALOG)
    document["products"][0]["sku"] = 123456
    document["products"][0]["variants"][2]["sku"] = 1234567
    catalog, _ = validate_catalog(document)
    import_catalog(engine, catalog)
    with engine.connect() as conn:
        assert conn.execute(select(models.Product.sku).where(models.Product.sku == "123456")).scalar() == "123456"


def test_reimport_sets_stock_to_the_files_figures_and_moves_link_numbers(engine):
    document = load_json(EXAMPLE_CATALOG)
    catalog, _ = validate_catalog(document)
    import_catalog(engine, catalog)
    changed = copy.deepcopy(document)
    changed["products"][0]["variants"][0]["stock"] = {"HZ": 7}  # GZ no longer listed: zero there
    changed["products"][0]["link_no"], changed["products"][1]["link_no"] = 5, 3
    catalog, _ = validate_catalog(changed)
    report = import_catalog(engine, catalog)
    assert report.changed
    with engine.connect() as conn:
        stock = dict(conn.execute(select(models.Stock.warehouse_code, models.Stock.qty)
                                  .where(models.Stock.variant_sku == "HOODIE-01-BLK-M")).all())
        links = dict(conn.execute(select(models.Product.sku, models.Product.link_no)).all())
    assert stock == {"HZ": 7, "GZ": 0}
    assert links["HOODIE-01"] == 5 and links["DOWN-07"] == 3


def test_replace_removes_what_the_file_no_longer_lists(engine):
    document = load_json(EXAMPLE_CATALOG)
    import_catalog(engine, validate_catalog(document)[0])
    document["products"] = document["products"][:1]
    document["orders"] = [o for o in document["orders"] if o["items"][0]["sku"].startswith("HOODIE")]
    import_catalog(engine, validate_catalog(document)[0], prune=True)
    with engine.connect() as conn:
        assert conn.execute(select(models.Product.sku)).scalars().all() == ["HOODIE-01"]
