"""Tests for PNG rendering and image-header sniffing."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest
from fakeai.behaviors.sim.png import image_size, is_image, png_size, render_png


def decode_png(data: bytes) -> np.ndarray:
    """A minimal strict PNG decoder for 8-bit RGB/RGBA, non-interlaced: checks structure and CRCs, undoes filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(tag + body) & 0xFFFFFFFF, tag
        chunks.append((tag, body))
        pos += 12 + length
    assert pos == len(data)
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, colour, compression, filter_method, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, compression, filter_method, interlace) == (8, 0, 0, 0)
    channels = {2: 3, 6: 4}[colour]
    raw = zlib.decompress(b"".join(body for tag, body in chunks if tag == b"IDAT"))
    stride = width * channels
    assert len(raw) == height * (stride + 1)
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.int32)
    for y in range(height):
        ftype, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        prev = out[y - 1] if y else np.zeros(stride, dtype=np.int32)
        if ftype == 0:
            out[y] = line
        elif ftype == 2:
            out[y] = (line + prev) % 256
        else:  # the renderer only uses None and Up; anything else is a bug here
            pytest.fail(f"unexpected filter type {ftype}")
    return out.astype(np.uint8).reshape(height, width, channels)


@pytest.mark.parametrize(("width", "height"), [(1, 1), (3, 5), (256, 256), (512, 384), (1024, 1536), (1792, 1024)])
def test_render_png_decodes_to_requested_size(width: int, height: int) -> None:
    data = render_png(width, height, 7, prompt="a lighthouse at dawn")
    pixels = decode_png(data)
    assert pixels.shape == (height, width, 3)
    assert png_size(data) == (width, height)
    assert image_size(data) == (width, height)
    assert is_image(data) == "png"


def test_render_png_is_a_picture_not_a_flat_fill() -> None:
    pixels = decode_png(render_png(256, 256, 1, prompt="mountains"))
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 50
    # Sky at the top differs from hills at the bottom.
    assert np.abs(pixels[:10].astype(int).mean(axis=(0, 1)) - pixels[-10:].astype(int).mean(axis=(0, 1))).sum() > 30


def test_render_png_transparent_is_rgba_with_clear_background() -> None:
    pixels = decode_png(render_png(128, 96, 3, prompt="logo", transparent=True))
    assert pixels.shape == (96, 128, 4)
    alpha = pixels[..., 3]
    assert alpha[0, 0] == 0 and alpha[-1, -1] == 255
    assert (alpha == 0).mean() > 0.1 and (alpha == 255).mean() > 0.1


def test_render_png_is_deterministic_and_depends_on_seed_and_prompt() -> None:
    a = render_png(64, 64, 5, prompt="cat")
    assert a == render_png(64, 64, 5, prompt="cat")
    assert a != render_png(64, 64, 6, prompt="cat")
    assert a != render_png(64, 64, 5, prompt="dog")
    assert a != render_png(64, 64, 5, prompt="cat", transparent=True)


def test_render_png_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError):
        render_png(0, 10, 1)
    with pytest.raises(ValueError):
        render_png(10, 20000, 1)


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


def jpeg_header(width: int, height: int, sof: int = 0xC0, app_size: int = 16) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", app_size) + b"JFIF\x00" + bytes(app_size - 7)
    dht = b"\xff\xc4" + struct.pack(">H", 5) + b"\x00\x01\x02"  # a non-frame marker inside the C0..CF range
    sof_seg = bytes([0xFF, sof]) + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + b"\xff" + dht + sof_seg + b"\xff\xda\x00\x08"


def gif_header(width: int, height: int, version: bytes = b"89a") -> bytes:
    return b"GIF" + version + struct.pack("<HH", width, height) + b"\x80\x00\x00"


def riff(chunk: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_vp8(width: int, height: int) -> bytes:
    body = b"\x10\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + bytes(8)
    return riff(b"VP8 " + struct.pack("<I", len(body)) + body)


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    body = b"\x2f" + struct.pack("<I", bits) + bytes(4)
    return riff(b"VP8L" + struct.pack("<I", len(body)) + body)


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"\x10\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return riff(b"VP8X" + struct.pack("<I", len(body)) + body)


@pytest.mark.parametrize(
    ("data", "kind", "size"),
    [
        (png_header(640, 480), "png", (640, 480)),
        (jpeg_header(1920, 1080), "jpeg", (1920, 1080)),
        (jpeg_header(300, 4000, sof=0xC2, app_size=5000), "jpeg", (300, 4000)),
        (gif_header(320, 200), "gif", (320, 200)),
        (gif_header(1, 2, b"87a"), "gif", (1, 2)),
        (webp_vp8(1024, 768), "webp", (1024, 768)),
        (webp_vp8l(4096, 16), "webp", (4096, 16)),
        (webp_vp8x(12000, 9000), "webp", (12000, 9000)),
    ],
)
def test_image_size_from_minimal_headers(data: bytes, kind: str, size: tuple[int, int]) -> None:
    assert is_image(data) == kind
    assert image_size(data) == size


def test_png_size_only_reads_png() -> None:
    assert png_size(png_header(7, 9)) == (7, 9)
    assert png_size(jpeg_header(7, 9)) is None


def test_jpeg_fill_bytes_are_skipped() -> None:
    data = jpeg_header(50, 60)
    padded = data[:2] + b"\xff\xff" + data[2:]
    assert image_size(padded) == (50, 60)


@pytest.mark.parametrize(
    "data",
    [b"", b"hello world", b"\x89PNG\r\n\x1a\n", png_header(5, 5)[:20], jpeg_header(5, 5)[:30], b"GIF89a\x01", b"RIFF"],
)
def test_unknown_or_truncated_data_gives_none(data: bytes) -> None:
    assert image_size(data) is None


def test_is_image_rejects_other_files() -> None:
    assert is_image(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert is_image(b"%PDF-1.7") is None
