"""Text to speech: createSpeech.

The audio is real: speech-like syllables from `sim.audio.synthesize_pcm` (24 kHz mono), as long as reading the text
takes at `speed` (0.25-4.0; about 150 words a minute at 1.0), encoded by `sim.audio_codecs` into the
response_format (mp3, opus, aac, flac, wav, pcm) with OpenAI's Content-Type. Each voice has its own pitch; the
built-in voices are OpenAI's thirteen, a custom voice is given as {"id": ...}; any other name is a 400 naming
`voice`. `instructions` is accepted (it does not change the simulated voice). A format this process cannot
encode (aac without PyAV, say) is a 400 naming response_format with the install hint.

With stream_format "sse" the answer is server-sent events: speech.audio.delta events (base64 chunks of the encoded
file, about a quarter second each) and a final speech.audio.done with token usage.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator
from typing import Any

from fakeai.context import Binary, Context, EventStream
from fakeai.errors import APIError
from fakeai.registry import serves

from .latency import Schedule, engine
from .models_api import resolve_model
from .sim import audio_codecs
from .sim.audio import synthesize_pcm
from .sim.tokenizer import count_tokens
from .sim.vision_tokens import audio_tokens
from .usage import record_usage

RATE = 24000
VOICES = (
    "alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse", "marin", "cedar",
)  # fmt: skip
CHUNK_SECONDS = 0.25


def voice_name(voice: Any) -> str:
    """The voice's name (a custom voice's id); a 400 naming `voice` for a name that is not a built-in voice."""
    if isinstance(voice, dict):
        return str(voice.get("id") or "custom")
    name = str(voice)
    if name.lower() not in VOICES:
        raise APIError(
            400,
            f"Invalid value: '{name}'. Supported values are: {', '.join(repr(v) for v in VOICES)}, "
            'or a custom voice object {"id": ...}.',
            param="voice",
            code="invalid_value",
        )
    return name.lower()


def voice_seed(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "little")


def synthesize(text: str, voice: str, speed: float, fmt: str) -> tuple[bytes, float]:
    """(encoded audio, seconds) of `text` read by `voice`."""
    samples = synthesize_pcm(text if text.strip() else " ", sample_rate=RATE, speed=speed, seed=voice_seed(voice))
    try:
        data = audio_codecs.encode(samples, RATE, fmt)
    except audio_codecs.UnsupportedFormat as e:
        raise APIError(400, str(e), param="response_format", code="unsupported_format") from None
    return data, len(samples) / RATE


def chunks(data: bytes, seconds: float) -> list[bytes]:
    size = max(1024, int(len(data) * CHUNK_SECONDS / max(seconds, CHUNK_SECONDS)))
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


async def sse(parts: list[bytes], usage: dict[str, int], schedule: Schedule) -> AsyncIterator[dict[str, Any]]:
    if not schedule.zero:
        await schedule.first_token()
    for i, part in enumerate(parts):
        if i and not schedule.zero:
            await schedule.next_token()
        yield {"type": "speech.audio.delta", "audio": base64.b64encode(part).decode()}
    yield {"type": "speech.audio.done", "usage": usage}


@serves("createSpeech")
async def create_speech(_: Any, ctx: Context) -> Any:
    req = ctx.data
    model = resolve_model(ctx, req.get("model"))
    voice = voice_name(req["voice"])
    fmt = req.get("response_format") or "mp3"
    text = str(req["input"])
    # minutes of audio take seconds to encode (mp3, opus, aac): off the event loop, so other requests go on
    data, seconds = await asyncio.to_thread(synthesize, text, voice, float(req.get("speed") or 1.0), fmt)
    in_tokens = count_tokens(text) + count_tokens(str(req.get("instructions") or ""))
    out_tokens = audio_tokens(seconds)
    record_usage(ctx, model, in_tokens, out_tokens, seconds=seconds, characters=len(text))
    schedule = engine(ctx).schedule(model, in_tokens, ctx.rng("latency"), arrival=ctx.received)
    if req.get("stream_format") == "sse":
        usage = {"input_tokens": in_tokens, "output_tokens": out_tokens, "total_tokens": in_tokens + out_tokens}
        return EventStream(sse(chunks(data, seconds), usage, schedule), done=False, event_field="type")
    if not schedule.zero:
        await schedule.first_token()
    return Binary(data, media_type(ctx, audio_codecs.content_type(fmt)))


def media_type(ctx: Context, wanted: str) -> str:
    """`wanted` (OpenAI's Content-Type), unless the served document lists other binary types only (the upstream
    document lists application/octet-stream): then the first of those."""
    listed = [m.media for m in ctx.operation.success.media if m.kind == "binary"]
    return wanted if not listed or wanted in listed else listed[0]
