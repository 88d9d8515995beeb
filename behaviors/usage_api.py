"""Usage: usage-completions, usage-embeddings, usage-moderations, usage-images, usage-audio-speeches,
usage-audio-transcriptions — computed from the rows behaviors/usage.py records for every request served.

Time is cut into buckets of bucket_width aligned on UTC minutes, hours or days; every bucket of the range is
returned, with `results: []` when nothing happened in it. Rows outside [start_time, end_time) are not counted.
A page holds `limit` buckets; `next_page` is an opaque cursor to the next one. Results are split by the group_by
fields (the others are null), and API keys appear only as ids derived from them (never the key itself).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fakeai.context import Context
from fakeai.registry import serves
from fakeai.store import Store

from .models_api import catalog
from .organization import DEFAULT_PROJECT, DEFAULT_USER, api_key_id
from .usage import KIND
from .usage import flush as flush_usage

WIDTHS = {"1m": 60, "1h": 3600, "1d": 86400}
LIMITS = {"1m": (60, 1440), "1h": (24, 168), "1d": (7, 31)}  # (default, maximum) buckets per page
_PAGE_SIZE = 2000

CATEGORY_OF_OPERATION = {
    "createChatCompletion": "completions",
    "createCompletion": "completions",
    "createResponse": "completions",
    "createTextGeneration": "completions",
    "createEmbedding": "embeddings",
    "createModeration": "moderations",
    "createImage": "images",
    "createImageEdit": "images",
    "createImageVariation": "images",
    "createSpeech": "audio_speeches",
    "createTranscription": "audio_transcriptions",
    "createTranslation": "audio_transcriptions",
}
IMAGE_SOURCE = {
    "createImage": "image.generation",
    "createImageEdit": "image.edit",
    "createImageVariation": "image.variation",
}
_CATEGORY_OF_KIND = {"chat": "completions", "reasoning": "completions", "embedding": "embeddings"}
_CATEGORY_OF_KIND |= {"moderation": "moderations", "image": "images"}


def category(ctx: Context, row: dict[str, Any]) -> str | None:
    """Which usage endpoint counts a row: by operation, else by the kind of its model (None: costs only)."""
    found = CATEGORY_OF_OPERATION.get(row.get("operation") or "")
    if found:
        return found
    if row.get("characters"):
        return "audio_speeches"
    if row.get("seconds"):
        return "audio_transcriptions"
    info = catalog(ctx).get(row.get("model") or "")
    return _CATEGORY_OF_KIND.get(info.kind) if info else None


def dimensions(row: dict[str, Any]) -> dict[str, Any]:
    """The fields results can be grouped and filtered by."""
    key = row.get("api_key")
    return {
        "project_id": row.get("project_id") or DEFAULT_PROJECT,
        "user_id": row.get("user") or DEFAULT_USER,
        "api_key_id": api_key_id(key) if key else None,
        "model": row.get("model"),
        "batch": bool(row.get("batch")),
        "service_tier": row.get("service_tier") or "default",
        "source": row.get("source") or IMAGE_SOURCE.get(row.get("operation") or ""),
        "size": row.get("size"),
    }


# ------------------------------------------------------------------------------------------------ time buckets
@dataclass(frozen=True)
class Window:
    start: int  # first bucket's start (aligned)
    width: int
    lo: int  # rows counted from lo (start_time) ...
    hi: int  # ... to hi (end_time), exclusive
    first: int  # index of this page's first bucket
    count: int  # buckets on this page
    total: int  # buckets in the whole range

    def bucket(self, i: int) -> tuple[int, int]:
        begin = self.start + (self.first + i) * self.width
        return begin, begin + self.width

    @property
    def next_page(self) -> str | None:
        nxt = self.first + self.count
        return encode_page(self.start + nxt * self.width) if nxt < self.total else None


def encode_page(bucket_start: int) -> str:
    return "page_" + base64.urlsafe_b64encode(f"fakeai:{bucket_start}".encode()).decode().rstrip("=")


def decode_page(page: str) -> int | None:
    """The bucket start a cursor names; None for a string no response of ours gave out."""
    try:
        token = page.removeprefix("page_")
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    tag, _, value = raw.partition(":")
    return int(value) if tag == "fakeai" and value.lstrip("-").isdigit() else None


def window(p: Any, width_name: str, limits: tuple[int, int]) -> Window:
    width = WIDTHS[width_name]
    lo = int(p.start_time)
    hi = int(p.end_time) if p.end_time is not None else int(time.time()) + 1
    start = lo - lo % width
    total = max(0, -(-(hi - start) // width)) if hi > lo else 0
    first = 0
    if p.page:
        # like a listing cursor that names no object, a cursor that names no bucket gives an empty page
        begin = decode_page(p.page)
        first = total if begin is None else max(0, (begin - start) // width)
    default, maximum = limits
    limit = default if p.limit is None else max(1, min(int(p.limit), maximum))
    return Window(start, width, lo, hi, first, max(0, min(limit, total - first)), total)


def rows_between(store: Store, lo: int, hi: int) -> list[dict[str, Any]]:
    """Usage rows recorded in [lo, hi), walking back from the newest (usage queries look at recent time)."""
    out: list[dict[str, Any]] = []
    after = None
    while True:
        page = store.list(KIND, after=after, limit=_PAGE_SIZE, order="desc")
        for row in page.items:
            if row["created_at"] < lo:
                return out
            if row["created_at"] < hi:
                out.append(row)
        if not page.has_more or not page.items:
            return out
        after = page.items[-1]["id"]


Aggregate = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def bucketed(w: Window, rows: Iterable[dict[str, Any]], results: Aggregate) -> dict[str, Any]:
    """The UsageResponse page: each bucket's rows turned into results by `results(rows)`."""
    by_bucket: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_bucket.setdefault((row["created_at"] - w.start) // w.width - w.first, []).append(row)
    data = []
    for i in range(w.count):
        begin, end = w.bucket(i)
        data.append(
            {"object": "bucket", "start_time": begin, "end_time": end, "results": results(by_bucket.get(i, []))}
        )
    nxt = w.next_page
    return {"object": "page", "data": data, "has_more": nxt is not None, "next_page": nxt}


def page_rows(ctx: Context, w: Window) -> list[dict[str, Any]]:
    """The usage rows the buckets of this page count (rows still buffered by the recorder included)."""
    if not w.count:
        return []
    flush_usage(ctx.services)
    begin, _ = w.bucket(0)
    _, end = w.bucket(w.count - 1)
    return rows_between(ctx.services.store, max(w.lo, begin), min(w.hi, end))


def wanted(p: Any, dims: dict[str, Any]) -> bool:
    """Whether a row passes the request's filters (project_ids, user_ids, api_key_ids, models, batch, ...)."""
    for param, field in (
        ("project_ids", "project_id"),
        ("user_ids", "user_id"),
        ("api_key_ids", "api_key_id"),
        ("models", "model"),
        ("sources", "source"),
        ("sizes", "size"),
    ):
        allowed = getattr(p, param, None)
        if allowed and dims[field] not in allowed:
            return False
    batch = getattr(p, "batch", None)
    return batch is None or dims["batch"] == batch


def group_key(dims: dict[str, Any], group_by: list[str]) -> tuple[Any, ...]:
    return tuple(dims[g] for g in group_by)


def sort_key(key: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in key)


# ------------------------------------------------------------------------------------------------ usage endpoints
_METRICS: dict[str, tuple[str, ...]] = {
    "completions": (
        "input_tokens",
        "output_tokens",
        "input_cached_tokens",
        "input_audio_tokens",
        "output_audio_tokens",
    ),
    "embeddings": ("input_tokens",),
    "moderations": ("input_tokens",),
    "images": ("images",),
    "audio_speeches": ("characters",),
    "audio_transcriptions": ("seconds",),
}
_GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "completions": ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier"),
    "images": ("source", "size", "project_id", "user_id", "api_key_id", "model"),
}


def usage_results(name: str, group_by: list[str], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    metrics = _METRICS[name]
    fields = _GROUP_FIELDS.get(name, ("project_id", "user_id", "api_key_id", "model"))
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        dims = row["_dims"]
        key = group_key(dims, group_by)
        acc = groups.get(key)
        if acc is None:
            acc = {"object": f"organization.usage.{name}.result", **dict.fromkeys(metrics, 0), "num_model_requests": 0}
            acc |= {f: (dims[f] if f in group_by else None) for f in fields}
            groups[key] = acc
        for m in metrics:
            acc[m] += row.get(m) or 0
        acc["num_model_requests"] += row.get("requests", 1)
    out = [groups[k] for k in sorted(groups, key=sort_key)]
    if "seconds" in metrics:
        for acc in out:
            acc["seconds"] = round(acc["seconds"])
    return out


def _usage(name: str) -> Callable[[Any, Context], Any]:
    async def handler(_: Any, ctx: Context) -> dict[str, Any]:
        p = ctx.params
        w = window(p, p.bucket_width or "1d", LIMITS[p.bucket_width or "1d"])
        group_by = list(dict.fromkeys(p.group_by or []))
        rows = []
        for row in page_rows(ctx, w):
            if category(ctx, row) != name:
                continue
            dims = dimensions(row)
            if wanted(p, dims):
                rows.append({**row, "_dims": dims})
        return bucketed(w, rows, lambda bucket_rows: usage_results(name, group_by, bucket_rows))

    handler.__name__ = handler.__qualname__ = f"usage_{name}"
    return handler


for _name in _METRICS:
    serves(f"usage-{_name.replace('_', '-')}")(_usage(_name))
