"""Moderations: createModeration, in OpenAI's omni-moderation shape.

Text is scored by the lexicon classifier of `sim.moderation` (13 categories, flagged above 0.5); image parts by
`score_image` (only the categories OpenAI applies to images). Inputs:
- a string: one result;
- an array of strings: one result per string;
- an array of text and image_url parts: one result for all of them together: text parts are read as one text,
  every category's score is the highest over the text and the images, and `category_applied_input_types` says per
  category which kinds of input were scored ("image" only for the image categories).
The legacy text-moderation models read text only: image parts are a 400, and the illicit categories, which they
do not have, are null (flag) and 0 (score). The default model is omni-moderation-latest; `model` is echoed.
"""

from __future__ import annotations

import uuid
from typing import Any

from fakeai.context import Context
from fakeai.errors import APIError
from fakeai.registry import serves

from .latency import engine
from .models_api import resolve_model
from .sim import moderation as mod
from .sim.tokenizer import count_tokens
from .usage import record_usage

DEFAULT_MODEL = "omni-moderation-latest"
_ILLICIT = ("illicit", "illicit/violent")


def _legacy(model_id: str) -> bool:
    return model_id.startswith("text-moderation")


def result(texts: list[str], images: list[str], *, legacy: bool = False) -> dict[str, Any]:
    """One moderation result for the given text and image inputs scored together."""
    scores = dict.fromkeys(mod.CATEGORIES, 0.0)
    if texts:
        scores = mod.score_text("\n".join(texts))
    for url in images:
        for cat, value in mod.score_image(url).items():
            scores[cat] = max(scores[cat], value)
    flags: dict[str, bool | None] = dict(mod.flags(scores))
    applied: dict[str, list[str]] = {}
    for cat in mod.CATEGORIES:
        kinds = ["text"] if texts else []
        if images and cat in mod.IMAGE_CATEGORIES:
            kinds.append("image")
        applied[cat] = kinds
    if legacy:
        for cat in _ILLICIT:
            flags[cat], scores[cat], applied[cat] = None, 0.0, []
    return {
        "flagged": any(bool(v) for v in flags.values()),
        "categories": flags,
        "category_scores": scores,
        "category_applied_input_types": applied,
    }


@serves("createModeration")
async def create_moderation(_: Any, ctx: Context) -> dict[str, Any]:
    req = ctx.data
    model_name = req.get("model") or DEFAULT_MODEL
    model = resolve_model(ctx, model_name)
    legacy = _legacy(model.id)
    raw = req["input"]
    results: list[dict[str, Any]] = []
    tokens = 0
    if isinstance(raw, str):
        results.append(result([raw], [], legacy=legacy))
        tokens = count_tokens(raw)
    elif all(isinstance(item, str) for item in raw):
        for text in raw:
            results.append(result([text], [], legacy=legacy))
            tokens += count_tokens(text)
    else:
        texts = [p["text"] for p in raw if p.get("type") == "text"]
        images = [p["image_url"]["url"] for p in raw if p.get("type") == "image_url"]
        if images and legacy:
            raise APIError(
                400,
                f"The model {model_name} moderates text only; use omni-moderation-latest for images.",
                param="input",
                code="invalid_value",
            )
        results.append(result(texts, images))
        tokens = sum(count_tokens(t) for t in texts)
    record_usage(ctx, model, tokens, 0, images=0)
    schedule = engine(ctx).schedule(model, tokens, ctx.rng("latency"), arrival=ctx.received)
    if not schedule.zero:
        await schedule.first_token()
    return {"id": "modr-" + uuid.uuid4().hex, "model": model_name, "results": results}
