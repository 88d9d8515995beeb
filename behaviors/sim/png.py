"""Real PNG images without Pillow, and image-header sniffing (format, width, height) for PNG/JPEG/GIF/WebP.

``render_png`` draws a deterministic landscape-like picture (diagonal sky gradient, a sun, two rolling hill
layers and a few translucent discs) whose palette and layout derive from ``seed`` and ``prompt``. Pixels are
built with numpy broadcasting; rows use PNG filter type 2 ("Up"), which turns the smooth picture into long runs
of small bytes, so zlib level 1 is both fast and compact.

``image_size`` reads only header bytes, so it works on a truncated prefix of a file (as decoded from the start of
a data: URL); it returns None when the bytes are not a recognised image or the needed header is missing.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 16384
_ZLIB_LEVEL = 1


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def _params(seed: int, prompt: str) -> np.ndarray:
    digest = hashlib.blake2b(f"{seed}\x00{prompt}".encode("utf-8", "surrogatepass"), digest_size=64).digest()
    return np.frombuffer(digest, dtype=np.uint8).astype(np.float32) / 255.0


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    """An RGB colour (float32, 0..255) from hue/saturation/value in [0, 1]."""
    k = (np.array([5.0, 3.0, 1.0], dtype=np.float32) + h * 6.0) % 6.0
    rgb = v - v * s * np.clip(np.minimum(k, 4.0 - k), 0.0, 1.0)
    return (rgb * 255.0).astype(np.float32)


def _picture(width: int, height: int, p: np.ndarray, transparent: bool) -> np.ndarray:
    channels = 4 if transparent else 3
    img = np.zeros((height, width, channels), dtype=np.uint8)
    hue = float(p[0])
    top, bottom = _hsv(hue, 0.35 + 0.3 * float(p[1]), 0.95), _hsv((hue + 0.12) % 1.0, 0.5, 0.6 + 0.3 * float(p[2]))
    xs = np.linspace(0.0, 1.0, width, dtype=np.float32)
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)
    tilt = 0.15 + 0.25 * float(p[3])
    # A linear gradient is a row term plus a column term. Shifting the column term to be non-negative keeps both
    # terms and their sum within 0..255, so the whole sky is one broadcast uint8 add.
    row_part = top + (bottom - top) * ((1.0 - tilt) * ys[:, None])
    col_part = (bottom - top) * (tilt * xs[:, None])
    low = col_part.min(axis=0)
    row8 = np.clip(np.rint(row_part + low), 0, 255).astype(np.uint8)
    col8 = np.clip(np.rint(col_part - low), 0, 255 - row8.max(axis=0)).astype(np.uint8)
    np.add(row8[:, None, :], col8[None, :, :], out=img[..., :3])
    scale = min(width, height)
    # Sun (and, when transparent, everything drawn is opaque on a clear background).
    _disc(
        img,
        width * (0.2 + 0.6 * float(p[4])),
        height * (0.15 + 0.2 * float(p[5])),
        scale * 0.12,
        _hsv((hue + 0.5) % 1.0, 0.6, 1.0),
        1.0,
    )
    # Two hill layers: fill each column below a sum of sines.
    for layer in range(2):
        q = p[8 + 6 * layer : 14 + 6 * layer]
        base = 0.55 + 0.15 * layer + 0.1 * float(q[0])
        ridge = base + (0.05 + 0.05 * float(q[1])) * np.sin((2.0 + 5.0 * float(q[2])) * np.pi * xs + 6.28 * float(q[3]))
        ridge += 0.03 * np.sin((9.0 + 9.0 * float(q[4])) * np.pi * xs + 6.28 * float(q[5]))
        colour = _hsv((hue + 0.15 + 0.7 * float(p[6]) + 0.06 * layer) % 1.0, 0.45 + 0.2 * layer, 0.7 - 0.2 * layer)
        shade = np.full((height, channels), 255, dtype=np.uint8)  # alpha (if any) stays opaque
        shade[:, :3] = colour * (1.0 - 0.35 * ys[:, None])  # darker towards the bottom
        # Each column is filled from its ridge row down: 1 slice per column beats a full-image mask.
        starts = np.searchsorted(ys, ridge, side="right").tolist()
        for x, start in enumerate(starts):
            img[start:, x] = shade[start:]
    for k in range(3):
        q = p[24 + 5 * k : 29 + 5 * k]
        _disc(
            img,
            width * float(q[0]),
            height * (0.3 + 0.6 * float(q[1])),
            scale * (0.04 + 0.08 * float(q[2])),
            _hsv(float(q[3]), 0.7, 0.9),
            0.45 + 0.3 * float(q[4]),
        )
    return img


def _disc(img: np.ndarray, cx: float, cy: float, r: float, colour: np.ndarray, alpha: float) -> None:
    height, width = img.shape[:2]
    x0, x1 = max(0, int(cx - r)), min(width, int(cx + r) + 1)
    y0, y1 = max(0, int(cy - r)), min(height, int(cy + r) + 1)
    if x0 >= x1 or y0 >= y1:
        return
    yy = np.arange(y0, y1, dtype=np.float32)[:, None] - cy
    xx = np.arange(x0, x1, dtype=np.float32)[None, :] - cx
    mask = yy * yy + xx * xx <= r * r
    region = img[y0:y1, x0:x1]
    rgb = region[..., :3]
    blended = (rgb[mask].astype(np.float32) * (1.0 - alpha) + colour * alpha).astype(np.uint8)
    rgb[mask] = blended
    if img.shape[2] == 4:
        region[..., 3][mask] = np.maximum(region[..., 3][mask], np.uint8(255 * alpha))


def render_png(width: int, height: int, seed: int, *, prompt: str = "", transparent: bool = False) -> bytes:
    """A valid 8-bit RGB (RGBA if ``transparent``) PNG of the given size; deterministic in (size, seed, prompt)."""
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise ValueError(f"image size must be within 1..{MAX_SIDE}, got {width}x{height}")
    img = _picture(width, height, _params(seed, prompt), transparent)
    rows = img.reshape(height, -1)
    filtered = np.empty((height, rows.shape[1] + 1), dtype=np.uint8)
    filtered[:, 0] = 2  # filter type Up
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # uint8 arithmetic wraps modulo 256, as PNG wants
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6 if transparent else 2, 0, 0, 0)
    idat = zlib.compress(filtered.tobytes(), _ZLIB_LEVEL)
    return PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def is_image(data: bytes) -> str | None:
    """The image format from magic bytes: "png", "jpeg", "gif", "webp", or None."""
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR, or None if ``data`` does not start with a PNG header."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return (width, height) if width and height else None


# JPEG start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset(range(0xD0, 0xD9)) | {0x01}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            continue
        if marker == 0xD9 or marker == 0xDA:  # end of image / start of scan before any frame header
            return None
        length = int.from_bytes(data[i + 2 : i + 4])
        if marker in _SOF_MARKERS:
            if i + 9 > n:
                return None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return (width, height) if width and height else None
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    kind, body = data[12:16], data[20:]
    if kind == b"VP8 " and len(body) >= 10 and body[3:6] == b"\x9d\x01\x2a":
        w, h = struct.unpack("<HH", body[6:10])
        return (w & 0x3FFF, h & 0x3FFF)
    if kind == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if kind == b"VP8X" and len(body) >= 10:
        return (int.from_bytes(body[4:7], "little") + 1, int.from_bytes(body[7:10], "little") + 1)
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, JPEG (SOF marker), GIF or WebP (VP8/VP8L/VP8X) header, else None."""
    kind = is_image(data)
    if kind == "png":
        return png_size(data)
    if kind == "jpeg":
        return _jpeg_size(data)
    if kind == "gif":
        if len(data) < 10:
            return None
        w, h = struct.unpack("<HH", data[6:10])
        return (w, h) if w and h else None
    if kind == "webp":
        return _webp_size(data)
    return None
