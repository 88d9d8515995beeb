"""Image files: encoding (PNG, and JPEG/WebP through PyAV) and the expiring URLs that images requests return.

An image returned by URL is kept in the store (a document of kind "image_file" with its expiry, and a blob with
the bytes) and served by getImageFile at `<base>/v1/images/files/<id>` without an API key, so the URL opens in a
browser, as OpenAI's do. URLs expire after an hour (OpenAI's lifetime); expired or unknown ids are a 404. The URL is
absolute, built from the base URL the request came to.

Pixels come from `sim.png.render_png`: its PNGs are one IDAT chunk of rows filtered with "Up", so they decode with
one cumulative sum. JPEG and WebP are encoded with PyAV (`av`, the optional `fakeai[media]` extra); without it
those formats are a 400 naming output_format with the install hint.
"""

from __future__ import annotations

import importlib
import struct
import time
import uuid
import zlib
from fractions import Fraction
from types import ModuleType
from typing import Any

import numpy as np

from fakeai.context import Binary, Context
from fakeai.errors import APIError
from fakeai.registry import serves

from .sim.png import PNG_SIGNATURE

KIND = "image_file"
TTL_SECONDS = 3600
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
INSTALL_HINT = "pip install 'fakeai[media]'"
_PURGE_BATCH = 50


# ---------------------------------------------------------------------------------------------------- pixels
def png_pixels(png: bytes) -> np.ndarray:
    """(height, width, 3 or 4) uint8 pixels of a PNG written by `render_png` (8-bit RGB/RGBA, filter Up)."""
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    if not png.startswith(PNG_SIGNATURE) or depth != 8 or colour not in (2, 6):
        raise ValueError("not a PNG written by render_png")
    length = struct.unpack(">I", png[33:37])[0]
    if png[37:41] != b"IDAT":
        raise ValueError("expected one IDAT chunk after IHDR")
    rows = np.frombuffer(zlib.decompress(png[41 : 41 + length]), dtype=np.uint8).reshape(height, -1)
    if not (rows[:, 0] == 2).all():
        raise ValueError("expected filter type Up on every row")
    channels = 4 if colour == 6 else 3
    return np.cumsum(rows[:, 1:], axis=0, dtype=np.uint8).reshape(height, width, channels)


def encode_png(pixels: np.ndarray) -> bytes:
    """An 8-bit RGB or RGBA PNG of `pixels` (height, width, 3|4)."""
    height, width, channels = pixels.shape
    rows = np.ascontiguousarray(pixels).reshape(height, -1)
    filtered = np.empty((height, rows.shape[1] + 1), dtype=np.uint8)
    filtered[:, 0] = 2
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(filtered.tobytes(), 1))
        + chunk(b"IEND", b"")
    )


def pixelate(pixels: np.ndarray, block: int) -> np.ndarray:
    """`pixels` as blocks of `block` x `block` averaged pixels (a coarse preview, for partial images)."""
    height, width = pixels.shape[:2]
    bh, bw = -(-height // block), -(-width // block)
    padded = np.pad(pixels, ((0, bh * block - height), (0, bw * block - width), (0, 0)), mode="edge")
    means = padded.reshape(bh, block, bw, block, -1).mean(axis=(1, 3)).astype(np.uint8)
    return np.repeat(np.repeat(means, block, axis=0), block, axis=1)[:height, :width]


# ---------------------------------------------------------------------------------------------------- formats
def _av() -> ModuleType | None:
    try:
        return importlib.import_module("av")
    except ImportError:
        return None


def require_encoder(fmt: str) -> None:
    """400 naming output_format when this process cannot write `fmt`."""
    if fmt != "png" and _av() is None:
        raise APIError(
            400,
            f"output_format '{fmt}' needs PyAV, which this fakeai server lacks: {INSTALL_HINT}",
            param="output_format",
            code="unsupported_format",
        )


def encode(pixels: np.ndarray, fmt: str, compression: int = 100) -> bytes:
    """`pixels` as a png, jpeg or webp file; `compression` is OpenAI's output_compression (100 = best quality)."""
    if fmt == "png":
        return encode_png(pixels)
    require_encoder(fmt)
    av = _av()
    assert av is not None
    alpha = pixels.shape[2] == 4
    ctx = av.CodecContext.create("mjpeg" if fmt == "jpeg" else "libwebp", "w")
    ctx.width, ctx.height = pixels.shape[1], pixels.shape[0]
    ctx.time_base = Fraction(1, 25)
    quality = min(100, max(0, compression))
    if fmt == "jpeg":
        ctx.pix_fmt = "yuvj420p"
        ctx.qmin = ctx.qmax = 2 + round((100 - quality) * 29 / 100)  # JPEG qscale: 2 (best) .. 31
        pixels = pixels[..., :3]
    else:
        ctx.pix_fmt = "yuva420p" if alpha else "yuv420p"
        ctx.options = {"quality": str(quality), "lossless": "0"}
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgba" if pixels.shape[2] == 4 else "rgb24")
    frame = frame.reformat(format=ctx.pix_fmt)
    frame.pts = 0
    return b"".join(bytes(p) for p in [*ctx.encode(frame), *ctx.encode(None)])


# ---------------------------------------------------------------------------------------------------- URLs
def _purge_expired(ctx: Context, now: float) -> None:
    store = ctx.services.store
    for obj in store.list(KIND, limit=_PURGE_BATCH, order="asc").items:
        if obj["expires_at"] > now:
            break
        store.delete(KIND, obj["id"])
        store.delete_blob(f"{KIND}:{obj['id']}")


def save(ctx: Context, data: bytes, fmt: str) -> str:
    """Keep `data` for TTL_SECONDS and return its absolute URL."""
    now = time.time()
    _purge_expired(ctx, now)
    image_id = f"img-{uuid.uuid4().hex}.{fmt}"
    store = ctx.services.store
    with store.transaction():
        store.put_blob(f"{KIND}:{image_id}", data)
        doc = {"id": image_id, "created_at": int(now), "expires_at": now + TTL_SECONDS, "media_type": MEDIA_TYPES[fmt]}
        store.put(KIND, image_id, doc, created_at=int(now))
    return url_for(ctx, image_id)


def url_for(ctx: Context, image_id: str) -> str:
    """The absolute URL of an image: the request's base URL (scheme, host, any mount prefix) + /v1/images/files/id.

    Requests to the root alias (/images/generations) are rewritten to /v1 before they reach us; /v1 URLs work for
    both."""
    base = str(ctx.request.base_url)
    return f"{base.rstrip('/')}/v1/images/files/{image_id}"


@serves("getImageFile")
async def get_image_file(_: Any, ctx: Context) -> Binary:
    image_id = ctx.params.image_id
    store = ctx.services.store
    doc = store.get(KIND, image_id)
    data = store.get_blob(f"{KIND}:{image_id}") if doc is not None else None
    if doc is None or data is None or doc["expires_at"] <= time.time():
        if doc is not None:
            store.delete(KIND, image_id)
            store.delete_blob(f"{KIND}:{image_id}")
        raise APIError(404, f"No image file {image_id!r}: unknown, or its URL has expired.", param="image_id")
    left = max(0, int(doc["expires_at"] - time.time()))
    return Binary(data, doc["media_type"], headers={"Cache-Control": f"private, max-age={left}"})
