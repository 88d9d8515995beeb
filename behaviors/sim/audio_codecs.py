"""Encode mono 16-bit PCM into the audio formats OpenAI's speech and audio APIs return.

``wav`` and ``pcm`` are written with numpy alone (see :mod:`fakeai.behaviors.sim.audio`); ``pcm`` is raw
little-endian int16 at 24 kHz, as OpenAI's, so other rates are resampled. ``flac``, ``mp3`` and ``opus``
(Ogg Opus) use the ``soundfile`` package (libsndfile >= 1.1 has all three; its wheels bundle one), and fall back
to PyAV (``av``, FFmpeg) when soundfile cannot; ``aac`` (ADTS) needs PyAV. Both are imported on first use, so
importing this module stays cheap and works without them; :func:`supported_formats` says what this process can
do and :func:`encode` raises :class:`UnsupportedFormat` with an install hint for the rest.

Rates a codec cannot take are resampled by linear interpolation: Opus takes 8/12/16/24/48 kHz (else 48 kHz),
MP3 and AAC their standard rates (else the next standard rate up, at most 48 kHz). Lossy codecs add the usual
encoder padding (up to a frame or two) to the duration. An empty input is encoded as one silent sample.
"""

from __future__ import annotations

import importlib
import io
import sys
from types import ModuleType

import numpy as np

from .audio import audio_duration, encode_wav, pcm_bytes

__all__ = [
    "FORMATS",
    "PCM_SAMPLE_RATE",
    "UnsupportedFormat",
    "content_type",
    "decode_duration",
    "encode",
    "resample",
    "supported_formats",
]

FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
PCM_SAMPLE_RATE = 24000
_CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
_MP3_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
_AAC_RATES = (7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000)
# format -> (libsndfile format, subtype) and (FFmpeg container, encoder)
_SOUNDFILE = {"flac": ("FLAC", "PCM_16"), "mp3": ("MP3", "MPEG_LAYER_III"), "opus": ("OGG", "OPUS")}
_PYAV = {"flac": ("flac", "flac"), "mp3": ("mp3", "libmp3lame"), "opus": ("ogg", "libopus"), "aac": ("adts", "aac")}
_MEDIA_HINT = "pip install 'fakeai[media]'"
_HINTS = {
    "aac": f"aac needs PyAV: {_MEDIA_HINT}",
    **{
        fmt: f"{fmt} needs soundfile with libsndfile >= 1.1 (pip install -U soundfile) or PyAV ({_MEDIA_HINT})"
        for fmt in _SOUNDFILE
    },
}

_failed_imports: set[str] = set()
_capabilities: dict[tuple[int, int], tuple[frozenset[str], frozenset[str]]] = {}


class UnsupportedFormat(ValueError):
    """The format is unknown, or this process lacks the package that encodes it (the message says which)."""


def _optional(name: str) -> ModuleType | None:
    """The module, or None when it is missing (a failed import is remembered; ``sys.modules[name] = None`` hides it)."""
    if name in sys.modules:
        return sys.modules[name]  # None when hidden on purpose
    if name in _failed_imports:
        return None
    try:
        return importlib.import_module(name)
    except (ImportError, OSError):  # soundfile raises OSError when libsndfile itself is missing
        _failed_imports.add(name)
        return None


def _soundfile_formats(sf: ModuleType) -> set[str]:
    out: set[str] = set()
    for fmt, (major, subtype) in _SOUNDFILE.items():
        try:
            if subtype in sf.available_subtypes(major):
                out.add(fmt)
        except Exception:  # an old or broken libsndfile just means "not available"
            continue
    return out


def _pyav_formats(av: ModuleType) -> set[str]:
    out: set[str] = set()
    for fmt, (container, codec) in _PYAV.items():
        try:
            if container in av.formats_available and codec in av.codecs_available:
                av.codec.Codec(codec, "w")
                out.add(fmt)
        except Exception:  # a codec missing from this FFmpeg build
            continue
    return out


def _backends() -> tuple[ModuleType | None, ModuleType | None, frozenset[str], frozenset[str]]:
    """(soundfile, av, formats soundfile encodes, all formats this process encodes)."""
    sf, av = _optional("soundfile"), _optional("av")
    key = (id(sf) if sf else 0, id(av) if av else 0)
    caps = _capabilities.get(key)
    if caps is None:
        by_sf = frozenset(_soundfile_formats(sf) if sf else ())
        caps = _capabilities[key] = (by_sf, by_sf | {"wav", "pcm"} | (_pyav_formats(av) if av else set()))
    return sf, av, *caps


def supported_formats() -> frozenset[str]:
    """The formats :func:`encode` can produce in this process (always ``wav`` and ``pcm``)."""
    return _backends()[3]


def content_type(fmt: str) -> str:
    """The Content-Type OpenAI sends for ``fmt`` (``audio/mpeg`` for mp3); UnsupportedFormat if unknown."""
    try:
        return _CONTENT_TYPES[fmt]
    except KeyError:
        raise UnsupportedFormat(_unknown(fmt)) from None


def _unknown(fmt: str) -> str:
    return f"unknown audio format {fmt!r}; expected one of {', '.join(FORMATS)}"


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """int16 samples at ``dst_rate`` by linear interpolation (no filtering; fine for speech-like audio)."""
    x = np.asarray(samples, dtype=np.int16)
    if src_rate == dst_rate or len(x) == 0:
        return x
    n = max(1, round(len(x) * dst_rate / src_rate))
    t = np.arange(n, dtype=np.float64) * (src_rate / dst_rate)
    y = np.interp(t, np.arange(len(x), dtype=np.float64), x.astype(np.float64))
    return np.rint(y).astype(np.int16)


def _rate_for(rate: int, allowed: tuple[int, ...], fallback: int) -> int:
    if rate in allowed:
        return rate
    return next((r for r in allowed if r > rate and r <= fallback), fallback)


def encode(samples: np.ndarray, sample_rate: int, fmt: str) -> bytes:
    """``samples`` (mono int16 at ``sample_rate``) as a file in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in _CONTENT_TYPES:
        raise UnsupportedFormat(_unknown(fmt))
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    x = np.asarray(samples)
    if x.ndim != 1:
        raise ValueError(f"expected mono samples (a 1-D array), got shape {x.shape}")
    x = x.astype(np.int16, copy=False) if len(x) else np.zeros(1, dtype=np.int16)
    if fmt == "wav":
        return encode_wav(x, sample_rate)
    if fmt == "pcm":
        return pcm_bytes(resample(x, sample_rate, PCM_SAMPLE_RATE))
    sf, av, by_soundfile, formats = _backends()
    if fmt not in formats:
        raise UnsupportedFormat(_HINTS[fmt])
    rate = sample_rate
    if fmt == "opus":
        rate = sample_rate if sample_rate in _OPUS_RATES else 48000  # Opus' own rate
    elif fmt == "mp3":
        rate = _rate_for(sample_rate, _MP3_RATES, 48000)
    elif fmt == "aac":
        rate = _rate_for(sample_rate, _AAC_RATES, 48000)
    x = resample(x, sample_rate, rate)
    if sf is not None and fmt in by_soundfile:
        major, subtype = _SOUNDFILE[fmt]
        buf = io.BytesIO()
        sf.write(buf, x, rate, format=major, subtype=subtype)
        return buf.getvalue()
    assert av is not None  # fmt is supported, and soundfile does not do it
    return _encode_pyav(av, x, rate, *_PYAV[fmt])


def _encode_pyav(av: ModuleType, x: np.ndarray, rate: int, container: str, codec: str) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(x.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts = rate, 0
        for packet in stream.encode(frame):  # PyAV re-frames and converts to the codec's sample format
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def decode_duration(data: bytes, fmt_hint: str = "") -> float | None:
    """Seconds of audio in ``data``: raw ``pcm`` (24 kHz int16) by size, else from the headers
    (:func:`~fakeai.behaviors.sim.audio.audio_duration`), else whatever libsndfile can open; None if unknown."""
    hint = fmt_hint.lower().lstrip(".")
    if hint == "pcm":
        return len(data) / (2 * PCM_SAMPLE_RATE)
    seconds = audio_duration(data, f"audio.{hint}" if hint else "")
    if seconds is not None:
        return seconds
    sf = _optional("soundfile")
    if sf is None or not data:
        return None
    try:
        info = sf.info(io.BytesIO(data))
    except Exception:  # not a file libsndfile knows
        return None
    return float(info.frames) / info.samplerate if info.samplerate and info.frames > 0 else None
