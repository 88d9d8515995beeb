"""Audio output for chat (`modalities: ["text", "audio"]`): the answer becomes a transcript and real audio
(base64) in the requested format; content is null, as OpenAI returns it."""

from __future__ import annotations

import base64
import random
import time
from typing import TYPE_CHECKING, Any

from fakeai.errors import APIError

from .sim import audio_codecs
from .sim.audio import synthesize_pcm
from .sim.vision_tokens import audio_tokens

if TYPE_CHECKING:
    from .chat import Choice

VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "fable",
    "nova",
    "onyx",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)
RATE = 24000


def attach_audio(choice: Choice, spec: dict[str, Any], rng: random.Random) -> None:
    fmt = str(spec.get("format") or "wav")
    fmt = "pcm" if fmt == "pcm16" else fmt
    voice = spec.get("voice") or "alloy"
    voice_name = voice if isinstance(voice, str) else str(voice.get("id", "custom"))
    transcript = choice.answer.text
    seed = sum(map(ord, voice_name)) * 7919 + rng.randrange(1 << 16)
    samples = synthesize_pcm(transcript or " ", sample_rate=RATE, seed=seed)
    try:
        data = audio_codecs.encode(samples, RATE, fmt)
    except audio_codecs.UnsupportedFormat as e:
        raise APIError(400, str(e), param="audio.format", code="unsupported_format") from None
    choice.audio = {
        "id": f"audio_{rng.getrandbits(128):032x}",
        "data": base64.b64encode(data).decode(),
        "expires_at": int(time.time()) + 3600,
        "transcript": transcript,
    }
    choice.audio_tokens = audio_tokens(len(samples) / RATE)
