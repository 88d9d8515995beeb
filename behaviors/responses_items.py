"""Responses API items: the request's input (a string or a list of items) read as chat messages, so the chat
building blocks (prompt counting, tool planning, final answers) serve the Responses API too; the items in the
shape they are stored and listed with (ids and statuses added); and the request's tools and tool_choice in the
chat shape `tools.plan_calls` takes. Pure functions over JSON data, except that item references are resolved
through a callback."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fakeai.errors import APIError
from fakeai.ids import hex_id

_NAME = re.compile(r"[a-zA-Z0-9_-]{1,128}")
Resolve = Callable[[str], dict[str, Any] | None]

# id prefixes of OpenAI's item kinds
PREFIX = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "reasoning": "rs",
    "file_search_call": "fs",
    "web_search_call": "ws",
}


def new_id(prefix: str) -> str:
    """An OpenAI-looking id: the prefix and 48 hex digits (random, unique)."""
    return f"{prefix}_{hex_id(48)}"


def kind_of(item: dict[str, Any]) -> str:
    """The item's type; EasyInputMessage may leave it out."""
    kind = item.get("type")
    if isinstance(kind, str):
        return kind
    return "message" if "role" in item else "item_reference"


def input_list(value: Any) -> list[dict[str, Any]]:
    """The request's `input` as a list of items (a string is one user message)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    return [item for item in value if isinstance(item, dict)]


def resolved(items: list[dict[str, Any]], resolve: Resolve) -> list[dict[str, Any]]:
    """Item references replaced by the items they name (404 for an unknown id, as OpenAI answers)."""
    out = []
    for item in items:
        if kind_of(item) == "item_reference":
            found = resolve(str(item.get("id", "")))
            if found is None:
                raise APIError(
                    404,
                    f"Item with id '{item.get('id')}' not found. Items are not persisted when `store` is set to false.",
                    param="input",
                )
            out.append(found)
        else:
            out.append(item)
    return out


# ---------------------------------------------------------------------------------------------------- as chat
def to_messages(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages for resolved items: messages keep their role and content parts, function calls become an
    assistant message's tool_calls, function_call_output items tool messages; reasoning and built-in tool
    calls add no text."""
    messages: list[dict[str, Any]] = []
    for item in items:
        kind = kind_of(item)
        if kind == "message":
            messages.append({"role": item.get("role", "user"), "content": _counted(item.get("content"))})
        elif kind == "function_call":
            call = {
                "id": item.get("call_id") or item.get("id") or "",
                "type": "function",
                "function": {"name": item.get("name", ""), "arguments": item.get("arguments", "")},
            }
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "assistant" and last.get("tool_calls") and not last.get("content"):
                last["tool_calls"].append(call)  # parallel calls: one assistant turn
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            messages.append({"role": "tool", "tool_call_id": item.get("call_id") or "", "content": item.get("output")})
    return messages


def _counted(content: Any) -> Any:
    """Content parts as prompt.py counts them: detail "original" (no downscaling) is priced like "high"."""
    if not isinstance(content, list):
        return content
    return [{**p, "detail": "high"} if isinstance(p, dict) and p.get("detail") == "original" else p for p in content]


# ---------------------------------------------------------------------------------------------- stored shape
def _input_part(part: Any) -> Any:
    if isinstance(part, dict) and part.get("type") == "input_image" and not part.get("detail"):
        return {**part, "detail": "auto"}
    return part


def _output_part(part: dict[str, Any]) -> dict[str, Any]:
    """A part of an assistant message given as input, as an output message part (text parts as output_text)."""
    if part.get("type") in ("output_text", "input_text"):
        return {"annotations": [], "logprobs": [], **part, "type": "output_text"}
    return part


def stored_item(item: dict[str, Any]) -> dict[str, Any]:
    """An input item as it is stored and listed: with an id and a status, content always a list of parts."""
    kind = kind_of(item)
    out = {k: v for k, v in item.items() if v is not None}
    out["type"] = kind
    out["id"] = item.get("id") or new_id(PREFIX.get(kind, "item"))
    if kind == "message":
        content = item.get("content")
        if item.get("role") == "assistant":
            text = content if isinstance(content, str) else None
            parts = [{"type": "output_text", "text": text}] if text is not None else list(content or [])
            out["content"] = [_output_part(p) for p in parts]
        elif isinstance(content, str):
            out["content"] = [{"type": "input_text", "text": content}]
        else:
            out["content"] = [_input_part(p) for p in content or []]
    if kind in ("message", "function_call", "function_call_output"):
        out["status"] = item.get("status") or "completed"
    return out


# ------------------------------------------------------------------------------------------------- tools
def function_tools(tools: Any) -> list[dict[str, Any]]:
    """The request's function tools in the Responses shape (the chat shape, a fakeai leniency, flattened)."""
    out = []
    for tool in tools or []:
        if not isinstance(tool, dict) or tool.get("type") != "function":
            continue
        fn = tool["function"] if isinstance(tool.get("function"), dict) else tool
        out.append(
            {
                "type": "function",
                "name": fn.get("name", ""),
                "description": fn.get("description"),
                "parameters": fn.get("parameters"),
                "strict": fn.get("strict") if fn.get("strict") is not None else True,
            }
        )
    return out


def echo_tools(tools: Any) -> list[dict[str, Any]]:
    """The tools as the Response object reports them: function tools flattened (a chat-shaped one whose name
    a flat tool could not carry stays as given), built-in tools as given."""
    out = []
    for tool, flat in zip(tools or [], _flattened(tools), strict=True):
        out.append(flat if flat is not None and _NAME.fullmatch(flat["name"]) else tool)
    return out


def _flattened(tools: Any) -> list[dict[str, Any] | None]:
    flat = iter(function_tools(tools))
    return [next(flat) if isinstance(t, dict) and t.get("type") == "function" else None for t in tools or []]


def chat_tools(req: dict[str, Any]) -> dict[str, Any]:
    """tools, tool_choice and parallel_tool_calls in the chat shape, for tools.plan_calls."""
    fns = function_tools(req.get("tools"))
    choice = req.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        allowed = {t.get("name") for t in choice.get("tools") or [] if isinstance(t, dict)}
        fns = [f for f in fns if f["name"] in allowed]
        choice = {"type": "allowed_tools", "allowed_tools": {"mode": choice.get("mode", "auto")}}
    elif isinstance(choice, dict) and choice.get("type") != "function":
        choice = "auto"  # a built-in tool is chosen: fakeai runs no built-in tools, so the model decides
    out: dict[str, Any] = {}
    if fns:
        out["tools"] = [
            {
                "type": "function",
                "function": {k: f[k] for k in ("name", "description", "parameters") if f[k] is not None},
            }
            for f in fns
        ]
        if choice is not None:
            out["tool_choice"] = choice
    if req.get("parallel_tool_calls") is False:
        out["parallel_tool_calls"] = False
    return out


def call_item(call: dict[str, Any], status: str = "completed") -> dict[str, Any]:
    """A chat tool call as a Responses function_call item."""
    fn = call["function"]
    return {
        "id": new_id("fc"),
        "type": "function_call",
        "status": status,
        "arguments": fn["arguments"],
        "call_id": call["id"],
        "name": fn["name"],
    }
