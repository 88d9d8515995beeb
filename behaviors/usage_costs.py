"""Costs: usage-costs. Every recorded request is priced from the model catalog: tokens at price_input /
price_output per million, images at price_per_image, transcriptions at price_per_minute, text-to-speech per
million characters at the input price; Batch API requests at half price (as OpenAI). Costs are summed per daily
bucket as line items ("<model>, input", "<model>, output", "<model>, images", ...), optionally grouped by
project, line item and API key id."""

from __future__ import annotations

from typing import Any

from fakeai.context import Context
from fakeai.registry import serves

from .catalog import ModelInfo
from .models_api import catalog
from .usage_api import Window, bucketed, category, dimensions, group_key, page_rows, sort_key, wanted, window

LIMITS = (7, 180)
BATCH_DISCOUNT = 0.5
_FIELDS = ("line_item", "project_id", "api_key_id")

LineItem = tuple[str, float, float, str]  # (name, amount in USD, quantity, unit)


def line_items(info: ModelInfo | None, row: dict[str, Any], kind: str | None) -> list[LineItem]:
    """What one request cost, per line item. `kind` is the usage endpoint that counts the request."""
    model = row.get("model") or "unknown"
    price_in = info.price_input if info else 0.0
    price_out = info.price_output if info else 0.0
    per_image = info.price_per_image if info else None
    per_minute = info.price_per_minute if info else None
    images, seconds, characters = row.get("images") or 0, row.get("seconds") or 0.0, row.get("characters") or 0
    items: list[LineItem] = []
    if kind == "audio_speeches" and characters:
        items.append((f"{model}, characters", characters * price_in / 1e6, characters, "characters"))
    elif kind == "audio_transcriptions" and seconds and per_minute is not None:
        items.append((f"{model}, audio", seconds / 60.0 * per_minute, seconds, "duration_seconds"))
    elif kind == "images" and images and per_image is not None:
        items.append((f"{model}, images", images * per_image, images, "images"))
    else:
        tokens_in, tokens_out = row.get("input_tokens") or 0, row.get("output_tokens") or 0
        if tokens_in:
            items.append((f"{model}, input", tokens_in * price_in / 1e6, tokens_in, "tokens"))
        if tokens_out:
            items.append((f"{model}, output", tokens_out * price_out / 1e6, tokens_out, "tokens"))
    if row.get("batch"):
        items = [(name, amount * BATCH_DISCOUNT, qty, unit) for name, amount, qty, unit in items]
    return items


def cost_results(group_by: list[str], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        for name, amount, quantity, unit in row["_items"]:
            dims = {**row["_dims"], "line_item": name}
            key = group_key(dims, group_by)
            acc = groups.get(key)
            if acc is None:
                acc = {
                    "object": "organization.costs.result",
                    "amount": {"value": 0.0, "currency": "usd"},
                    **{f: (dims[f] if f in group_by else None) for f in _FIELDS},
                }
                if "line_item" in group_by:
                    acc |= {"quantity": 0.0, "quantity_unit": unit}
                groups[key] = acc
            acc["amount"]["value"] += amount
            if "quantity" in acc:
                acc["quantity"] += quantity
    out = [groups[k] for k in sorted(groups, key=sort_key)]
    for acc in out:
        acc["amount"]["value"] = round(acc["amount"]["value"], 12)
    return out


_SUMMED = ("input_tokens", "output_tokens", "images", "seconds", "characters")


def _summed(ctx: Context, p: Any, w: Window) -> list[dict[str, Any]]:
    """The page's rows summed per bucket, project, key, model, batch flag and kind: prices are linear, so each sum
    is priced once instead of every request."""
    sums: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in page_rows(ctx, w):
        dims = dimensions(row)
        if not wanted(p, dims):
            continue
        kind = category(ctx, row)
        bucket = (row["created_at"] - w.start) // w.width
        key = (bucket, dims["project_id"], dims["api_key_id"], dims["model"], dims["batch"], kind)
        acc = sums.get(key)
        if acc is None:
            acc = {"created_at": row["created_at"], "model": dims["model"], "batch": dims["batch"], "_dims": dims}
            acc |= {"_kind": kind, **dict.fromkeys(_SUMMED, 0)}
            sums[key] = acc
        for field in _SUMMED:
            acc[field] += row.get(field) or 0
    return list(sums.values())


@serves("usage-costs")
async def usage_costs(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    w = window(p, "1d", LIMITS)
    group_by = list(dict.fromkeys(p.group_by or []))
    cat = catalog(ctx)
    rows = []
    for acc in _summed(ctx, p, w):
        items = line_items(cat.get(acc["model"] or ""), acc, acc["_kind"])
        if items:
            rows.append({**acc, "_items": items})
    return bucketed(w, rows, lambda bucket_rows: cost_results(group_by, bucket_rows))
