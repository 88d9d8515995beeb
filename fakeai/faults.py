"""Fault injection: by a configured rate, or per request by the `x-fakeai-fault: <type>` header.

Immediate faults answer in OpenAI's envelopes: rate_limit 429, invalid_api_key 401, context_length 400,
server_error 500, service_unavailable 503, model_not_found 404, timeout (holds the request for fault_timeout
seconds, then 500 "Request timed out."). Stream faults act on server-sent events: disconnect drops the connection
after a few events (no [DONE]); malformed_chunk sends one event whose data is not valid JSON. On a response that
is not a stream, disconnect and malformed_chunk send a truncated JSON body.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

from starlette.responses import Response, StreamingResponse

from .config import FAULT_TYPES, Settings
from .errors import APIError

HEADER = "x-fakeai-fault"
STREAM_FAULTS = frozenset({"disconnect", "malformed_chunk"})


class FaultInjector:
    def __init__(self, settings: Settings) -> None:
        self.rate = settings.fault_rate
        self.types = list(settings.fault_types) or list(FAULT_TYPES)
        self.timeout = settings.fault_timeout
        self._rng = random.Random(0x5EED)  # a fixed sequence: runs are repeatable, never the wall clock
        self._lock = threading.Lock()

    def pick(self, header: str | None) -> str | None:
        """The fault for this request: the header's, or one drawn at the configured rate."""
        if header:
            name = header.strip().lower()
            if name not in FAULT_TYPES:
                raise APIError(
                    400, f"Unknown fault '{header}' in {HEADER}: use one of {', '.join(FAULT_TYPES)}.", param=HEADER
                )
            return name
        if self.rate <= 0:
            return None
        with self._lock:
            if self._rng.random() >= self.rate:
                return None
            return self._rng.choice(self.types)

    async def raise_immediate(self, fault: str) -> None:
        """Raise the error of an immediate fault (stream faults return: the response carries them)."""
        if fault in STREAM_FAULTS:
            return
        if fault == "timeout":
            await asyncio.sleep(self.timeout)
            raise APIError(500, "Request timed out.", type="server_error", code="timeout")
        raise error(fault)


def error(fault: str) -> APIError:
    if fault == "rate_limit":
        return APIError(
            429,
            "Rate limit reached for requests. Please try again in 1s. (injected fault)",
            type="requests",
            code="rate_limit_exceeded",
            headers={"retry-after": "1"},
        )
    if fault == "invalid_api_key":
        return APIError(401, "Incorrect API key provided. (injected fault)", code="invalid_api_key")
    if fault == "context_length":
        return APIError(
            400,
            "This model's maximum context length is 4096 tokens. However, your messages resulted in 5000 tokens. "
            "Please reduce the length of the messages. (injected fault)",
            param="messages",
            code="context_length_exceeded",
        )
    if fault == "model_not_found":
        return APIError(
            404,
            "The model does not exist or you do not have access to it. (injected fault)",
            param="model",
            code="model_not_found",
        )
    if fault == "service_unavailable":
        return APIError(
            503,
            "The engine is currently overloaded, please try again later. (injected fault)",
            type="service_unavailable",
            headers={"retry-after": "1"},
        )
    return APIError(500, "The server had an error while processing your request. (injected fault)", type="server_error")


class InjectedDisconnect(ConnectionAbortedError):
    """Raised inside a streaming body: the server drops the connection mid-stream."""


def apply(response: Response, fault: str) -> Response:
    """Corrupt a finished response for a stream fault (see module docstring)."""
    if isinstance(response, StreamingResponse):
        response.body_iterator = _corrupt(response.body_iterator, fault)
        return response
    body = bytes(response.body)
    cut = body[: max(1, len(body) // 2)]
    truncated = Response(cut, status_code=response.status_code, media_type=response.media_type)
    for k, v in response.headers.items():
        if k.lower() not in ("content-length", "content-type"):
            truncated.headers[k] = v
    return truncated


async def _corrupt(frames: AsyncIterable[Any], fault: str) -> AsyncIterator[Any]:
    sent = 0
    async for frame in frames:
        sent += 1
        if fault == "disconnect" and sent > 3:
            raise InjectedDisconnect("injected mid-stream disconnect")
        if fault == "malformed_chunk" and sent == 2:
            yield b'data: {"id": "chatcmpl-malformed", "choices": [{"delta": {"content": "\n\n'
            continue
        yield frame
