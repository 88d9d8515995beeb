"""OpenAI's token arithmetic for image and audio inputs to chat models.

Images (GPT-4o-class tile rule):

* ``detail="low"``: a flat 85 tokens, whatever the size.
* ``detail="high"``: scale to fit within 2048x2048 (keeping the aspect ratio), then scale *down* so the shortest
  side is 768 px (images whose shortest side is already 768 px or less are not enlarged), round to whole pixels,
  count 512 px tiles (``ceil(w/512) * ceil(h/512)``) and charge 170 per tile plus 85.
  Examples: 1024x1024 → 768x768 → 4 tiles → 765; 2048x4096 → 768x1536 → 6 tiles → 1105.
* ``detail="auto"`` (also ``None`` or ``""``): "low" when both sides are at most 512 px, otherwise "high".
* Unknown size (``None``): taken as 1024x1024, i.e. 765 tokens for high/auto.

Audio (``input_audio``): about 10 tokens per second of audio (one token per 100 ms), rounded up, at least 1 for
any non-empty clip.
"""

from __future__ import annotations

import binascii
import math
from urllib.parse import unquote_to_bytes

from .audio_formats import wav_info
from .png import image_size, is_image

LOW_DETAIL_TOKENS = 85
TILE_TOKENS = 170
TILE_SIZE = 512
MAX_SIDE = 2048
SHORT_SIDE = 768
AUTO_LOW_MAX = 512
DEFAULT_SIZE = (1024, 1024)
AUDIO_TOKENS_PER_SECOND = 10.0

# Base64 prefix lengths tried by data_url_size: PNG/GIF/WebP headers fit in the first; JPEG frame headers come after
# the APPn segments (EXIF can be large), so those may need more.
_PREFIXES = (64, 4096, 65536, 1 << 20)


def high_detail_size(width: int, height: int) -> tuple[int, int]:
    """The size the "high" detail rule resizes an image to before counting tiles."""
    w, h = float(width), float(height)
    if max(w, h) > MAX_SIDE:
        scale = MAX_SIDE / max(w, h)
        w, h = w * scale, h * scale
    if min(w, h) > SHORT_SIDE:
        scale = SHORT_SIDE / min(w, h)
        w, h = w * scale, h * scale
    return max(1, round(w)), max(1, round(h))


def image_tokens(
    width: int | None,
    height: int | None,
    detail: str | None,
    *,
    base_tokens: int = LOW_DETAIL_TOKENS,
    tile_tokens: int = TILE_TOKENS,
) -> int:
    """Input tokens one image costs; ``base_tokens``/``tile_tokens`` can be changed for models priced differently."""
    if not width or not height or width < 0 or height < 0:
        width, height = DEFAULT_SIZE
    mode = (detail or "auto").lower()
    if mode not in ("low", "high", "auto"):
        raise ValueError(f"unknown image detail {detail!r}; expected 'low', 'high' or 'auto'")
    if mode == "auto":
        mode = "low" if width <= AUTO_LOW_MAX and height <= AUTO_LOW_MAX else "high"
    if mode == "low":
        return base_tokens
    w, h = high_detail_size(width, height)
    tiles = math.ceil(w / TILE_SIZE) * math.ceil(h / TILE_SIZE)
    return base_tokens + tile_tokens * tiles


def data_url_size(url: str) -> tuple[int, int] | None:
    """(width, height) of the image in a ``data:`` URL, decoding only as much of the payload as the header needs."""
    if not url.startswith("data:"):
        return None
    comma = url.find(",")
    if comma < 0:
        return None
    meta, payload = url[5:comma], url[comma + 1 :]
    if not meta.endswith(";base64"):
        return image_size(unquote_to_bytes(payload[: _PREFIXES[-1]]))
    for n in (*_PREFIXES, len(payload)):
        chunk = payload[: n - n % 4] if n < len(payload) else payload
        try:
            head = binascii.a2b_base64(chunk)
        except binascii.Error:  # e.g. line breaks shifted the 4-character alignment: try a longer prefix
            if chunk is payload:
                return None
            continue
        size = image_size(head)
        if size is not None or is_image(head) != "jpeg" or chunk is payload:
            return size
    return None


def audio_tokens(duration_seconds: float) -> int:
    """Input tokens for an audio clip of this length: ceil(10 per second), at least 1 if the clip is non-empty."""
    if not duration_seconds > 0.0:
        return 0
    return max(1, math.ceil(duration_seconds * AUDIO_TOKENS_PER_SECOND - 1e-9))


def wav_duration(data: bytes) -> float | None:
    """Duration in seconds of a WAV file from its header, or None if ``data`` is not a PCM WAV."""
    info = wav_info(data)
    return info[3] if info else None
