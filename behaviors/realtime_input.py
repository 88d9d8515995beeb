"""The input audio buffer of a Realtime session: append, commit, clear; server VAD turns; input transcription.

Appended audio (base64, in the session's input format) is kept until committed. With `server_vad` or
`semantic_vad` turn detection every append is run through the detector: speech_started when the level rises
(a response in progress is cancelled when `interrupt_response`), speech_stopped after the configured silence,
and the buffer up to that point is committed as a user audio item, followed by a response when
`create_response`. With `audio.input.transcription` set, a commit is followed by transcription deltas and
conversation.item.input_audio_transcription.completed (whisper-1 reports usage as duration, others as tokens).
"""

from __future__ import annotations

import base64
import random
from typing import Any, Protocol

from .realtime_audio import VoiceActivity, duration_ms, silence_for
from .realtime_events import EventError, decode_audio, new_id
from .realtime_items import Peer, item_added
from .realtime_response import heard
from .sim import logprobs, tokenizer
from .sim.vision_tokens import audio_tokens

MAX_APPEND_BYTES = 15 * 1024 * 1024
MIN_COMMIT_MS = 100


class Owner(Peer, Protocol):
    async def speech_started(self) -> None: ...

    async def turn_ended(self) -> None: ...


class InputAudio:
    def __init__(self, owner: Owner) -> None:
        self.owner = owner
        self.buffer = bytearray()
        self.vad: VoiceActivity | None = None
        self.pending_item: str | None = None
        self.configure()

    def configure(self) -> None:
        """Follow the session's input format and turn detection (after session.update)."""
        s = self.owner.session
        td = s.turn_detection
        elapsed = self.vad.elapsed_ms if self.vad else 0
        if td is None:
            self.vad = None
            return
        silence = (
            td.get("silence_duration_ms", 500)
            if td["type"] == "server_vad"
            else silence_for(td.get("eagerness", "auto"))
        )
        self.vad = VoiceActivity(
            s.input_format,
            threshold=float(td.get("threshold", 0.5)),
            prefix_padding_ms=int(td.get("prefix_padding_ms", 300)),
            silence_duration_ms=int(silence),
            elapsed_ms=elapsed,
        )

    async def append(self, event: dict[str, Any]) -> None:
        if "audio" not in event:
            raise EventError("Missing required parameter: 'audio'.", param="audio", code="missing_required_parameter")
        data = decode_audio(event["audio"], "audio")
        if len(data) > MAX_APPEND_BYTES:
            raise EventError("Audio chunks are limited to 15 MiB per input_audio_buffer.append.", param="audio")
        start = len(self.buffer)
        self.buffer.extend(data)
        if self.vad is None:
            return
        td = self.owner.session.turn_detection or {}
        committed = 0  # bytes of this append already committed by an earlier turn end
        for kind, ms, offset in self.vad.feed(data):
            if kind == "started":
                self.pending_item = new_id("item")
                await self.owner.send(
                    {"type": "input_audio_buffer.speech_started", "audio_start_ms": ms, "item_id": self.pending_item}
                )
                if td.get("interrupt_response", True):
                    await self.owner.speech_started()
            else:
                item_id = self.pending_item or new_id("item")
                self.pending_item = None
                await self.owner.send(
                    {"type": "input_audio_buffer.speech_stopped", "audio_end_ms": ms, "item_id": item_id}
                )
                cut = start + offset - committed
                turn, rest = bytes(self.buffer[:cut]), bytes(self.buffer[cut:])
                self.buffer = bytearray(rest)
                start, committed = 0, offset
                await self.commit_bytes(turn, item_id)
                if td.get("create_response", True):
                    await self.owner.turn_ended()

    async def commit(self, _: dict[str, Any]) -> None:
        fmt = self.owner.session.input_format
        ms = duration_ms(len(self.buffer), fmt)
        if ms < MIN_COMMIT_MS:
            raise EventError(
                f"Error committing input audio buffer: buffer too small. Expected at least {MIN_COMMIT_MS}ms of audio, "
                f"but buffer only has {ms:.2f}ms of audio.",
                code="input_audio_buffer_commit_empty",
            )
        data = bytes(self.buffer)
        item_id = self.pending_item
        self.clear_state()
        await self.commit_bytes(data, item_id)

    async def clear(self, _: dict[str, Any]) -> None:
        self.clear_state()
        await self.owner.send({"type": "input_audio_buffer.cleared"})

    def clear_state(self) -> None:
        self.buffer = bytearray()
        self.pending_item = None
        if self.vad is not None:
            self.vad.reset()

    async def commit_bytes(self, data: bytes, item_id: str | None) -> None:
        """Add a user audio item holding `data`; transcribe it when the session asks for transcription."""
        owner = self.owner
        ms = duration_ms(len(data), owner.session.input_format)
        part = {"type": "input_audio", "audio": base64.b64encode(data).decode(), "transcript": None,
                "_ms": ms, "_bytes": len(data), "_heard": heard(data, ms)}  # fmt: skip
        item = {"id": item_id or new_id("item"), "object": "realtime.item", "type": "message", "status": "completed",
                "role": "user", "content": [part]}  # fmt: skip
        previous = owner.conversation.add(item)
        await owner.send({"type": "input_audio_buffer.committed", "previous_item_id": previous, "item_id": item["id"]})
        await item_added(owner, item, previous)
        if owner.session.transcription is not None:
            await self.transcribe(item, part)

    async def transcribe(self, item: dict[str, Any], part: dict[str, Any]) -> None:
        s = self.owner.session
        assert s.transcription is not None
        model = str(s.transcription.get("model") or "whisper-1")
        text: str = part["_heard"]
        tokens = tokenizer.tokenize(text)
        rng = random.Random(f"{item['id']}:transcript")
        with_logprobs = "item.input_audio_transcription.logprobs" in (s.include or [])
        lps = [{k: e[k] for k in ("token", "logprob", "bytes")} for e in logprobs.token_logprobs(tokens, rng, 0)]
        ids = {"item_id": item["id"], "content_index": 0}
        pieces = [text] if model == "whisper-1" else tokens
        at = 0
        for piece in pieces:
            n = 1 if piece is not text else len(tokens)
            delta: dict[str, Any] = {"type": "conversation.item.input_audio_transcription.delta", **ids, "delta": piece}
            if with_logprobs:
                delta["logprobs"] = lps[at : at + n]
            at += n
            await self.owner.send(delta)
        seconds = part["_ms"] / 1000
        if model == "whisper-1":
            usage: dict[str, Any] = {"type": "duration", "seconds": round(seconds, 3)}
        else:
            heard_tokens = audio_tokens(seconds)
            usage = {"type": "tokens", "input_tokens": heard_tokens, "output_tokens": len(tokens),
                     "total_tokens": heard_tokens + len(tokens),
                     "input_token_details": {"text_tokens": 0, "audio_tokens": heard_tokens}}  # fmt: skip
        part["transcript"] = text
        done = {
            "type": "conversation.item.input_audio_transcription.completed",
            **ids,
            "transcript": text,
            "usage": usage,
        }
        done["logprobs"] = lps if with_logprobs else None
        await self.owner.send(done)
