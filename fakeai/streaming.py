"""Server-sent events: any async iterator of models or dicts becomes `data: {json}` frames.

Transport only: what the events say is the behaviours' business. Events are encoded as they are produced, so
a behaviour that paces its iterator (simulated latency) paces the stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

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


class EventStreamResponse(StreamingResponse):
    """A StreamingResponse that watches for the client going away with one plain asyncio task.

    Starlette's own (for servers below ASGI spec 2.4, uvicorn among them) runs every stream in an anyio task group,
    whose set-up and cancellation at the end cost more than a hundred streamed tokens. Here a listener task waits
    for `http.disconnect` and cancels the streaming task; the body iterator is closed either way, so a behaviour's
    clean-up (freeing a simulated sequence's slot, counting the disconnect) runs at once."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        streaming = asyncio.current_task()
        finished = False
        gone = False

        async def listen() -> None:
            nonlocal gone
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    if not finished and streaming is not None:
                        gone = True
                        streaming.cancel()
                    return

        listener = asyncio.get_running_loop().create_task(listen())
        body = self.body_iterator
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            async for chunk in body:
                if not isinstance(chunk, bytes | memoryview):
                    chunk = chunk.encode(self.charset)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            finished = True
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except asyncio.CancelledError:
            if not gone:
                raise
            if streaming is not None:
                streaming.uncancel()  # the client went away: that ends the response, it is not an error
        finally:
            finished = True
            listener.cancel()
            aclose = getattr(body, "aclose", None)
            if aclose is not None:
                await aclose()
        if self.background is not None and not gone:
            await self.background()


def response(stream: EventStream, status: int = 200) -> StreamingResponse:
    return EventStreamResponse(
        encode(stream), status_code=status, media_type="text/event-stream", headers={**SSE_HEADERS, **stream.headers}
    )
