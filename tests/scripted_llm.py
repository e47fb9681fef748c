"""A real HTTP server that speaks the OpenAI chat-completions protocol from a script.

Tests queue replies — tool calls (well-formed or not), text, HTTP errors, slow answers — and the
real LangChain/openai client talks to it over loopback. Every request is kept for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], tuple[int, dict[str, Any], float]]


def tool_call(name: str, args: dict[str, Any] | str, call_id: str = "call_1") -> Reply:
    arguments = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    message = {"role": "assistant", "content": None,
               "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}]}
    return lambda _request: (200, _completion(message, "tool_calls"), 0.0)


def say(text: str) -> Reply:
    return lambda _request: (200, _completion({"role": "assistant", "content": text}, "stop"), 0.0)


def fail(status: int) -> Reply:
    return lambda _request: (status, {"error": {"message": f"scripted {status}", "type": "server_error"}}, 0.0)


def slow(seconds: float, then: Reply) -> Reply:
    def reply(request: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        status, body, _ = then(request)
        return status, body, seconds
    return reply


def _completion(message: dict[str, Any], finish: str) -> dict[str, Any]:
    return {"id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()),
            "model": "scripted", "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}


class ScriptedLLM:
    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                with outer._lock:
                    outer.requests.append(body)
                    step = outer.script.pop(0) if outer.script else say("ESCALATE: script exhausted")
                status, payload, delay = step(body)
                if delay:
                    time.sleep(delay)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a deadline test)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def __enter__(self) -> ScriptedLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
