"""Streaming a planned chat completion as chunks: a role chunk, then reasoning, content, tool-call or audio
deltas (one token per chunk, every choice advancing in the same step), a chunk with finish_reason per choice,
with stream_options.include_usage a last chunk with `choices: []` and usage; the transport adds `[DONE]`.
Chunks are built as they fall due on the schedule, not pre-rendered."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from .latency import Sequence
from .sim import tokenizer

if TYPE_CHECKING:
    from .chat import Choice, Plan


def deltas(c: Choice) -> Iterator[tuple[dict[str, Any], Any]]:
    """(delta, logprobs) pairs of one choice, one token each."""
    for tok in c.answer.reasoning:
        yield {"reasoning_content": tok}, None
    for i, tok in enumerate(c.answer.tokens if c.audio is None else ()):
        entry = c.logprobs[i : i + 1] if c.logprobs is not None else None
        yield {"content": tok}, ({"content": entry, "refusal": None} if entry is not None else None)
    for k, call in enumerate(c.tool_calls):
        fn = call["function"]
        head = {"index": k, "id": call["id"], "type": "function", "function": {"name": fn["name"], "arguments": ""}}
        yield {"tool_calls": [head]}, None
        for piece in tokenizer.tokenize(fn["arguments"]):
            yield {"tool_calls": [{"index": k, "function": {"arguments": piece}}]}, None
    if c.function_call is not None:
        yield {"function_call": {"name": c.function_call["name"], "arguments": ""}}, None
        for piece in tokenizer.tokenize(c.function_call["arguments"]):
            yield {"function_call": {"arguments": piece}}, None
    if c.audio is not None:
        audio = c.audio
        pieces = tokenizer.tokenize(audio["transcript"]) or [""]
        data = audio["data"]
        size = -(-len(data) // len(pieces))
        size += (-size) % 4  # base64 pieces stay decodable on their own
        for j, piece in enumerate(pieces):
            part: dict[str, Any] = {"transcript": piece, "data": data[j * size : (j + 1) * size]}
            if j == 0:
                part.update(id=audio["id"], expires_at=audio["expires_at"])
            yield {"audio": part}, None


async def chunks(p: Plan, schedule: Sequence) -> AsyncIterator[dict[str, Any]]:
    """The chunks of a planned completion, paced by its sequence on the simulated server. Closing the
    iterator early (the client went away) frees the sequence's slot and counts a disconnect."""
    try:
        req = p.request
        include_usage = bool((req.get("stream_options") or {}).get("include_usage"))
        base = {
            "id": p.id,
            "object": "chat.completion.chunk",
            "created": p.created,
            "model": req.get("model", p.model.id),
            "service_tier": req.get("service_tier") or "default",
            "system_fingerprint": p.fingerprint,
        }
        if include_usage:
            base["usage"] = None

        def chunk(choices: list[dict[str, Any]]) -> dict[str, Any]:
            return {**base, "choices": choices}

        await schedule.first_token()
        for c in p.choices:
            yield chunk(
                [
                    {
                        "index": c.index,
                        "delta": {"role": "assistant", "content": "", "refusal": None},
                        "logprobs": None,
                        "finish_reason": None,
                    }
                ]
            )
        streams = [(c, deltas(c)) for c in p.choices]
        first = True
        while streams:
            if not first:
                await schedule.next_token()
            first = False
            alive = []
            for c, it in streams:
                nxt = next(it, None)
                if nxt is None:
                    yield chunk([{"index": c.index, "delta": {}, "logprobs": None, "finish_reason": c.finish_reason}])
                    continue
                delta, logprobs = nxt
                yield chunk([{"index": c.index, "delta": delta, "logprobs": logprobs, "finish_reason": None}])
                alive.append((c, it))
            streams = alive
        if include_usage:
            yield {**base, "choices": [], "usage": p.usage()}
    finally:
        schedule.close()
