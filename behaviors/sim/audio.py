"""Speech-like audio synthesis and WAV/PCM encoding with numpy only (for simulated text-to-speech).

The "speech" is a chain of syllables: each is a vowel-like tone (a harmonic series shaped by three formants, held
in a one-period wavetable per vowel) under a raised-sine amplitude envelope, preceded by a short noise burst when the
syllable starts with a consonant. Pitch follows a speaker base (from ``seed``) with a falling contour per sentence
and a rise before "?". It is not intelligible, but it sounds like a voice reading and it is fully deterministic in
(text, speed, seed, sample_rate).

Timing at ``speed=1.0``: every syllable (vowel group of a word; a digit counts as one) lasts 0.24 s and every word
is followed by a 0.04 s gap, so text averaging 1.5 syllables per word is read at about 150 words per minute.
Punctuation adds pauses (",;:" 0.2 s, ".!?" 0.35 s) and the clip has 0.05 s of silence before and 0.1 s after.
All durations are divided by ``speed`` (0.25..4.0, as OpenAI accepts).
"""

from __future__ import annotations

import hashlib
import re
import struct

import numpy as np

from .audio_formats import audio_duration, wav_info

__all__ = [
    "WORDS_PER_MINUTE",
    "audio_duration",
    "encode_wav",
    "pcm_bytes",
    "speech_duration",
    "synthesize_pcm",
    "wav_info",
]

WORDS_PER_MINUTE = 150  # nominal, at speed 1.0 for text averaging 1.5 syllables per word
MIN_SPEED, MAX_SPEED = 0.25, 4.0
_SYLLABLE_S = 0.24
_WORD_GAP_S = 0.04
_LEAD_S, _TAIL_S = 0.05, 0.1
_PAUSE_S = {",": 0.2, ";": 0.2, ":": 0.2, ".": 0.35, "!": 0.35, "?": 0.35}
_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[,;:.!?]")
_VOWEL_GROUP_RE = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+|\d")
_TABLE_SIZE = 2048
_TABLE_F0 = 130.0
_FORMANTS = {  # F1, F2, F3 in Hz (rough adult averages)
    "a": (730.0, 1090.0, 2440.0),
    "e": (530.0, 1840.0, 2480.0),
    "i": (300.0, 2250.0, 3000.0),
    "o": (570.0, 840.0, 2410.0),
    "u": (320.0, 900.0, 2250.0),
    "@": (500.0, 1500.0, 2500.0),
}
_VOWEL_INDEX = {v: i for i, v in enumerate(_FORMANTS)}
_FRICATIVES = frozenset("sfzhcjxvt")


def _wavetables() -> np.ndarray:
    """One period per vowel: harmonics of _TABLE_F0 weighted by resonance peaks at the formants, peak-normalised."""
    phase = np.arange(_TABLE_SIZE, dtype=np.float64) * (2.0 * np.pi / _TABLE_SIZE)
    harmonics = np.arange(1, int(4800.0 / _TABLE_F0) + 1, dtype=np.float64)
    freqs = harmonics * _TABLE_F0
    tables = np.empty((len(_FORMANTS), _TABLE_SIZE), dtype=np.float32)
    for row, formants in enumerate(_FORMANTS.values()):
        gain = sum(
            g / (1.0 + ((freqs - f) / (60.0 + 0.06 * f)) ** 2) for f, g in zip(formants, (1.0, 0.6, 0.25), strict=True)
        )
        gain = gain / np.sqrt(harmonics)  # glottal spectral tilt
        wave = (gain[:, None] * np.sin(np.outer(harmonics, phase) + harmonics[:, None] * 0.7)).sum(axis=0)
        tables[row] = wave / np.abs(wave).max()
    return tables


_TABLES = _wavetables()


def _plan(text: str) -> list[tuple[float, int, bool, float]]:
    """Segments (seconds at speed 1, vowel index or -1 for silence, consonant onset, pitch factor)."""
    segments: list[tuple[float, int, bool, float]] = [(_LEAD_S, -1, False, 1.0)]
    tokens = _TOKEN_RE.findall(text.lower())
    # Sentence-relative position drives the falling contour; a question mark raises the last word.
    sentence: list[tuple[float, int, bool, float]] = []
    for tok in tokens:
        if tok in _PAUSE_S:
            if tok == "?" and sentence:
                sentence[-1] = (*sentence[-1][:3], 1.25)
            segments += _contour(sentence)
            sentence = []
            segments.append((_PAUSE_S[tok], -1, False, 1.0))
            continue
        groups = _VOWEL_GROUP_RE.findall(tok) or [tok[:1]]
        consonant = tok[0] in _FRICATIVES or not tok[0].isalpha() or tok[0] not in "aeiouy"
        for k, group in enumerate(groups):
            vowel = _VOWEL_INDEX.get(group[0], _VOWEL_INDEX["@"]) if group[0] != "y" else _VOWEL_INDEX["i"]
            stressed = 1.06 if k == 0 and len(groups) > 1 else 1.0
            sentence.append((_SYLLABLE_S, vowel, consonant if k == 0 else True, stressed))
        sentence.append((_WORD_GAP_S, -1, False, 1.0))
    segments += _contour(sentence)
    segments.append((_TAIL_S, -1, False, 1.0))
    return segments


def _contour(sentence: list[tuple[float, int, bool, float]]) -> list[tuple[float, int, bool, float]]:
    n = max(1, len(sentence) - 1)
    return [(d, v, c, p * (1.1 - 0.2 * i / n)) for i, (d, v, c, p) in enumerate(sentence)]


def _check_speed(speed: float) -> None:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be within {MIN_SPEED}..{MAX_SPEED}, got {speed}")


def speech_duration(text: str, *, speed: float = 1.0) -> float:
    """Seconds of audio ``synthesize_pcm`` produces for ``text`` at ``speed`` (without synthesising it)."""
    _check_speed(speed)
    return sum(seg[0] for seg in _plan(text)) / speed


def synthesize_pcm(text: str, *, sample_rate: int = 24000, speed: float = 1.0, seed: int = 0) -> np.ndarray:
    """Mono int16 speech-like samples for ``text``; duration as documented in the module docstring."""
    _check_speed(speed)
    if sample_rate < 4000:
        raise ValueError(f"sample_rate must be at least 4000, got {sample_rate}")
    segments = _plan(text)
    lengths = np.array([max(1, round(d / speed * sample_rate)) for d, _, _, _ in segments], dtype=np.int64)
    total = int(lengths.sum())
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    rng = np.random.default_rng([seed & 0xFFFFFFFF, int.from_bytes(digest, "little")])
    base_f0 = 95.0 + 120.0 * np.random.default_rng(seed & 0xFFFFFFFF).random()  # the speaker's voice

    pitch = [p * base_f0 * (1.0 + 0.03 * float(rng.standard_normal())) for _, _, _, p in segments]
    out = np.zeros(total, dtype=np.int16)
    gain = np.float32(0.6 * 32767.0)
    ramps: dict[int, np.ndarray] = {}
    shapes: dict[int, np.ndarray] = {}
    burst = max(1, int(0.045 * sample_rate / speed))
    fade_in, fade_out = np.linspace(0.2, 1.0, burst, dtype=np.float32), np.linspace(0.35, 0.0, burst, dtype=np.float32)
    phase, start = 0.0, 0  # phase in cycles, carried across syllables so the pitch never clicks
    # Segment by segment (not whole-clip arrays): the working set stays in cache, so cost is linear in duration.
    for (_, vowel, consonant, _), n, f0 in zip(segments, lengths.tolist(), pitch, strict=True):
        step = f0 / sample_rate
        if vowel >= 0:
            if n not in ramps:
                ramps[n] = np.arange(n, dtype=np.float64)
                shapes[n] = np.sin(np.linspace(0.0, np.pi, n, dtype=np.float32)).clip(0.0) ** 0.7
            index = ((phase + ramps[n] * step) * _TABLE_SIZE).astype(np.int64) & (_TABLE_SIZE - 1)
            seg = _TABLES[vowel][index] * (shapes[n] * np.float32(0.75 + 0.25 * float(rng.random())))
            if consonant:
                k = min(n, burst)
                noise = rng.standard_normal(k + 1, dtype=np.float32)
                hiss = noise[1:] - 0.7 * noise[:-1]  # tilted towards high frequencies
                seg[:k] = seg[:k] * fade_in[:k] + hiss * fade_out[:k] * 0.5
            out[start : start + n] = np.clip(seg * gain, -32768.0, 32767.0)
        phase = (phase + n * step) % 1.0
        start += n
    return out


def pcm_bytes(samples: np.ndarray) -> bytes:
    """Raw little-endian signed 16-bit PCM bytes (OpenAI's ``response_format="pcm"``)."""
    return np.asarray(samples, dtype="<i2").tobytes()


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """A RIFF/WAVE file: PCM, 16-bit, mono, with exact chunk sizes."""
    data = pcm_bytes(samples)
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + len(data), b"WAVE",
        b"fmt ", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16,
        b"data", len(data),
    )  # fmt: skip
    return header + data
