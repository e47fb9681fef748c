"""The LLM planner: a chat model with the tools bound answers what the offline planner could not.

One turn is a short loop — the model asks for tool calls, we run them (validated, through the same
``Tool.invoke`` as the offline planner), the results go back, until it writes a reply — bounded by a
deadline (the live room never waits longer) and a token budget. The viewer's words go in as data,
never as instructions. Endpoint trouble (time-outs, 429s, 5xx, broken or invented tool calls) is
retried while the deadline allows and then reported, so the pipeline keeps its offline answer or
escalates. openai/LangChain errors become :class:`LLMUnavailable` here and nowhere else.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from assistant.config import Settings
from assistant.llm.tokens import TokenCounter
from assistant.prompts import text as prompt_text
from assistant.understand import Understanding
from tools.base import ToolCall, ToolContext, ToolFailure
from tools.registry import ALL_TOOLS, TOOLS

log = logging.getLogger(__name__)

ESCALATE = "ESCALATE:"


class LLMUnavailable(Exception):
    """The endpoint could not give an answer in time (kind: timeout, rate_limited, server_error, …)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass
class Usage:
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    rounds: int = 0
    retries: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    error: str | None = None

    def record(self) -> dict[str, Any]:
        return {"model": self.model, "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "rounds": self.rounds, "retries": self.retries, "cost_usd": round(self.cost_usd, 6),
                "seconds": round(self.seconds, 3), "error": self.error}


@dataclass
class LLMReply:
    text: str
    """The model's reply, or "" when it asked for a person (``escalate``)."""
    escalate: bool
    reason: str
    calls: list[ToolCall] = field(default_factory=list)
    usage: Usage | None = None


def configured(settings: Settings) -> bool:
    """An endpoint is set up: OPENAI_BASE_URL or OPENAI_API_KEY, and a model name."""
    return bool(settings.llm_model and (os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_KEY")))


class LLMResponder:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model = settings.llm_model or "gpt-4o-mini"
        self.base_url = os.environ.get("OPENAI_BASE_URL")
        self.api_key = os.environ.get("OPENAI_API_KEY") or "not-needed"
        self.counter = TokenCounter(self.model, settings.data_dir)
        # Importing LangChain's OpenAI client and building the tool schemas take seconds: pay that
        # here, when the assistant is built, not out of the first viewer's deadline.
        import langchain_openai  # noqa: F401

        _schemas()

    # --- one turn ---------------------------------------------------------------------------------

    def respond(self, understood: Understanding, ctx: ToolContext, *, lang: str) -> LLMReply:
        """Answer one viewer message with tools, within the deadline.

        Raises:
            LLMUnavailable: no usable reply in time; ``usage`` of what was spent is on the exception.
        """
        started = time.monotonic()
        deadline = started + self.settings.llm_deadline_seconds
        usage = Usage(self.model)
        calls: list[ToolCall] = []
        messages = self._opening(understood, ctx, lang)
        try:
            for _ in range(self.settings.llm_max_rounds):
                usage.rounds += 1
                self._fit_budget(messages)
                usage.prompt_tokens += self.counter.messages(messages)
                answer = self._ask(messages, deadline, usage)
                usage.completion_tokens += self.counter.count(answer["content"] or "") + self.counter.count(
                    json.dumps(answer["tool_calls"], ensure_ascii=False))
                requests = answer["tool_calls"] or _tool_calls_in_text(answer["content"] or "")
                if not requests:
                    return self._final(answer["content"] or "", calls, usage, started)
                messages.append({"role": "assistant", "content": answer["content"] or "", "tool_calls": requests})
                for request in requests:
                    messages.append(self._run(request, ctx, calls))
            raise LLMUnavailable("too_many_rounds", f"no reply after {self.settings.llm_max_rounds} rounds")
        except LLMUnavailable as exc:
            usage.error = exc.kind
            usage.seconds = time.monotonic() - started
            usage.cost_usd = self._cost(usage)
            exc.usage = usage  # type: ignore[attr-defined]
            exc.calls = calls  # type: ignore[attr-defined]
            raise

    def _final(self, content: str, calls: list[ToolCall], usage: Usage, started: float) -> LLMReply:
        usage.seconds = time.monotonic() - started
        usage.cost_usd = self._cost(usage)
        reply = content.strip()
        if reply.upper().startswith(ESCALATE) or not reply:
            reason = reply[len(ESCALATE):].strip() if reply.upper().startswith(ESCALATE) else "empty reply"
            return LLMReply("", True, reason or "the model asked for a person", calls, usage)
        return LLMReply(reply, False, "answered", calls, usage)

    def _cost(self, usage: Usage) -> float:
        return (usage.prompt_tokens * self.settings.llm_price_in_per_1k
                + usage.completion_tokens * self.settings.llm_price_out_per_1k) / 1000

    # --- the conversation ---------------------------------------------------------------------------

    def _opening(self, understood: Understanding, ctx: ToolContext, lang: str) -> list[dict[str, Any]]:
        store = ctx.store
        product = store.products.get(ctx.on_air_sku or "")
        system = prompt_text("en", "system", document="llm").format(
            store=store.name, now=ctx.now.astimezone(store.zone).strftime("%Y-%m-%d %H:%M %Z"),
            language="Chinese (简体中文)" if lang == "zh" else "English",
            on_air=f"{product.title} (sku {product.sku}, link {product.link_no})" if product else "nothing",
            escalate=ESCALATE, max_chars=60 if lang == "zh" else 160,
        )
        examples = prompt_text("en", "examples", document="llm").format(escalate=ESCALATE)
        # The viewer's words are data: wrapped, labelled, and never placed where instructions go.
        viewer = json.dumps({"viewer_message": understood.text, "viewer_language": lang,
                             "reading": {"intent": understood.intent, "product": understood.product_sku,
                                         "options": understood.options}}, ensure_ascii=False)
        return [{"role": "system", "content": system + "\n\n" + examples},
                {"role": "user", "content": prompt_text("en", "viewer", document="llm").format(data=viewer)}]

    def _fit_budget(self, messages: list[dict[str, Any]]) -> None:
        """Keep the prompt within the budget by cutting the longest tool results first."""
        budget = self.settings.llm_max_prompt_tokens
        while self.counter.messages(messages) > budget:
            tools = [m for m in messages if m["role"] == "tool"]
            if not tools:
                return
            longest = max(tools, key=lambda m: len(m["content"]))
            size = self.counter.count(longest["content"])
            if size <= 64:
                return
            longest["content"] = self.counter.trim(longest["content"], size // 2) + " …(cut)"

    def _run(self, request: dict[str, Any], ctx: ToolContext, calls: list[ToolCall]) -> dict[str, Any]:
        """Run one requested tool call; a bad name or bad arguments go back to the model as an error."""
        name = request.get("name", "")
        tool = TOOLS.get(name)
        if tool is None:
            failure = ToolFailure("unknown_tool", f"there is no tool named {name!r}; tools: {', '.join(TOOLS)}")
            call = ToolCall(name, {}, failure.as_result(), ok=False)
        elif not isinstance(request.get("args"), dict):
            failure = ToolFailure("invalid_arguments", f"{name}: arguments must be a JSON object")
            call = ToolCall(name, {}, failure.as_result(), ok=False)
        else:
            call = tool.invoke(ctx, request["args"])
        calls.append(call)
        return {"role": "tool", "tool_call_id": request.get("id") or f"call_{len(calls)}",
                "content": json.dumps(call.result, ensure_ascii=False, default=str)}

    # --- the endpoint ------------------------------------------------------------------------------------

    def _ask(self, messages: list[dict[str, Any]], deadline: float, usage: Usage) -> dict[str, Any]:
        """One chat completion, retried on time-outs, 429s and 5xx while the deadline allows."""
        delay = 0.2
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                raise LLMUnavailable("timeout", "the deadline passed")
            try:
                return self._complete(messages, remaining)
            except LLMUnavailable as exc:
                if exc.kind not in ("timeout", "rate_limited", "server_error", "connection"):
                    raise
                if deadline - time.monotonic() <= delay + 0.1:
                    raise
                usage.retries += 1
                log.info("LLM %s; retrying in %.1fs", exc.kind, delay)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _complete(self, messages: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
        import openai
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
        from langchain_openai import ChatOpenAI

        chat = ChatOpenAI(model=self.model, base_url=self.base_url, api_key=self.api_key, timeout=timeout,
                          max_retries=0, temperature=0,
                          max_tokens=self.settings.llm_max_reply_tokens)
        bound = chat.bind_tools(_schemas())
        converted: list[Any] = []
        for m in messages:
            if m["role"] == "system":
                converted.append(SystemMessage(m["content"]))
            elif m["role"] == "user":
                converted.append(HumanMessage(m["content"]))
            elif m["role"] == "assistant":
                converted.append(AIMessage(m["content"], tool_calls=[
                    {"name": c["name"], "args": c.get("args") if isinstance(c.get("args"), dict) else {},
                     "id": c.get("id") or f"call_{i}"} for i, c in enumerate(m.get("tool_calls") or [])]))
            else:
                converted.append(ToolMessage(m["content"], tool_call_id=m["tool_call_id"]))
        try:
            answer = bound.invoke(converted)
        except openai.APITimeoutError as exc:
            raise LLMUnavailable("timeout", str(exc)) from exc
        except openai.RateLimitError as exc:
            raise LLMUnavailable("rate_limited", str(exc)) from exc
        except openai.InternalServerError as exc:
            raise LLMUnavailable("server_error", str(exc)) from exc
        except openai.APIConnectionError as exc:
            raise LLMUnavailable("connection", str(exc)) from exc
        except openai.APIStatusError as exc:
            raise LLMUnavailable("refused", f"HTTP {exc.status_code}") from exc
        except (ValueError, KeyError, TypeError) as exc:  # a reply LangChain cannot read
            raise LLMUnavailable("malformed_reply", str(exc)) from exc
        requests = [{"name": c["name"], "args": c["args"], "id": c.get("id")} for c in answer.tool_calls]
        # Tool calls whose arguments are not valid JSON: sent back to the model as errors.
        requests += [{"name": c.get("name") or "", "args": None, "id": c.get("id")}
                     for c in getattr(answer, "invalid_tool_calls", [])]
        content = answer.content if isinstance(answer.content, str) else json.dumps(answer.content)
        return {"content": content, "tool_calls": requests}


_SCHEMAS: list[Any] = []


def _schemas() -> list[Any]:
    """The tools as LangChain sees them, built once: only their schemas are sent; we run the tools."""
    if not _SCHEMAS:
        from tools.langchain import langchain_tools

        _SCHEMAS.extend(langchain_tools(None, [], ALL_TOOLS))  # type: ignore[arg-type]
    return _SCHEMAS


def _tool_calls_in_text(content: str) -> list[dict[str, Any]]:
    """Tool calls a small local model wrote as JSON in its text instead of ``tool_calls``.

    Qwen-style models answer ``{"name": "check_stock", "arguments": {...}}``, bare, in a code fence or
    in ``<tool_call>`` tags, one or several. An object counts only when it has both a tool name and
    arguments; a name that is not a bound tool is still returned, so it is refused like an invented
    native call (``unknown_tool``) rather than posted to the viewer as a reply. Anything else is text.
    """
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    at = content.find("{")
    while at != -1:
        try:
            item, end = decoder.raw_decode(content, at)
        except ValueError:
            at = content.find("{", at + 1)
            continue
        call = _as_call(item)
        if call is not None:
            found.append(call)
        at = content.find("{", end)
    return found


def _as_call(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    function = item.get("function")
    if isinstance(function, dict):  # the OpenAI wire shape written out as text
        item = function
    name = item.get("name") if isinstance(item.get("name"), str) else item.get("tool")
    keys = [k for k in ("arguments", "args", "parameters") if k in item]
    if not isinstance(name, str) or not name or not keys:
        return None
    args = item[keys[0]]
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            args = None  # goes back to the model as invalid_arguments
    return {"name": name, "args": args if isinstance(args, dict) else None, "id": None}
