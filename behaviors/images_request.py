"""Reading an images request (generation, edit, variation) into a plan, with OpenAI's per-model rules.

Model families, by id: dall-e-2, dall-e-3, gpt-image (gpt-image-*, chatgpt-image-*), diffusion
(stable-diffusion, sdxl, flux, ...) and any other id.

- size: dall-e-2 256x256/512x512/1024x1024; dall-e-3 1024x1024/1792x1024/1024x1792; gpt-image
  1024x1024/1536x1024/1024x1536/auto; diffusion any WxH with sides multiples of 8 from 64 to 2048 (all the common
  sizes); other models any WxH with sides from 16 to 4096. `auto` and no size mean 1024x1024 (for gpt-image edits,
  the listed size nearest the first input image's shape). Anything else is a 400 naming `size`.
- quality: gpt-image low/medium/high/auto (auto renders as medium); dall-e-3 standard/hd/auto; dall-e-2 standard/auto;
  diffusion and other models take any listed value. style matters for dall-e-3 only. dall-e-3 makes one image per
  request (n=1).
- background transparent (an RGBA image) and output_format jpeg/webp are for every family but dall-e, which
  writes opaque PNGs; transparent needs png or webp. jpeg/webp need PyAV.
- response_format: gpt-image models answer b64_json unless asked for a URL; the others a URL unless asked for
  b64_json.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from fakeai.context import Context, UploadedFile
from fakeai.errors import APIError

from . import files, images_files
from .catalog import ModelInfo
from .models_api import resolve_model
from .sim.png import image_size, is_image

SIZES = {
    "dall-e-2": ("256x256", "512x512", "1024x1024"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
    "gpt-image": ("1024x1024", "1536x1024", "1024x1536", "auto"),
}
QUALITIES = {
    "gpt-image": ("low", "medium", "high", "auto"),
    "dall-e-3": ("standard", "hd", "auto"),
    "dall-e-2": ("standard", "auto"),
}
PROMPT_LIMITS = {"dall-e-2": 1000, "dall-e-3": 4000, "gpt-image": 32000}
DEFAULT_SIZE = "1024x1024"
_WXH = re.compile(r"^([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$")


@dataclass
class Source:
    """An input image of an edit or variation (bytes when we have them; size when it could be read)."""

    data: bytes | None
    size: tuple[int, int] | None


@dataclass
class ImagePlan:
    kind: str  # generation | edit | variation
    model: ModelInfo
    model_name: str
    family: str
    prompt: str
    n: int
    width: int
    height: int
    quality: str
    style: str
    transparent: bool
    output_format: str
    compression: int
    response_format: str
    stream: bool
    partial_images: int
    sources: list[Source] = field(default_factory=list)
    key: str = ""  # what the pictures depend on (prompt, model, size, style, sources, seed), not the delivery

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


def family(model_id: str) -> str:
    m = model_id.lower()
    if m.startswith("dall-e-2"):
        return "dall-e-2"
    if m.startswith("dall-e-3"):
        return "dall-e-3"
    if "gpt-image" in m or "chatgpt-image" in m:
        return "gpt-image"
    if re.search(r"diffusion|sdxl|stabilityai/|flux", m):
        return "diffusion"
    return "other"


def _choices(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def _invalid(param: str, value: Any, allowed: tuple[str, ...] | None = None, why: str = "") -> APIError:
    msg = f"Invalid value: '{value}'."
    msg += f" Supported values are: {_choices(allowed)}." if allowed else f" {why}"
    return APIError(400, msg, param=param, code="invalid_value")


def parse_size(fam: str, raw: str | None, sources: list[Source], kind: str) -> tuple[int, int]:
    size = raw or "auto"
    allowed = SIZES.get(fam)
    if kind == "variation" or (kind == "edit" and fam == "dall-e-2"):
        allowed = SIZES["dall-e-2"]
    if allowed is not None and size not in allowed and size != "auto":
        raise _invalid("size", size, allowed)
    if size == "auto":
        if fam == "gpt-image" and sources and sources[0].size:
            w, h = sources[0].size
            size = "1536x1024" if w > h * 1.2 else "1024x1536" if h > w * 1.2 else DEFAULT_SIZE
        else:
            size = DEFAULT_SIZE
    m = _WXH.match(size)
    if m is None:
        raise _invalid("size", size, why="Give the size as WIDTHxHEIGHT in pixels, e.g. '1024x1024', or 'auto'.")
    w, h = int(m.group(1)), int(m.group(2))
    if fam == "diffusion" and not (64 <= w <= 2048 and 64 <= h <= 2048 and w % 8 == 0 and h % 8 == 0):
        raise _invalid("size", size, why="This model draws sides that are multiples of 8 from 64 to 2048 pixels.")
    if fam == "other" and not (16 <= w <= 4096 and 16 <= h <= 4096):
        raise _invalid("size", size, why="Each side must be from 16 to 4096 pixels.")
    return w, h


def _quality(fam: str, raw: str | None) -> str:
    value = raw or "auto"
    allowed = QUALITIES.get(fam)
    if allowed is not None and value not in allowed:
        raise _invalid("quality", value, allowed)
    if value == "auto":
        return "medium" if fam == "gpt-image" else "standard"
    return value


def _fields(ctx: Context) -> dict[str, Any]:
    """The request's fields as typed values (multipart form values come validated from the model)."""
    if ctx.form is not None and isinstance(ctx.body, BaseModel):
        data = ctx.body.model_dump(exclude_unset=True, exclude={"image", "mask", "file"})
        return {k: v for k, v in data.items() if not isinstance(v, bytes | list) or k == "images"}
    return dict(ctx.data or {})


def _decode_data_url(url: str, param: str) -> bytes:
    head, _, payload = url.partition(",")
    try:
        return base64.b64decode(payload, validate=False) if head.endswith(";base64") else payload.encode()
    except (binascii.Error, ValueError):
        raise APIError(400, "The image data URL is not valid base64.", param=param) from None


def check_image(data: bytes, param: str, name: str = "") -> Source:
    kind = is_image(data)
    if kind is None:
        label = f" '{name}'" if name else ""
        raise APIError(
            400,
            f"Invalid image{label}: expected a PNG, JPEG, WebP or GIF file.",
            param=param,
            code="invalid_image_format",
        )
    return Source(data, image_size(data))


def _json_source(ctx: Context, ref: dict[str, Any], param: str) -> Source:
    if ref.get("file_id"):
        obj = files.require(ctx.services.store, ref["file_id"], param=f"{param}.file_id")
        return check_image(files.read(ctx.services.store, obj["id"]), f"{param}.file_id")
    url = str(ref.get("image_url") or "")
    if url.startswith("data:"):
        return check_image(_decode_data_url(url, f"{param}.image_url"), f"{param}.image_url")
    return Source(None, None)  # a remote URL: fakeai does not fetch it


def _uploads(ctx: Context, name: str) -> list[UploadedFile]:
    """The file parts named `name`; a plain form field of that name counts as a file of its text."""
    if ctx.files.get(name):
        return ctx.files[name]
    value = (ctx.form or {}).get(name)
    values = value if isinstance(value, list) else [] if value is None else [value]
    return [UploadedFile(name, name, "", v if isinstance(v, bytes) else str(v).encode()) for v in values]


def sources(ctx: Context, kind: str, fam: str) -> tuple[list[Source], Source | None]:
    """The input images (and mask) of an edit or variation, validated."""
    if ctx.form is None:  # JSON edit: image references
        body = ctx.data
        found = [_json_source(ctx, ref, f"images[{i}]") for i, ref in enumerate(body.get("images") or [])]
        mask = _json_source(ctx, body["mask"], "mask") if body.get("mask") else None
    else:
        uploads = _uploads(ctx, "image")
        if not uploads:
            raise APIError(
                400, "Missing required parameter: 'image'.", param="image", code="missing_required_parameter"
            )
        found = [check_image(f.data, "image", f.filename) for f in uploads]
        masks = _uploads(ctx, "mask")
        mask = check_image(masks[0].data, "mask", masks[0].filename) if masks else None
    if kind == "variation" or fam == "dall-e-2":
        for src in found:
            if src.data is not None and (is_image(src.data) != "png" or (src.size and src.size[0] != src.size[1])):
                raise APIError(
                    400, "The image must be a square PNG for this model.", param="image", code="invalid_image"
                )
    if mask is not None and mask.size and found and found[0].size and mask.size != found[0].size:
        (mw, mh), (iw, ih) = mask.size, found[0].size
        raise APIError(400, f"The mask is {mw}x{mh} but the image is {iw}x{ih}; they must match.", param="mask")
    return found, mask


def plan(ctx: Context, kind: str, default_model: str) -> ImagePlan:
    req = _fields(ctx)
    model_name = req.get("model") or default_model
    model = resolve_model(ctx, model_name)
    fam = family(model.id)
    prompt = str(req.get("prompt") or "")
    limit = PROMPT_LIMITS.get(fam)
    if limit and len(prompt) > limit:
        raise APIError(
            400, f"The prompt is {len(prompt)} characters; this model reads at most {limit}.", param="prompt"
        )
    n = int(req.get("n") or 1)
    if fam == "dall-e-3" and n != 1:
        raise APIError(400, "You must provide n=1 for this model.", param="n", code="invalid_value")
    found: list[Source] = []
    if kind != "generation":
        found, _ = sources(ctx, kind, fam)
    width, height = parse_size(fam, req.get("size"), found, kind)
    quality = _quality(fam, req.get("quality"))
    background = req.get("background") or "auto"
    fmt = req.get("output_format") or "png"
    dalle = fam.startswith("dall-e")
    if dalle and fmt != "png":
        raise _invalid("output_format", fmt, ("png",))
    if dalle and background == "transparent":
        raise _invalid("background", background, ("opaque", "auto"))
    if background == "transparent" and fmt == "jpeg":
        raise APIError(400, "A transparent background needs output_format png or webp.", param="background")
    images_files.require_encoder(fmt)
    compression = req.get("output_compression")
    compression = 100 if compression is None else int(compression)
    if not 0 <= compression <= 100:
        raise APIError(400, "output_compression must be from 0 to 100.", param="output_compression")
    response_format = req.get("response_format") or ("b64_json" if fam == "gpt-image" else "url")
    h = hashlib.blake2b(digest_size=16)
    for part in (model.id, prompt, width, height, quality, req.get("style"), background, req.get("seed")):
        h.update(f"|{part}".encode("utf-8", "replace"))
    for src in found:
        h.update(src.data or b"-")
    if ctx.settings.variety:
        h.update(str(ctx.seed).encode())
    return ImagePlan(
        kind=kind,
        model=model,
        model_name=model_name,
        family=fam,
        prompt=prompt,
        n=n,
        width=width,
        height=height,
        quality=quality,
        style=str(req.get("style") or "vivid"),
        transparent=background == "transparent",
        output_format=fmt,
        compression=compression,
        response_format=response_format,
        stream=req.get("stream") in (True, "true"),
        partial_images=int(req.get("partial_images") or 0),
        sources=found,
        key=h.hexdigest(),
    )
