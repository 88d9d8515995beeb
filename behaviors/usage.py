"""Recording what each request consumed (time, model, key, tokens, images, audio seconds), for the usage and
costs endpoints. One row per request in the store, written as the request is answered."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fakeai.context import Context

from .catalog import ModelInfo

KIND = "usage"


def record_usage(
    ctx: Context,
    model: ModelInfo,
    input_tokens: int,
    output_tokens: int,
    *,
    cached_tokens: int = 0,
    images: int = 0,
    seconds: float = 0.0,
    characters: int = 0,
    extra: dict[str, Any] | None = None,
) -> None:
    now = time.time()
    row = {
        "id": uuid.uuid4().hex,
        "created_at": int(now),
        "time": now,
        "operation": ctx.operation.operation_id,
        "model": model.id,
        "api_key": ctx.api_key,
        "project_id": ctx.request.headers.get("openai-project"),
        "user": None,
        "batch": bool(ctx.request.headers.get("x-fakeai-batch")),
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "input_cached_tokens": cached_tokens,
        "images": images,
        "seconds": seconds,
        "characters": characters,
        **(extra or {}),
    }
    ctx.services.store.put(KIND, row["id"], row, created_at=row["created_at"])
