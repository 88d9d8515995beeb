"""The Responses API: createResponse as JSON, as server-sent events, or in the background.

A request is read as a chat request (instructions, earlier turns of previous_response_id, input items; tools,
tool_choice, text.format, max_output_tokens, reasoning.effort, logprobs) and planned by the chat planner, so
text, tool calls, structured JSON and final answers after function_call_output come from the same building
blocks. The plan becomes output items: a `reasoning` item first for reasoning models (its text as
reasoning_text content, summary parts when reasoning.summary asks, encrypted_content when include asks), then
`function_call` items or one `message` with an `output_text` part.
"""

from __future__ import annotations

import base64
import random
import time
from dataclasses import dataclass, field
from typing import Any

from fakeai.context import Context, EventStream
from fakeai.errors import APIError
from fakeai.registry import serves

from . import chat, responses_store, structured, tools
from .catalog import ModelInfo
from .latency import engine
from .prompt import last_user_text
from .responses_items import call_item, chat_tools, echo_tools, input_list, new_id, resolved, stored_item, to_messages
from .responses_stream import events
from .sim import tokenizer
from .sim.textgen import pick_keywords
from .usage import record_usage

LOGPROBS = "message.output_text.logprobs"
ENCRYPTED = "reasoning.encrypted_content"
# `model` is optional in the API (a stored prompt template may name it); fakeai answers with this one
DEFAULT_MODEL = "gpt-4.1"
_SUMMARY_VERBS = ("Explaining", "Considering", "Outlining", "Clarifying", "Planning", "Weighing", "Structuring")


@dataclass
class Turn:
    """One planned create request: what its JSON, streamed, stored and background forms share."""

    id: str
    created_at: int
    req: dict[str, Any]
    model: ModelInfo
    input_items: list[dict[str, Any]]  # this turn's input, as stored
    context: list[dict[str, Any]]  # the earlier turns' items (previous_response_id)
    input_tokens: int
    output: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[list[str]] = field(default_factory=list)  # the streamed pieces of each output item
    output_tokens: int = 0
    reasoning_tokens: int = 0
    incomplete: bool = False
    completed_at: int | None = None

    @property
    def steps(self) -> int:
        """Tokens that fall due on the latency schedule (reasoning, text and argument pieces)."""
        return sum(len(t) for t in self.tokens)

    def usage(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": self.output_tokens,
            "output_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
            "total_tokens": self.input_tokens + self.output_tokens,
        }

    def response(self, status: str | None = None) -> dict[str, Any]:
        """The Response object: finished (status None) with output and usage, or as it stands at `status`."""
        req = self.req
        final = status is None
        if final and self.completed_at is None:
            self.completed_at = int(time.time())
        reasoning = req.get("reasoning") or {}
        summary = reasoning.get("summary") or reasoning.get("generate_summary")
        tier = req.get("service_tier")
        body: dict[str, Any] = {
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": status or ("incomplete" if self.incomplete else "completed"),
            "background": bool(req.get("background")),
            "completed_at": self.completed_at if final else None,
            "error": None,
            "incomplete_details": {"reason": "max_output_tokens"} if final and self.incomplete else None,
            "instructions": req.get("instructions"),
            "max_output_tokens": req.get("max_output_tokens"),
            "max_tool_calls": req.get("max_tool_calls"),
            "model": req.get("model") or self.model.id,
            "output": self.output if final else [],
            "parallel_tool_calls": req.get("parallel_tool_calls") is not False,
            "previous_response_id": req.get("previous_response_id"),
            "prompt_cache_key": req.get("prompt_cache_key"),
            "reasoning": {
                "effort": (reasoning.get("effort") or "medium") if self.model.reasoning else reasoning.get("effort"),
                "summary": summary,
            },
            "safety_identifier": req.get("safety_identifier"),
            "service_tier": "default" if tier in (None, "auto") else tier,
            "store": req.get("store") is not False,
            "temperature": 1.0 if req.get("temperature") is None else req["temperature"],
            "text": {
                "format": (req.get("text") or {}).get("format") or {"type": "text"},
                "verbosity": (req.get("text") or {}).get("verbosity") or "medium",
            },
            "tool_choice": req.get("tool_choice") or "auto",
            "tools": echo_tools(req.get("tools")),
            "top_logprobs": req.get("top_logprobs") or 0,
            "top_p": 1.0 if req.get("top_p") is None else req["top_p"],
            "truncation": req.get("truncation") or "disabled",
            "metadata": req.get("metadata") or {},
        }
        if final:
            body["usage"] = self.usage()
        for key in ("user", "prompt", "prompt_cache_retention"):
            if req.get(key) is not None:
                body[key] = req[key]
        return body


def chat_request(req: dict[str, Any], messages: list[dict[str, Any]], fmt: Any) -> dict[str, Any]:
    """The Responses request in the shape chat.plan takes."""
    out: dict[str, Any] = {"model": req.get("model") or DEFAULT_MODEL, "messages": messages, **chat_tools(req)}
    if fmt is not None:
        rf = (req.get("text") or {}).get("format") or {}
        out["response_format"] = (
            {"type": "json_schema", "json_schema": {k: v for k, v in rf.items() if k != "type"}}
            if fmt.kind == "json_schema"
            else {"type": "json_object"}
        )
    for ours, theirs in (("max_output_tokens", "max_completion_tokens"), ("temperature", "temperature")):
        if req.get(ours) is not None:
            out[theirs] = req[ours]
    effort = (req.get("reasoning") or {}).get("effort")
    if effort:
        out["reasoning_effort"] = effort
    top = int(req.get("top_logprobs") or 0)
    if top or LOGPROBS in (req.get("include") or []):
        out.update(logprobs=True, top_logprobs=top)
    return out


def plan(ctx: Context, req: dict[str, Any]) -> Turn:
    if req.get("conversation"):
        conv = req["conversation"]
        conv_id = conv.get("id") if isinstance(conv, dict) else conv
        raise APIError(404, f"Conversation with id '{conv_id}' not found.", param="conversation")
    services = ctx.services
    context = responses_store.context_of(services, req.get("previous_response_id"))
    items = [
        stored_item(i) for i in resolved(input_list(req.get("input")), lambda i: responses_store.item(services, i))
    ]
    messages = to_messages(context + items)
    if req.get("instructions"):
        messages.insert(0, {"role": "developer", "content": req["instructions"]})
    fmt = structured.response_format((req.get("text") or {}).get("format"), param="text.format")
    try:
        p = chat.plan(ctx, chat_request(req, messages, fmt))
    except APIError as e:
        if e.code == "context_length_exceeded":
            e.param = "input"
        raise
    turn = Turn(new_id("resp"), int(time.time()), req, p.model, items, context, p.prompt.total)
    topic = last_user_text(messages) if messages else ""
    _outputs(turn, p.choices[0], topic or str(req.get("instructions") or ""), ctx.rng("responses"))
    return turn


def _outputs(turn: Turn, choice: chat.Choice, topic: str, rng: random.Random) -> None:
    """The output items of the planned choice, their streamed pieces and the token counts."""
    req = turn.req
    ans = choice.answer
    if ans.reasoning:
        turn.output.append(_reasoning_item(ans.reasoning_text, req, topic, rng))
        turn.tokens.append(ans.reasoning)
    turn.reasoning_tokens = used = len(ans.reasoning)
    limit = req.get("max_output_tokens")
    if choice.tool_calls:
        for call in choice.tool_calls:
            cost = tools.call_tokens(call["function"])
            if limit is not None and used + cost > limit:  # max_output_tokens is a hard cap, calls included
                turn.incomplete = True
                break
            used += cost
            turn.output.append(call_item(call))
            turn.tokens.append(tokenizer.tokenize(call["function"]["arguments"]))
    elif ans.tokens or not ans.reasoning:
        turn.incomplete = ans.finish_reason == "length"
        used += len(ans.tokens)
        part = {"type": "output_text", "text": ans.text, "annotations": [], "logprobs": choice.logprobs or []}
        status = "incomplete" if turn.incomplete else "completed"
        turn.output.append(
            {"id": new_id("msg"), "type": "message", "status": status, "role": "assistant", "content": [part]}
        )
        turn.tokens.append(ans.tokens)
    else:
        turn.incomplete = ans.finish_reason == "length"  # the reasoning used the whole budget
    turn.output_tokens = used


def _reasoning_item(text: str, req: dict[str, Any], topic: str, rng: random.Random) -> dict[str, Any]:
    """The reasoning item: the full text as reasoning_text content (as open-weight models report it), summary
    parts drawn from its paragraphs when reasoning.summary is set, encrypted_content when include asks."""
    reasoning = req.get("reasoning") or {}
    mode = reasoning.get("summary") or reasoning.get("generate_summary")
    summary = []
    if mode:
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        keywords = pick_keywords(topic, 3) or ["the question"]
        wanted = 1 if mode == "concise" else min(3, len(paragraphs))
        for i, para in enumerate(paragraphs[:wanted]):
            sentences = para.replace("! ", ". ").split(". ")
            gist = ". ".join(sentences[:2]).rstrip(".") + "."
            heading = f"{rng.choice(_SUMMARY_VERBS)} {keywords[i % len(keywords)]}"
            summary.append({"type": "summary_text", "text": f"**{heading}**\n\n{gist}"})
    item: dict[str, Any] = {
        "id": new_id("rs"),
        "type": "reasoning",
        "summary": summary,
        "content": [{"type": "reasoning_text", "text": text}],
    }
    if ENCRYPTED in (req.get("include") or []):
        blob = rng.randbytes(48 + len(text) // 3)
        item["encrypted_content"] = "gAAAAA" + base64.urlsafe_b64encode(blob).decode()
    return item


@serves("createResponse")
async def create_response(_: Any, ctx: Context) -> Any:
    req = ctx.data
    stored = req.get("store") is not False
    if req.get("background") and not stored:
        raise APIError(400, "Background responses must be stored: leave store unset or set it to true.", param="store")
    turn = plan(ctx, req)
    schedule = engine(ctx).schedule(turn.model, turn.input_tokens, ctx.rng("latency"), arrival=ctx.received)
    record_usage(ctx, turn.model, turn.input_tokens, turn.output_tokens)
    if req.get("background"):
        return await responses_store.start_background(ctx.services, turn, schedule, stream=bool(req.get("stream")))
    if req.get("stream"):
        stream = events(turn, schedule)
        if stored:
            stream = responses_store.saving(ctx.services, turn, stream)
        return EventStream(stream, done=False, event_field="type")
    if not schedule.zero:
        await schedule.first_token()
        await schedule.all_tokens(turn.steps)
    body = turn.response()
    if stored:
        responses_store.save(ctx.services, turn, body)
    return body
