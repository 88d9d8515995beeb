"""Streaming one planned Realtime response as server events, paced by the latency schedule and cancellable.

response.created, then per output item: response.output_item.added, conversation.item.added (in the default
conversation), for a message response.content_part.added, one delta per token (text; or transcript + a slice of
the audio), the .done events, response.content_part.done; for a function call the arguments deltas and
response.function_call_arguments.done; then response.output_item.done and conversation.item.done; finally
response.done with usage, and rate_limits.updated. A cancel (response.cancel, or speech in server VAD) stops at
the next delta: the open part is finished with what was sent, the item is incomplete, the response cancelled.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import tools
from .latency import Sequence
from .realtime_audio import chunks, duration_ms
from .realtime_items import Conversation, render_item
from .realtime_response import Plan, Planned, usage
from .realtime_session import ResponseConfig, beta_format, ga_format
from .sim.vision_tokens import audio_tokens


class Link(Protocol):
    """What a response needs from its connection."""

    beta: bool
    conversation: Conversation

    async def send(self, event: dict[str, Any]) -> None: ...


class Stopped(Exception):
    pass


@dataclass
class Turn:
    id: str
    cfg: ResponseConfig
    plan: Plan
    cached: int = 0
    status: str = "in_progress"
    reason: str = "client_cancelled"
    output: list[dict[str, Any]] = field(default_factory=list)
    usage: dict[str, Any] | None = None
    audio_ms: int = 0
    text_tokens: int = 0
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def in_conversation(self) -> bool:
        return self.cfg.conversation == "auto"

    def cancel(self, reason: str) -> None:
        if not self.cancelled.is_set():
            self.reason = reason
            self.cancelled.set()


class Pacer:
    """Deltas fall due on the model's simulated server (a latency Sequence); a cancel interrupts the wait."""

    def __init__(self, seq: Sequence, cancelled: asyncio.Event) -> None:
        self.seq, self.cancelled = seq, cancelled
        self.zero = seq.server.timing.zero
        self.sent_first = False

    async def _wait(self, aw: Any) -> None:
        if self.cancelled.is_set():
            aw.close()
            raise Stopped
        if self.zero:
            await aw
            await asyncio.sleep(0)  # let the connection read a cancel between deltas
        else:
            waiter, stop = asyncio.ensure_future(aw), asyncio.ensure_future(self.cancelled.wait())
            await asyncio.wait({waiter, stop}, return_when=asyncio.FIRST_COMPLETED)
            for task in (waiter, stop):
                task.cancel()
        if self.cancelled.is_set():
            raise Stopped

    async def start(self) -> None:
        """Time to first token."""
        await self._wait(self.seq.first_token())

    async def step(self) -> None:
        """Before each delta: the first follows the start at once, the next ones one inter-token latency apart."""
        if not self.sent_first:
            self.sent_first = True
            if self.cancelled.is_set():
                raise Stopped
            return
        await self._wait(self.seq.next_token())


def render_response(turn: Turn, link: Link) -> dict[str, Any]:
    s = turn.cfg.settings
    details = None
    if turn.status == "cancelled":
        details = {"type": "cancelled", "reason": turn.reason}
    elif turn.status == "incomplete":
        details = {"type": "incomplete", "reason": "max_output_tokens"}
    out: dict[str, Any] = {
        "object": "realtime.response",
        "id": turn.id,
        "status": turn.status,
        "status_details": details,
        "output": [render_item(it, beta=link.beta) for it in turn.output],
        "conversation_id": link.conversation.id if turn.in_conversation else None,
        "usage": turn.usage,
        "metadata": turn.cfg.metadata,
        "max_output_tokens": s.max_output_tokens,
    }
    if link.beta:
        out.update(
            modalities=["text", "audio"] if s.audio_out else ["text"],
            voice=s.voice,
            output_audio_format=beta_format(s.output_format),
            temperature=s.temperature,
        )
    else:
        out.update(
            output_modalities=["audio"] if s.audio_out else ["text"],
            audio={"output": {"format": ga_format(s.output_format), "voice": s.voice}},
        )
    return out


def steps(plan: Plan) -> int:
    """How many deltas (tokens due on the schedule) the planned response streams."""
    return sum(max(len(p.pieces), 1 if p.audio else 0) for p in plan.items)


async def run(turn: Turn, link: Link, seq: Sequence) -> None:
    """Send the whole response; afterwards turn.status and turn.usage hold the outcome."""
    send = link.send
    await send({"type": "response.created", "response": render_response(turn, link)})
    pacer = Pacer(seq, turn.cancelled)
    try:
        await pacer.start()
        for index, planned in enumerate(turn.plan.items):
            await _item(turn, link, pacer, index, planned)
            if turn.cancelled.is_set():
                raise Stopped
    except Stopped:
        turn.status = "cancelled"
    else:
        turn.status = "incomplete" if turn.plan.incomplete else "completed"
    turn.usage = usage(turn.plan.prompt, turn.text_tokens, audio_tokens(turn.audio_ms / 1000), turn.cached)
    await send({"type": "response.done", "response": render_response(turn, link)})
    total = turn.usage["total_tokens"]
    limits = [
        {"name": "requests", "limit": 5000, "remaining": 4999, "reset_seconds": 0.012},
        {"name": "tokens", "limit": 400000, "remaining": 400000 - total, "reset_seconds": round(total * 0.00015, 3)},
    ]
    await send({"type": "rate_limits.updated", "rate_limits": limits})


async def _item(turn: Turn, link: Link, pacer: Pacer, index: int, planned: Planned) -> None:
    """Stream one output item (its text tokens are added to the turn's)."""
    send, rid = link.send, turn.id
    final = planned.item
    live = {**final, "status": "in_progress"}
    if final["type"] == "message":
        live["content"] = []
    else:
        live["arguments"] = ""
    turn.output.append(live)
    await send(
        {
            "type": "response.output_item.added",
            "response_id": rid,
            "output_index": index,
            "item": render_item(live, beta=link.beta),
        }
    )
    if turn.in_conversation:
        previous = link.conversation.add(live)
        await send(
            {"type": "conversation.item.added", "previous_item_id": previous, "item": render_item(live, beta=link.beta)}
        )
    ids = {"response_id": rid, "item_id": live["id"], "output_index": index}
    sent: list[str] = []
    stopped = False
    if final["type"] == "function_call":
        call = {**ids, "call_id": final["call_id"]}
        try:
            for piece in planned.pieces:
                await pacer.step()
                await send({"type": "response.function_call_arguments.delta", **call, "delta": piece})
                sent.append(piece)
        except Stopped:
            stopped = True
        args = "".join(sent)
        await send({"type": "response.function_call_arguments.done", **call, "name": final["name"], "arguments": args})
        live.update(arguments=args, status="incomplete" if stopped else final["status"])
        tokens = tools.call_tokens({"name": final["name"], "arguments": args})
    else:
        tokens, stopped = await _message(turn, link, pacer, ids, planned, live)
    await send(
        {
            "type": "response.output_item.done",
            **{k: ids[k] for k in ("response_id", "output_index")},
            "item": render_item(live, beta=link.beta),
        }
    )
    if turn.in_conversation:
        previous = _previous(link.conversation, live["id"])
        await send(
            {"type": "conversation.item.done", "previous_item_id": previous, "item": render_item(live, beta=link.beta)}
        )
    turn.text_tokens += tokens
    if stopped:
        raise Stopped


async def _message(
    turn: Turn, link: Link, pacer: Pacer, ids: dict[str, Any], planned: Planned, live: dict[str, Any]
) -> tuple[int, bool]:
    send = link.send
    part_ids = {**ids, "content_index": 0}
    audio_out = bool(planned.audio) or planned.item["content"][0]["type"] == "output_audio"
    part: dict[str, Any] = {"type": "audio", "transcript": ""} if audio_out else {"type": "text", "text": ""}
    await send({"type": "response.content_part.added", **part_ids, "part": part})
    fmt = turn.cfg.settings.output_format
    steps = max(len(planned.pieces), 1 if planned.audio else 0)
    slices = chunks(planned.audio, steps, fmt) if planned.audio else []
    sent: list[str] = []
    audio_sent = 0
    stopped = False
    try:
        for i in range(steps):
            await pacer.step()
            tok = planned.pieces[i] if i < len(planned.pieces) else ""
            if not audio_out:
                await send({"type": "response.output_text.delta", **part_ids, "delta": tok})
            else:
                if tok:
                    await send({"type": "response.output_audio_transcript.delta", **part_ids, "delta": tok})
                if slices[i]:
                    await send(
                        {
                            "type": "response.output_audio.delta",
                            **part_ids,
                            "delta": base64.b64encode(slices[i]).decode(),
                        }
                    )
                    audio_sent += len(slices[i])
            sent.append(tok)
    except Stopped:
        stopped = True
    text = "".join(sent)
    if audio_out:
        await send({"type": "response.output_audio.done", **part_ids})
        await send({"type": "response.output_audio_transcript.done", **part_ids, "transcript": text})
        part, ms = {"type": "audio", "transcript": text}, duration_ms(audio_sent, fmt)
        turn.audio_ms += ms
        data = base64.b64encode(planned.audio[:audio_sent]).decode()
        content = {"type": "output_audio", "transcript": text, "audio": data, "_ms": ms, "_bytes": audio_sent}
    else:
        await send({"type": "response.output_text.done", **part_ids, "text": text})
        part, content = {"type": "text", "text": text}, {"type": "output_text", "text": text}
    await send({"type": "response.content_part.done", **part_ids, "part": part})
    live.update(content=[content], status="incomplete" if stopped else planned.item["status"])
    return len(sent) if planned.pieces else 0, stopped


def _previous(conversation: Conversation, item_id: str) -> str | None:
    ids = [it["id"] for it in conversation.items]
    at = ids.index(item_id) if item_id in ids else 0
    return ids[at - 1] if at > 0 else None
