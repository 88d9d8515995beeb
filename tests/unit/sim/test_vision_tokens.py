"""Tests for image and audio input token arithmetic."""

from __future__ import annotations

import base64
import struct

import numpy as np
import pytest
from fakeai.behaviors.sim.audio import encode_wav
from fakeai.behaviors.sim.png import render_png
from fakeai.behaviors.sim.vision_tokens import (
    audio_tokens,
    data_url_size,
    high_detail_size,
    image_tokens,
    wav_duration,
)


@pytest.mark.parametrize(
    ("width", "height", "detail", "tokens"),
    [
        (1024, 1024, "high", 765),  # 768x768 -> 2x2 tiles
        (2048, 4096, "high", 1105),  # 1024x2048 -> 768x1536 -> 2x3 tiles
        (4096, 8192, "low", 85),
        (1024, 1024, "low", 85),
        (512, 512, "high", 255),  # not enlarged: one tile
        (100, 100, "high", 255),
        (768, 768, "high", 765),
        (2048, 2048, "high", 765),
        (1792, 1024, "high", 1105),  # 1344x768 -> 3x2 tiles
        (1024, 1536, "high", 1105),  # 768x1152 -> 2x3 tiles
        (800, 600, "high", 765),  # shortest side 600 <= 768: not resized, 2x2 tiles
        (512, 512, "auto", 85),
        (300, 200, "auto", 85),
        (513, 512, "auto", 425),  # high: 2x1 tiles
        (1024, 1024, "auto", 765),
        (1024, 1024, None, 765),
    ],
)
def test_image_tokens(width: int, height: int, detail: str | None, tokens: int) -> None:
    assert image_tokens(width, height, detail) == tokens


def test_unknown_size_defaults_to_1024_square() -> None:
    assert image_tokens(None, None, "high") == 765
    assert image_tokens(None, 300, "auto") == 765
    assert image_tokens(None, None, "low") == 85


def test_model_specific_multipliers() -> None:
    assert image_tokens(1024, 1024, "high", base_tokens=2833, tile_tokens=5667) == 2833 + 4 * 5667
    assert image_tokens(1024, 1024, "low", base_tokens=2833, tile_tokens=5667) == 2833


def test_invalid_detail_is_rejected() -> None:
    with pytest.raises(ValueError):
        image_tokens(10, 10, "ultra")


def test_high_detail_size() -> None:
    assert high_detail_size(4096, 2048) == (1536, 768)
    assert high_detail_size(300, 5000) == (123, 2048)
    assert high_detail_size(600, 400) == (600, 400)


def b64_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def test_data_url_size_png() -> None:
    url = b64_url(render_png(300, 200, 1))
    assert data_url_size(url) == (300, 200)


def test_data_url_size_jpeg_after_large_app_segment() -> None:
    app1 = b"\xff\xe1" + struct.pack(">H", 60000) + b"Exif\x00\x00" + bytes(60000 - 8)
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 900, 1600, 1) + b"\x01\x11\x00"
    jpeg = b"\xff\xd8" + app1 + sof + b"\xff\xda" + bytes(5000)
    assert data_url_size(b64_url(jpeg, "image/jpeg")) == (1600, 900)


def test_data_url_size_tolerates_line_breaks() -> None:
    encoded = base64.encodebytes(render_png(40, 30, 2)).decode()  # 76-char lines
    assert data_url_size("data:image/png;base64," + encoded) == (40, 30)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/cat.png",
        "data:image/png;base64,",
        "data:image/png;base64,aGVsbG8gd29ybGQ=",
        "data:image/png;base64",
        "data:image/png;base64,!!!!",
    ],
)
def test_data_url_size_none_for_non_images(url: str) -> None:
    assert data_url_size(url) is None


@pytest.mark.parametrize(("seconds", "tokens"), [(0.0, 0), (-1.0, 0), (0.01, 1), (1.0, 10), (2.55, 26), (60.0, 600)])
def test_audio_tokens(seconds: float, tokens: int) -> None:
    assert audio_tokens(seconds) == tokens


def test_wav_duration() -> None:
    wav = encode_wav(np.zeros(24000 * 3 // 2, dtype=np.int16), 24000)
    assert wav_duration(wav) == pytest.approx(1.5)
    assert wav_duration(b"not a wav") is None
