"""Images: createImage, createImageEdit, createImageVariation.

Every image is a real picture of the requested size (`sim.png.render_png`), deterministic in what it depends on:
prompt, model, size, quality, style, background, `seed` and the uploaded images, not how it is delivered (so a URL
and a b64_json answer show the same picture). Formats: PNG, or JPEG/WebP via PyAV; returned by URL (served by
fakeai itself, see images_files) or as base64. What each model accepts is in
images_request. dall-e-3 returns a revised_prompt (the prompt, slightly elaborated); gpt-image models return the
size, quality, background and format used and token usage in OpenAI's shape (output tokens per image from OpenAI's
table by quality and size). With `stream: true` the answer is server-sent events: `partial_images` coarse
previews (image_generation.partial_image / image_edit.partial_image), then each final image with its usage
(image_generation.completed / image_edit.completed).
"""

from __future__ import annotations

import asyncio
import base64
import random
import time
from collections.abc import AsyncIterator
from typing import Any

from fakeai.context import Context, EventStream
from fakeai.registry import serves

from . import images_files
from .images_request import ImagePlan, plan
from .latency import engine
from .sim.png import render_png
from .sim.tokenizer import count_tokens
from .sim.vision_tokens import image_tokens
from .usage import record_usage

# gpt-image output tokens per image, by quality and size (OpenAI's published table)
OUTPUT_TOKENS = {
    "low": {"1024x1024": 272, "1024x1536": 408, "1536x1024": 400},
    "medium": {"1024x1024": 1056, "1024x1536": 1584, "1536x1024": 1568},
    "high": {"1024x1024": 4160, "1024x1536": 6240, "1536x1024": 6208},
}
EVENT_SIZES = ("1024x1024", "1024x1536", "1536x1024")
EVENT_QUALITY = {"standard": "medium", "hd": "high"}
PREVIEW_BLOCKS = (32, 16, 8)  # pixel block sizes of the 1st..3rd partial image (coarse to fine)
_FLOURISHES = (
    "rendered in rich, natural colours with soft, even light",
    "with crisp detail, gentle depth of field and a balanced composition",
    "captured in warm light with subtle shadows and a sense of depth",
    "shown in a clean, detailed style with vivid but realistic colours",
)
_VIVID = ("dramatic lighting and bold contrast", "saturated colours and a cinematic mood")
_NATURAL = ("muted, true-to-life tones", "an understated, documentary feel")


def output_tokens(p: ImagePlan) -> int:
    """Output tokens of one image (gpt-image table; other sizes scale with the pixel count)."""
    table = OUTPUT_TOKENS.get(p.quality, OUTPUT_TOKENS["medium"])
    if p.size in table:
        return table[p.size]
    return max(1, round(table["1024x1024"] * p.width * p.height / (1024 * 1024)))


def input_tokens(p: ImagePlan) -> tuple[int, int]:
    """(text tokens, image tokens) read: the prompt, and the input images of an edit."""
    image = sum(image_tokens(s.size[0] if s.size else None, s.size[1] if s.size else None, "high", base_tokens=65,
                             tile_tokens=129) for s in p.sources)  # fmt: skip
    return count_tokens(p.prompt), image


def revised_prompt(prompt: str, style: str, rng: random.Random) -> str:
    text = prompt.strip().rstrip(".") or "An imaginative scene"
    mood = rng.choice(_NATURAL if style == "natural" else _VIVID)
    return f"{text[0].upper()}{text[1:]}, {rng.choice(_FLOURISHES)}, with {mood}."


def render(p: ImagePlan, index: int) -> tuple[bytes, Any]:
    """(file bytes, pixels or None) of image `index`; pixels are decoded only when they are needed."""
    seed = random.Random(f"{p.key}:{index}").getrandbits(63)
    png = render_png(p.width, p.height, seed, prompt=p.prompt, transparent=p.transparent)
    if p.output_format == "png" and not (p.stream and p.partial_images):
        return png, None
    pixels = images_files.png_pixels(png)
    data = png if p.output_format == "png" else images_files.encode(pixels, p.output_format, p.compression)
    return data, pixels


def _usage(p: ImagePlan, count: int) -> dict[str, Any]:
    text, image = input_tokens(p)
    out = output_tokens(p) * count
    return {
        "input_tokens": text + image,
        "input_tokens_details": {"text_tokens": text, "image_tokens": image},
        "output_tokens": out,
        "output_tokens_details": {"image_tokens": out, "text_tokens": 0},
        "total_tokens": text + image + out,
    }


def _record(ctx: Context, p: ImagePlan) -> None:
    text, image = input_tokens(p)
    out = output_tokens(p) * p.n if p.family == "gpt-image" else 0
    record_usage(ctx, p.model, text + image, out, images=p.n)


async def _wait(ctx: Context, p: ImagePlan) -> None:
    schedule = engine(ctx).schedule(p.model, 0, ctx.rng("latency"), arrival=ctx.received)
    if not schedule.zero:
        await schedule.first_token()


async def answer(ctx: Context, p: ImagePlan) -> Any:
    _record(ctx, p)
    if p.stream:
        return EventStream(events(ctx, p), done=False, event_field="type")
    await _wait(ctx, p)
    data: list[dict[str, Any]] = []
    for i in range(p.n):
        blob, _ = await asyncio.to_thread(render, p, i)
        item: dict[str, Any] = {}
        if p.response_format == "b64_json":
            item["b64_json"] = base64.b64encode(blob).decode()
        else:
            item["url"] = images_files.save(ctx, blob, p.output_format)
        if p.family == "dall-e-3":
            item["revised_prompt"] = revised_prompt(p.prompt, p.style, random.Random(f"{p.key}:revised:{i}"))
        data.append(item)
    body: dict[str, Any] = {"created": int(time.time()), "data": data}
    if p.family == "gpt-image":
        body.update(background="transparent" if p.transparent else "opaque", output_format=p.output_format)
        body["quality"] = EVENT_QUALITY.get(p.quality, p.quality)
        if p.size in EVENT_SIZES:
            body["size"] = p.size
        body["usage"] = _usage(p, p.n)
    return body


async def events(ctx: Context, p: ImagePlan) -> AsyncIterator[dict[str, Any]]:
    prefix = "image_edit" if p.kind == "edit" else "image_generation"
    common = {
        "size": p.size if p.size in EVENT_SIZES else "auto",
        "quality": EVENT_QUALITY.get(p.quality, p.quality),
        "background": "transparent" if p.transparent else "opaque",
        "output_format": p.output_format,
    }
    await _wait(ctx, p)
    usage = _usage(p, 1)
    usage.pop("output_tokens_details")
    for i in range(p.n):
        blob, pixels = await asyncio.to_thread(render, p, i)
        for k in range(min(p.partial_images, len(PREVIEW_BLOCKS))):
            block = PREVIEW_BLOCKS[k + len(PREVIEW_BLOCKS) - p.partial_images]
            preview = images_files.encode(images_files.pixelate(pixels, block), p.output_format, p.compression)
            yield {
                "type": f"{prefix}.partial_image",
                "b64_json": base64.b64encode(preview).decode(),
                "created_at": int(time.time()),
                **common,
                "partial_image_index": k,
            }
        yield {
            "type": f"{prefix}.completed",
            "b64_json": base64.b64encode(blob).decode(),
            "created_at": int(time.time()),
            **common,
            "usage": usage,
        }


@serves("createImage")
async def create_image(_: Any, ctx: Context) -> Any:
    return await answer(ctx, plan(ctx, "generation", "dall-e-2"))


@serves("createImageEdit")
async def create_image_edit(_: Any, ctx: Context) -> Any:
    return await answer(ctx, plan(ctx, "edit", "gpt-image-1.5"))


@serves("createImageVariation")
async def create_image_variation(_: Any, ctx: Context) -> Any:
    return await answer(ctx, plan(ctx, "variation", "dall-e-2"))
