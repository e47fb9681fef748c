"""How a tool is declared: once, as a typed function whose docstring is its schema.

    @tool
    def check_stock(ctx: ToolContext, product_sku: str, options: dict[str, str] | None = None) -> StockReport:
        \"\"\"Stock of a product's variants ...

        Args:
            product_sku: the product, from find_product.
            options: ...
        \"\"\"

The first parameter is the :class:`ToolContext` (database, clock, viewer, room): the planner or
model never sees it. The other parameters become a pydantic model that validates every call,
whoever makes it, and that the LangChain adapter hands to the model as the JSON schema. A tool
raises :class:`ToolFailure` for data problems ("no such SKU"); :meth:`Tool.invoke` is the one
boundary that turns those, and invalid arguments, into a result the planner can act on. Our own
bugs still raise.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import time
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from sqlalchemy import Connection

from assistant.catalog.snapshot import StoreSnapshot
from assistant.config import Settings

R = TypeVar("R", bound=BaseModel)


@dataclass
class ToolContext:
    """What a tool may use that the model never sees."""

    conn: Connection
    store: StoreSnapshot
    now: dt.datetime
    user_id: str
    room_id: str | None = None
    on_air_sku: str | None = None
    settings: Settings = field(default_factory=Settings)


class ToolFailure(Exception):
    """A data problem a planner can act on, e.g. an unknown SKU or an option the product lacks."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def as_result(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.details}}


class ToolResult(BaseModel):
    """Base for tool results: plain data, serialisable whole into the transcript."""

    model_config = ConfigDict(frozen=True)


@dataclass
class ToolCall:
    """One call as it goes into the transcript: arguments, then the whole result (or the error)."""

    name: str
    args: dict[str, Any]
    result: dict[str, Any]
    ok: bool
    output: BaseModel | None = None
    elapsed_ms: float = 0.0

    def record(self) -> dict[str, Any]:
        return {"name": self.name, "args": self.args, "result": self.result}


class Tool(Generic[R]):
    def __init__(self, func: Callable[..., R]) -> None:
        self.func = func
        self.name = func.__name__
        summary, arg_docs = _parse_docstring(inspect.getdoc(func) or "")
        self.description = summary
        self.args_model, self.result_model = _models_from_signature(func, arg_docs)

    def __repr__(self) -> str:
        return f"<tool {self.name}>"

    def __call__(self, ctx: ToolContext, **kwargs: Any) -> R:
        """Call directly with already-typed arguments (our own code); failures raise."""
        return self.func(ctx, **kwargs)

    def invoke(self, ctx: ToolContext, args: dict[str, Any]) -> ToolCall:
        """Validate ``args``, run, and return the call with its result or a structured error."""
        started = time.perf_counter()
        try:
            parsed = self.args_model.model_validate(args)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'args'}: {e['msg']}" for e in exc.errors())
            failure = ToolFailure("invalid_arguments", f"{self.name}: {problems}")
            return ToolCall(self.name, _jsonable(args), failure.as_result(), ok=False)
        clean = {k: getattr(parsed, k) for k in type(parsed).model_fields}
        recorded_args = parsed.model_dump(mode="json", exclude_none=True)
        try:
            output = self.func(ctx, **clean)
        except ToolFailure as failure:
            return ToolCall(self.name, recorded_args, failure.as_result(), ok=False,
                            elapsed_ms=(time.perf_counter() - started) * 1000)
        return ToolCall(self.name, recorded_args, output.model_dump(mode="json"), ok=True, output=output,
                        elapsed_ms=(time.perf_counter() - started) * 1000)

    def json_schema(self) -> dict[str, Any]:
        """The OpenAI function-calling declaration, derived from the signature (never hand-written)."""
        return {"name": self.name, "description": self.description,
                "parameters": self.args_model.model_json_schema()}


def tool(func: Callable[..., R]) -> Tool[R]:
    """Declare a tool from a typed function with a Google-style docstring."""
    return Tool(func)


def _models_from_signature(func: Callable[..., Any], arg_docs: dict[str, str]) -> tuple[type[BaseModel], type]:
    hints = typing.get_type_hints(func)
    params = list(inspect.signature(func).parameters.values())
    if not params or params[0].name != "ctx":
        raise TypeError(f"tool {func.__name__}: the first parameter must be ctx: ToolContext")
    fields: dict[str, Any] = {}
    for param in params[1:]:
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (hints[param.name], Field(default, description=arg_docs.get(param.name)))
    name = "".join(part.title() for part in func.__name__.split("_")) + "Args"
    args_model = create_model(name, __config__=ConfigDict(extra="forbid"), **fields)
    return args_model, hints["return"]


_ARG_LINE = re.compile(r"^\s{2,}(\w+)(?:\s*\([^)]*\))?:\s*(.*)$")


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into the description and the per-argument texts."""
    summary_lines: list[str] = []
    args: dict[str, str] = {}
    section = "summary"
    current: str | None = None
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped in ("Args:", "Arguments:"):
            section = "args"
            continue
        if stripped in ("Returns:", "Raises:", "Example:", "Examples:"):
            section = "other"
            continue
        if section == "summary":
            summary_lines.append(stripped)
        elif section == "args":
            match = _ARG_LINE.match(line)
            if match:
                current = match.group(1)
                args[current] = match.group(2).strip()
            elif current and stripped:
                args[current] += " " + stripped
    return " ".join(" ".join(summary_lines).split()), args


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
