"""Audio for the Realtime API: the three wire formats, G.711 coding, and a simple voice activity detector.

Formats are named as in the GA session (`audio/pcm` at 24 kHz, `audio/pcmu`, `audio/pcma`, both 8 kHz) and
kept internally as "pcm", "pcmu" and "pcma". G.711 is coded with 256-entry tables: decoding is a lookup,
encoding picks the nearest code word. The detector (server VAD) measures the level of 20 ms frames: a frame is
speech when it is louder than -50 dBFS + 40 dB x threshold (-30 dBFS at the default 0.5); speech starts at the
first loud frame and stops after `silence_duration_ms` of quiet frames. Pure numpy, no web framework.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .sim import audio_codecs
from .sim.audio import synthesize_pcm

OUTPUT_RATE = 24000
RATES = {"pcm": 24000, "pcmu": 8000, "pcma": 8000}
SAMPLE_BYTES = {"pcm": 2, "pcmu": 1, "pcma": 1}
FRAME_MS = 20


def _ulaw_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent, mantissa = (u >> 4) & 0x07, u & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(u & 0x80, -magnitude, magnitude).astype(np.int16)


def _alaw_table() -> np.ndarray:
    a = np.arange(256, dtype=np.int32) ^ 0x55
    exponent, mantissa = (a >> 4) & 0x07, a & 0x0F
    magnitude = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0))
    return np.where(a & 0x80, magnitude, -magnitude).astype(np.int16)


_DECODE = {"pcmu": _ulaw_table(), "pcma": _alaw_table()}
# code words sorted by the value they stand for, for nearest-value encoding
_ORDER = {fmt: np.argsort(table, kind="stable") for fmt, table in _DECODE.items()}


def duration_ms(nbytes: int, fmt: str) -> int:
    """Milliseconds of audio in `nbytes` of `fmt`."""
    return int(nbytes * 1000 // (RATES[fmt] * SAMPLE_BYTES[fmt]))


def decode(data: bytes, fmt: str) -> np.ndarray:
    """int16 samples (at the format's rate) of raw audio bytes."""
    if fmt == "pcm":
        return np.frombuffer(data[: len(data) - len(data) % 2], dtype="<i2")
    return _DECODE[fmt][np.frombuffer(data, dtype=np.uint8)]


def encode(samples: np.ndarray, fmt: str) -> bytes:
    """24 kHz int16 samples as raw bytes of `fmt` (resampled to 8 kHz for G.711)."""
    if fmt == "pcm":
        return audio_codecs.encode(samples, OUTPUT_RATE, "pcm")
    x = audio_codecs.resample(samples, OUTPUT_RATE, RATES[fmt]).astype(np.int16)
    table, order = _DECODE[fmt], _ORDER[fmt]
    values = table[order]
    pos = np.clip(np.searchsorted(values, x), 1, len(values) - 1)
    nearer_left = (x - values[pos - 1]) <= (values[pos] - x)
    return order[np.where(nearer_left, pos - 1, pos)].astype(np.uint8).tobytes()


def speech(text: str, fmt: str, *, voice: str, speed: float, seed: int) -> bytes:
    """Speech-like audio reading `text` in the session's output format."""
    voice_seed = sum(map(ord, voice)) * 7919 + seed
    samples = synthesize_pcm(text or " ", sample_rate=OUTPUT_RATE, speed=min(max(speed, 0.25), 4.0), seed=voice_seed)
    return encode(samples, fmt)


def chunks(data: bytes, count: int, fmt: str) -> list[bytes]:
    """`data` cut into `count` pieces on sample boundaries (the last takes the rest)."""
    count = max(1, count)
    step = SAMPLE_BYTES[fmt]
    size = -(-len(data) // count)
    size += (-size) % step
    return [data[i * size : (i + 1) * size] for i in range(count)]


@dataclass
class VoiceActivity:
    """Server VAD over the appended input audio. `feed` gives events ("started" | "stopped", ms, offset): ms
    counts from the first audio appended in the session, offset is where in the appended bytes the event's frame
    ends (a turn ends there: the buffer is committed up to it)."""

    fmt: str
    threshold: float = 0.5
    prefix_padding_ms: int = 300
    silence_duration_ms: int = 500
    elapsed_ms: int = 0
    speaking: bool = False
    quiet_ms: int = 0
    _carry: bytes = b""

    def reset(self) -> None:
        """Forget a turn in progress (the buffer was committed or cleared by the client)."""
        self.speaking, self.quiet_ms, self._carry = False, 0, b""

    def feed(self, data: bytes) -> list[tuple[str, int, int]]:
        joined = self._carry + data
        frame_bytes = RATES[self.fmt] * FRAME_MS // 1000 * SAMPLE_BYTES[self.fmt]
        whole = len(joined) // frame_bytes * frame_bytes
        self._carry = joined[whole:]
        if not whole:
            return []
        frames = decode(joined[:whole], self.fmt).astype(np.float64).reshape(-1, frame_bytes // SAMPLE_BYTES[self.fmt])
        frames /= 32768.0
        level_db = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
        loud = level_db > -50.0 + 40.0 * self.threshold
        events: list[tuple[str, int, int]] = []
        skip = len(joined) - len(data)
        for i, is_loud in enumerate(loud.tolist()):
            self.elapsed_ms += FRAME_MS
            offset = (i + 1) * frame_bytes - skip
            if not self.speaking and is_loud:
                self.speaking, self.quiet_ms = True, 0
                events.append(("started", max(0, self.elapsed_ms - FRAME_MS - self.prefix_padding_ms), offset))
            elif self.speaking:
                self.quiet_ms = 0 if is_loud else self.quiet_ms + FRAME_MS
                if self.quiet_ms >= self.silence_duration_ms:
                    self.speaking = False
                    events.append(("stopped", self.elapsed_ms, offset))
        return events


def silence_for(eagerness: str) -> int:
    """Semantic VAD's patience as a silence duration: eager detectors answer sooner."""
    return {"high": 250, "medium": 500, "auto": 500, "low": 1000}.get(eagerness, 500)
