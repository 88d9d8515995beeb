"""Streaming a response as the Responses API's typed events, numbered by sequence_number from 0.

response.created and response.in_progress, then per output item: output_item.added; for a reasoning item its
reasoning_text part (content_part.added, reasoning_text.delta per token, reasoning_text.done, content_part.done)
and its summary parts (reasoning_summary_part.added, reasoning_summary_text.delta/done, ..part.done); for a
message its output_text part (content_part.added, output_text.delta per token with its logprobs,
output_text.done, content_part.done); for a function call function_call_arguments.delta per piece and
.done; then output_item.done; last response.completed or response.incomplete. Each reasoning, text or argument
token waits for its time on the latency schedule; events are built as they fall due.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from itertools import count
from typing import Any, Protocol

from .latency import Schedule
from .sim import tokenizer

FINAL = {"completed": "response.completed", "incomplete": "response.incomplete", "failed": "response.failed"}


class Source(Protocol):
    """What is streamed: a planned turn, or a stored response replayed."""

    output: list[dict[str, Any]]
    tokens: list[list[str]]

    def response(self, status: str | None = None) -> dict[str, Any]: ...


class Stored:
    """A stored response as a Source, its texts split into tokens again (for GET ?stream=true)."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.output = list(body.get("output") or [])
        self.tokens = [tokenizer.tokenize(_streamed_text(item)) for item in self.output]

    def response(self, status: str | None = None) -> dict[str, Any]:
        if status is None:
            return self.body
        return {
            **{k: v for k, v in self.body.items() if k != "usage"},
            "status": status,
            "output": [],
            "completed_at": None,
        }


def _streamed_text(item: dict[str, Any]) -> str:
    kind = item.get("type")
    if kind == "function_call":
        return str(item.get("arguments", ""))
    if kind in ("message", "reasoning"):
        return "".join(str(p.get("text", "")) for p in item.get("content") or [] if isinstance(p, dict))
    return ""


def _stream_logprob(entry: dict[str, Any]) -> dict[str, Any]:
    """A LogProb of the finished text in the shape of the streamed events (no bytes)."""
    tops = [{"token": t["token"], "logprob": t["logprob"]} for t in entry.get("top_logprobs") or []]
    return {"token": entry["token"], "logprob": entry["logprob"], "top_logprobs": tops}


def _started(item: dict[str, Any]) -> dict[str, Any]:
    """The item as output_item.added announces it: no content yet."""
    kind = item.get("type")
    if kind == "message":
        return {**item, "status": "in_progress", "content": []}
    if kind == "function_call":
        return {**item, "status": "in_progress", "arguments": ""}
    if kind == "reasoning":
        started = {k: v for k, v in item.items() if k != "encrypted_content"}
        return {**started, "summary": [], **({"content": []} if "content" in item else {})}
    return item


async def events(
    src: Source, schedule: Schedule, *, first_status: str = "in_progress"
) -> AsyncIterator[dict[str, Any]]:
    seq = count()

    def ev(kind: str, **fields: Any) -> dict[str, Any]:
        return {"type": kind, **fields, "sequence_number": next(seq)}

    yield ev("response.created", response=src.response(first_status))
    yield ev("response.in_progress", response=src.response("in_progress"))
    await schedule.first_token()
    first = True
    for index, item in enumerate(src.output):
        yield ev("response.output_item.added", output_index=index, item=_started(item))
        for kind, fields, paced in _item_events(index, item, src.tokens[index]):
            if paced:
                if not first:
                    await schedule.next_token()
                first = False
            yield ev(kind, **fields)
        yield ev("response.output_item.done", output_index=index, item=item)
    final = src.response()
    last = FINAL.get(final.get("status", ""))
    if last is not None:
        yield ev(last, response=final)


Step = tuple[str, dict[str, Any], bool]  # (event type, fields, whether it waits for a token's time)


def _item_events(index: int, item: dict[str, Any], tokens: list[str]) -> Iterator[Step]:
    where = {"item_id": item.get("id", ""), "output_index": index}
    kind = item.get("type")
    if kind == "message":
        for c, part in enumerate(item.get("content") or []):
            yield from _text_part(where, c, part, tokens)
    elif kind == "reasoning":
        for c, part in enumerate(item.get("content") or []):
            at = {**where, "content_index": c}
            yield "response.content_part.added", {**at, "part": {"type": "reasoning_text", "text": ""}}, False
            for tok in tokens:
                yield "response.reasoning_text.delta", {**at, "delta": tok}, True
            yield "response.reasoning_text.done", {**at, "text": part.get("text", "")}, False
            yield "response.content_part.done", {**at, "part": part}, False
        for s, part in enumerate(item.get("summary") or []):
            at = {**where, "summary_index": s}
            yield "response.reasoning_summary_part.added", {**at, "part": {"type": "summary_text", "text": ""}}, False
            for tok in tokenizer.tokenize(part.get("text", "")):
                yield "response.reasoning_summary_text.delta", {**at, "delta": tok}, False
            yield "response.reasoning_summary_text.done", {**at, "text": part.get("text", "")}, False
            yield "response.reasoning_summary_part.done", {**at, "part": part}, False
    elif kind == "function_call":
        for piece in tokens:
            yield "response.function_call_arguments.delta", {**where, "delta": piece}, True
        done = {**where, "name": item.get("name", ""), "arguments": item.get("arguments", "")}
        yield "response.function_call_arguments.done", done, False


def _text_part(where: dict[str, Any], c: int, part: dict[str, Any], tokens: list[str]) -> Iterator[Step]:
    at = {**where, "content_index": c}
    if part.get("type") == "refusal":
        yield "response.content_part.added", {**at, "part": {"type": "refusal", "refusal": ""}}, False
        yield "response.refusal.delta", {**at, "delta": part.get("refusal", "")}, True
        yield "response.refusal.done", {**at, "refusal": part.get("refusal", "")}, False
        yield "response.content_part.done", {**at, "part": part}, False
        return
    logprobs = [_stream_logprob(e) for e in part.get("logprobs") or []]
    empty = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
    yield "response.content_part.added", {**at, "part": empty}, False
    for i, tok in enumerate(tokens):
        yield "response.output_text.delta", {**at, "delta": tok, "logprobs": logprobs[i : i + 1]}, True
    yield "response.output_text.done", {**at, "text": part.get("text", ""), "logprobs": logprobs}, False
    yield "response.content_part.done", {**at, "part": part}, False
