"""Tests for fakeai.behaviors.sim.audio_codecs."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import wave

import numpy as np
import pytest
from fakeai.behaviors.sim import audio_codecs as ac
from fakeai.behaviors.sim.audio import pcm_bytes, synthesize_pcm
from fakeai.behaviors.sim.audio_codecs import (
    FORMATS,
    UnsupportedFormat,
    content_type,
    decode_duration,
    encode,
    resample,
    supported_formats,
)

SR = 24000
SPEECH = synthesize_pcm("Hello there. This is a short test of every audio format, read aloud.", sample_rate=SR)
PADDING = {"mp3": 2 * 1152, "aac": 3 * 1024, "opus": 960 + 312}  # encoder delay and last-frame fill, in samples


def _decode(data: bytes, fmt: str) -> tuple[int, int]:
    """(sample_rate, frames) read back by a real decoder: libsndfile, or FFmpeg for AAC."""
    if fmt == "aac":
        av = pytest.importorskip("av")
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.audio[0]
            return stream.rate, sum(frame.samples for frame in container.decode(stream))
    sf = pytest.importorskip("soundfile")
    samples, rate = sf.read(io.BytesIO(data), dtype="int16")
    assert samples.ndim == 1
    return rate, len(samples)


def _require(fmt: str) -> None:
    if fmt not in supported_formats():
        pytest.skip(f"{fmt} cannot be encoded in this environment")


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3", "opus", "aac"])
@pytest.mark.parametrize("rate", [24000, 22050])
def test_round_trip_keeps_the_duration(fmt: str, rate: int) -> None:
    _require(fmt)
    samples = resample(SPEECH, SR, rate)
    seconds = len(samples) / rate
    data = encode(samples, rate, fmt)
    decoded_rate, frames = _decode(data, fmt)
    pad = PADDING.get(fmt, 0) / decoded_rate
    assert seconds * 0.95 <= frames / decoded_rate <= seconds * 1.05 + pad
    got = decode_duration(data, fmt)
    assert got is not None and seconds * 0.95 <= got <= seconds * 1.05 + pad


def test_flac_is_lossless() -> None:
    _require("flac")
    sf = pytest.importorskip("soundfile")
    samples, rate = sf.read(io.BytesIO(encode(SPEECH, SR, "flac")), dtype="int16")
    assert rate == SR and np.array_equal(samples, SPEECH)


def test_wav_parses_with_the_wave_module() -> None:
    with wave.open(io.BytesIO(encode(SPEECH, 16000, "wav"))) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 16000, len(SPEECH))
        assert np.array_equal(np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), SPEECH)


def test_pcm_is_raw_24khz_int16() -> None:
    data = encode(SPEECH, SR, "pcm")
    assert len(data) == len(SPEECH) * 2
    assert data == pcm_bytes(SPEECH)
    assert decode_duration(data, "pcm") == pytest.approx(len(SPEECH) / SR)
    assert len(encode(SPEECH[:16000], 16000, "pcm")) == 24000 * 2  # 1 s at 16 kHz -> 1 s at 24 kHz


def test_rates_a_codec_cannot_take_are_resampled() -> None:
    sf = pytest.importorskip("soundfile")
    one_second = resample(SPEECH, SR, 22050)[:22050]
    if "opus" in supported_formats():
        info = sf.info(io.BytesIO(encode(one_second, 22050, "opus")))
        assert info.samplerate == 48000 and info.duration == pytest.approx(1.0, abs=0.01)
    if "mp3" in supported_formats():
        loud = np.tile(SPEECH[:24000], 4)
        info = sf.info(io.BytesIO(encode(loud, 96000, "mp3")))
        assert info.samplerate == 48000 and info.duration == pytest.approx(1.0, abs=0.06)


def test_resample_interpolates_linearly() -> None:
    x = np.array([0, 100, 200, -200], dtype=np.int16)
    assert resample(x, 1, 2).tolist() == [0, 50, 100, 150, 200, 0, -200, -200]
    assert resample(x, 2, 1).tolist() == [0, 200]
    assert resample(x, 8000, 8000) is x


def test_unknown_format() -> None:
    expected = "unknown audio format 'ogg'; expected one of mp3, opus, aac, flac, wav, pcm"
    with pytest.raises(UnsupportedFormat, match=re.escape(expected)):
        encode(SPEECH, SR, "ogg")
    with pytest.raises(UnsupportedFormat, match="'m4a'"):
        content_type("m4a")
    assert issubclass(UnsupportedFormat, ValueError)


def test_content_types_are_openais() -> None:
    assert {f: content_type(f) for f in FORMATS} == {
        "mp3": "audio/mpeg",
        "opus": "audio/opus",
        "aac": "audio/aac",
        "flac": "audio/flac",
        "wav": "audio/wav",
        "pcm": "audio/pcm",
    }


def test_without_pyav_aac_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)
    assert "aac" not in supported_formats()
    assert {"wav", "pcm"} <= supported_formats()
    with pytest.raises(UnsupportedFormat, match=r"aac needs PyAV: pip install 'fakeai\[media\]'"):
        encode(SPEECH, SR, "aac")


def test_without_soundfile_pyav_takes_over(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("av")
    monkeypatch.setitem(sys.modules, "soundfile", None)
    formats = supported_formats()
    assert {"flac", "mp3", "opus", "aac"} <= formats
    for fmt in ("flac", "mp3", "opus"):
        data = encode(SPEECH, SR, fmt)
        assert decode_duration(data, fmt) == pytest.approx(len(SPEECH) / SR, abs=0.1)


def test_without_either_only_wav_and_pcm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "soundfile", None)
    monkeypatch.setitem(sys.modules, "av", None)
    assert supported_formats() == frozenset({"wav", "pcm"})
    with pytest.raises(UnsupportedFormat, match=r"mp3 needs soundfile .*pip install 'fakeai\[media\]'"):
        encode(SPEECH, SR, "mp3")
    assert decode_duration(b"not audio at all") is None


def test_decode_duration_falls_back_to_libsndfile() -> None:
    sf = pytest.importorskip("soundfile")
    buf = io.BytesIO()
    sf.write(buf, SPEECH, SR, format="AIFF", subtype="PCM_16")  # a container audio.py does not parse
    assert decode_duration(buf.getvalue()) == pytest.approx(len(SPEECH) / SR)
    assert decode_duration(b"") is None
    assert decode_duration(b"\x00" * 1000, "bin") is None


def test_empty_input_is_one_silent_sample_and_bad_shapes_are_refused() -> None:
    with wave.open(io.BytesIO(encode(np.zeros(0, dtype=np.int16), SR, "wav"))) as w:
        assert w.getnframes() == 1
    for fmt in sorted(supported_formats()):
        assert encode(np.zeros(0, dtype=np.int16), SR, fmt)
    with pytest.raises(ValueError, match="mono"):
        encode(np.zeros((10, 2), dtype=np.int16), SR, "wav")
    with pytest.raises(ValueError, match="sample_rate"):
        encode(SPEECH, 0, "wav")


def test_import_is_cheap_and_loads_no_codec_package() -> None:
    code = "import sys, fakeai.behaviors.sim.audio_codecs; print('soundfile' in sys.modules, 'av' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
    assert ac.PCM_SAMPLE_RATE == 24000
