"""Tests for speech-like synthesis, WAV/PCM encoding and audio-file duration parsing."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from fakeai.behaviors.sim.audio import (
    audio_duration,
    encode_wav,
    pcm_bytes,
    speech_duration,
    synthesize_pcm,
    wav_info,
)

SR = 24000


def test_encode_wav_header_is_exact() -> None:
    samples = np.array([0, 1, -1, 32767, -32768], dtype=np.int16)
    wav = encode_wav(samples, 16000)
    assert len(wav) == 44 + 10
    riff, riff_size, wave = struct.unpack("<4sI4s", wav[:12])
    assert (riff, riff_size, wave) == (b"RIFF", len(wav) - 8, b"WAVE")
    fmt = struct.unpack("<4sIHHIIHH", wav[12:36])
    assert fmt == (b"fmt ", 16, 1, 1, 16000, 32000, 2, 16)
    assert struct.unpack("<4sI", wav[36:44]) == (b"data", 10)
    assert wav[44:] == pcm_bytes(samples)


def test_pcm_bytes_little_endian_int16() -> None:
    assert pcm_bytes(np.array([1, -2, 256], dtype=np.int16)) == b"\x01\x00\xfe\xff\x00\x01"


def test_wav_info_duration_matches_sample_count() -> None:
    samples = synthesize_pcm("The quick brown fox jumps over the lazy dog.")
    info = wav_info(encode_wav(samples, SR))
    assert info == (SR, 1, 16, pytest.approx(len(samples) / SR))


def test_wav_info_streamed_header_and_extra_chunks() -> None:
    wav = bytearray(encode_wav(np.zeros(8000, dtype=np.int16), 8000))
    wav[40:44] = b"\xff\xff\xff\xff"  # size unknown while streaming
    assert wav_info(bytes(wav)) == (8000, 1, 16, pytest.approx(1.0))
    # A LIST chunk (odd size, padded) between fmt and data is skipped.
    plain = encode_wav(np.zeros(4000, dtype=np.int16), 8000)
    extra = b"LIST" + struct.pack("<I", 3) + b"abc\x00"
    body = plain[12:36] + extra + plain[36:]
    with_list = b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body
    assert wav_info(with_list) == (8000, 1, 16, pytest.approx(0.5))
    assert wav_info(b"RIFF\x00\x00\x00\x00AVI ") is None


def test_synthesis_is_deterministic_int16_and_audible() -> None:
    a = synthesize_pcm("Hello there, how are you today?", seed=4)
    assert a.dtype == np.int16 and a.ndim == 1
    assert np.array_equal(a, synthesize_pcm("Hello there, how are you today?", seed=4))
    assert not np.array_equal(a, synthesize_pcm("Hello there, how are you today?", seed=5))
    assert not np.array_equal(a, synthesize_pcm("Hello there, how are you today!", seed=4))
    rms = float(np.sqrt(np.mean(a.astype(np.float64) ** 2)))
    assert 1000 < rms < 15000
    assert np.abs(a).max() < 32767  # not clipped
    assert np.count_nonzero(a == 0) > SR * 0.1  # pauses between words and at the comma


def test_duration_matches_speech_duration_and_sample_rate() -> None:
    text = "Testing one two three. Does this work?"
    for sr in (8000, 24000, 48000):
        samples = synthesize_pcm(text, sample_rate=sr)
        assert len(samples) / sr == pytest.approx(speech_duration(text), abs=0.01)


def test_duration_scales_with_text_length() -> None:
    short = speech_duration("cat apple " * 10)
    long = speech_duration("cat apple " * 40)
    fixed = speech_duration("")
    assert (long - fixed) == pytest.approx(4 * (short - fixed))


def test_about_150_words_per_minute() -> None:
    text = "cat apple " * 75  # 150 words averaging 1.5 syllables
    assert speech_duration(text) == pytest.approx(60.0, abs=0.5)


@pytest.mark.parametrize("speed", [0.25, 0.5, 2.0, 4.0])
def test_duration_inversely_proportional_to_speed(speed: float) -> None:
    text = "Speed changes how long this sentence takes to read."
    base = len(synthesize_pcm(text, speed=1.0))
    assert len(synthesize_pcm(text, speed=speed)) == pytest.approx(base / speed, rel=0.01)


@pytest.mark.parametrize("speed", [0.2, 4.5, 0.0])
def test_speed_out_of_range_rejected(speed: float) -> None:
    with pytest.raises(ValueError):
        synthesize_pcm("hi", speed=speed)


def test_empty_text_is_short_silence() -> None:
    samples = synthesize_pcm("")
    assert 0 < len(samples) < SR // 2
    assert not samples.any()


def test_audio_duration_wav() -> None:
    wav = encode_wav(np.zeros(36000, dtype=np.int16), SR)
    assert audio_duration(wav, "speech.wav") == pytest.approx(1.5)


MP3_128K_44K = b"\xff\xfb\x90\x00"  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding, stereo
MP3_160K_44K = b"\xff\xfb\xa0\x00"  # same at 160 kbit/s
MP3_64K_22K = b"\xff\xf3\x80\xc0"  # MPEG-2 Layer III, 64 kbit/s, 22.05 kHz, mono


def mp3_frame(header: bytes) -> bytes:
    version = (header[1] >> 3) & 3
    kbps = {0x90: 128, 0xA0: 160, 0x80: 64 if version == 2 else 112}[header[2] & 0xF0]
    rate = 44100 if version == 3 else 22050
    length = (144 if version == 3 else 72) * kbps * 1000 // rate
    return header + bytes(length - 4)


def test_audio_duration_mp3_walks_frames() -> None:
    frames = b"".join(mp3_frame(MP3_128K_44K if i % 2 else MP3_160K_44K) for i in range(40))
    assert audio_duration(frames, "a.mp3") == pytest.approx(40 * 1152 / 44100)
    mpeg2 = mp3_frame(MP3_64K_22K) * 30
    assert audio_duration(mpeg2) == pytest.approx(30 * 576 / 22050)


def test_audio_duration_mp3_cbr_shortcut_and_id3() -> None:
    frames = mp3_frame(MP3_128K_44K) * 200
    id3 = b"ID3\x04\x00\x00" + bytes([0, 0, 0x01, 0x00]) + bytes(128)  # syncsafe size 128
    assert audio_duration(id3 + frames, "song.mp3") == pytest.approx(200 * 1152 / 44100, rel=0.01)
    tag = b"TAG" + bytes(125)  # ID3v1 trailer is not audio
    assert audio_duration(frames + tag) == pytest.approx(200 * 1152 / 44100, rel=0.01)


def test_audio_duration_mp3_xing_frame_count() -> None:
    first = bytearray(mp3_frame(MP3_128K_44K))
    first[36:48] = b"Xing" + struct.pack(">II", 1, 5000)  # flags: frame count present
    data = bytes(first) + mp3_frame(MP3_128K_44K) * 3
    assert audio_duration(data) == pytest.approx(5000 * 1152 / 44100)


def test_audio_duration_flac() -> None:
    bits = (44100 << 44) | (1 << 41) | (15 << 36) | 441000  # rate, channels-1, bits-1, total samples
    streaminfo = struct.pack(">HH", 4096, 4096) + bytes(6) + bits.to_bytes(8, "big") + bytes(16)
    data = b"fLaC" + bytes([0x80]) + len(streaminfo).to_bytes(3, "big") + streaminfo
    assert audio_duration(data, "x.flac") == pytest.approx(10.0)


def ogg_page(granule: int, packet: bytes) -> bytes:
    return b"OggS\x00\x02" + struct.pack("<qIII", granule, 1, 0, 0) + bytes([1, len(packet)]) + packet


def test_audio_duration_ogg_opus_and_vorbis() -> None:
    opus_head = b"OpusHead\x01\x02" + struct.pack("<HI", 312, 48000) + b"\x00\x00\x00"
    opus = ogg_page(0, opus_head) + ogg_page(3 * 48000 + 312, b"y" * 50) + ogg_page(-1, b"x" * 50)  # last: no granule
    assert audio_duration(opus, "v.ogg") == pytest.approx(3.0)
    vorbis_id = b"\x01vorbis" + struct.pack("<IBI", 0, 2, 44100) + bytes(16)
    vorbis = ogg_page(0, vorbis_id) + ogg_page(88200, b"z" * 40)
    assert audio_duration(vorbis) == pytest.approx(2.0)


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def test_audio_duration_mp4() -> None:
    mvhd0 = box(b"mvhd", b"\x00\x00\x00\x00" + struct.pack(">IIII", 0, 0, 1000, 5500) + bytes(80))
    m4a = box(b"ftyp", b"M4A \x00\x00\x00\x00") + box(b"mdat", bytes(300)) + box(b"moov", mvhd0)
    assert audio_duration(m4a, "memo.m4a") == pytest.approx(5.5)
    mvhd1 = box(b"mvhd", b"\x01\x00\x00\x00" + struct.pack(">QQIQ", 0, 0, 48000, 96000) + bytes(80))
    assert audio_duration(box(b"ftyp", b"mp42") + box(b"moov", mvhd1)) == pytest.approx(2.0)


def test_audio_duration_adts_aac() -> None:
    length = 100
    header = bytes([0xFF, 0xF1, (1 << 6) | (4 << 2), 0x80 | (length >> 11), (length >> 3) & 0xFF, (length & 7) << 5, 0])
    frame = header + bytes(length - len(header))
    assert audio_duration(frame * 43, "a.aac") == pytest.approx(43 * 1024 / 44100)


@pytest.mark.parametrize(
    ("data", "name"), [(b"", ""), (b"hello world", "notes.txt"), (b"\x00" * 100, "a.mp3"), (b"OggS", "a.ogg")]
)
def test_audio_duration_unknown(data: bytes, name: str) -> None:
    assert audio_duration(data, name) is None
