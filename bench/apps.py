"""Baselines measured beside fakeai in the same run: a bare FastAPI endpoint and a raw ASGI app.

Both answer POST /v1/chat/completions with a fixed JSON body of the size fakeai's answers have (BENCH_BODY_BYTES)
or, when the request asks for a stream, with `max_tokens` SSE chunks paced like fakeai's (TTFT BENCH_TTFT, then a
chunk every BENCH_ITL seconds, absolute deadlines). They do the least work such an endpoint can do, so fakeai's
figures are read as ratios against them. Run with uvicorn: bench.apps:fastapi_app or bench.apps:raw_app.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse

BODY_BYTES = int(os.environ.get("BENCH_BODY_BYTES", "1200"))
TTFT = float(os.environ.get("BENCH_TTFT", "0"))
ITL = float(os.environ.get("BENCH_ITL", "0"))


def _body() -> bytes:
    base = {
        "id": "chatcmpl-baseline",
        "object": "chat.completion",
        "created": 1767225600,
        "model": "baseline",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "stop", "logprobs": None}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
    size = len(json.dumps(base))
    base["choices"][0]["message"]["content"] = "x" * max(0, BODY_BYTES - size)
    return json.dumps(base).encode()


BODY = _body()
CHUNK = (
    b'data: {"id":"chatcmpl-baseline","object":"chat.completion.chunk","created":1767225600,"model":"baseline",'
    b'"choices":[{"index":0,"delta":{"content":" word"},"finish_reason":null}]}\n\n'
)


async def _paced(n: int) -> AsyncIterator[bytes]:
    t = time.monotonic() + TTFT
    for i in range(n):
        if i:
            t += ITL
        delay = t - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        yield CHUNK
    yield b"data: [DONE]\n\n"


fastapi_app = FastAPI()


@fastapi_app.post("/v1/chat/completions")
async def chat(request: Request) -> Response:
    req = json.loads(await request.body())
    if req.get("stream"):
        return StreamingResponse(_paced(int(req.get("max_tokens") or 16)), media_type="text/event-stream")
    return Response(BODY, media_type="application/json")


@fastapi_app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "healthy"}


async def raw_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        msg = await receive()
        body += msg.get("body", b"")
        if not msg.get("more_body"):
            break
    if scope["path"] == "/health":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"status":"healthy"}'})
        return
    req = json.loads(body or b"{}")
    if req.get("stream"):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        async for chunk in _paced(int(req.get("max_tokens") or 16)):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": BODY})
