"""Server-sent events: any async iterator of models or dicts becomes `data: {json}` frames.

Transport only: what the events say is the behaviours' business. Events are encoded as they are produced, so
a behaviour that paces its iterator (simulated latency) paces the stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import StreamingResponse

from .context import EventStream
from .errors import APIError

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def to_jsonable(item: Any) -> Any:
    if isinstance(item, BaseModel):
        return item.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return item


def frame(data: Any, event_field: str | None) -> bytes:
    payload = orjson.dumps(data)
    if event_field and isinstance(data, dict):
        name = data.get(event_field)
        if isinstance(name, str):
            return b"event: " + name.encode() + b"\ndata: " + payload + b"\n\n"
    return b"data: " + payload + b"\n\n"


async def encode(stream: EventStream) -> AsyncIterator[bytes]:
    field = stream.event_field
    try:
        async for item in stream.events:
            yield frame(to_jsonable(item), field)
    except APIError as e:  # too late for a status code: report the error as the last event
        yield frame(e.body(), None)
        return
    if stream.done:
        yield b"data: [DONE]\n\n"


def response(stream: EventStream, status: int = 200) -> StreamingResponse:
    return StreamingResponse(
        encode(stream), status_code=status, media_type="text/event-stream", headers={**SSE_HEADERS, **stream.headers}
    )
