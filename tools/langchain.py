"""The same tools as LangChain tools, bound to one message's context.

LangChain is imported only here, and only when an LLM planner asks for tools, so the offline path
never pays for it. Every call goes through :meth:`Tool.invoke` (validation, error results) and is
appended to ``calls`` for the transcript, whoever made it.
"""

from __future__ import annotations

from typing import Any

from tools.base import Tool, ToolCall, ToolContext
from tools.registry import ALL_TOOLS


def langchain_tools(ctx: ToolContext, calls: list[ToolCall], tools: tuple[Tool, ...] = ALL_TOOLS) -> list[Any]:
    from langchain_core.tools import StructuredTool

    def bind(tool: Tool) -> StructuredTool:
        def run(**kwargs: Any) -> dict[str, Any]:
            call = tool.invoke(ctx, kwargs)
            calls.append(call)
            return call.result

        return StructuredTool.from_function(func=run, name=tool.name, description=tool.description,
                                            args_schema=tool.args_model)

    return [bind(t) for t in tools]
