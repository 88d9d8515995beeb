"""One line of a batch: sent through the app itself (same routes, auth and behaviours), shaped as OpenAI's output line.

Transient answers (429, 5xx) are retried a few times, honouring a short `retry-after`, as a batch queue would rather
than report them; what still fails is an error line. Token usage of successful lines adds up into the batch's usage.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson

from fakeai import internal
from fakeai.services import Services

from .batch_input import Request

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ATTEMPTS = 4
MAX_RETRY_WAIT = 5.0


def pace(services: Services) -> float:
    """Seconds between lines (the batch_pace setting; 0 runs lines back to back, several at a time)."""
    return float(services.settings.batch_pace)


def error(code: str, message: str, line: int | None = None, param: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": param, "line": line}


def output_line(req: Request, response: dict[str, Any] | None, err: dict[str, Any] | None) -> dict[str, Any]:
    return {"id": f"batch_req_{uuid.uuid4().hex}", "custom_id": req.custom_id, "response": response, "error": err}


def _retry_wait(headers: dict[str, str], attempt: int) -> float:
    try:
        told = float(headers.get("retry-after", ""))
    except ValueError:
        told = 0.0
    return min(MAX_RETRY_WAIT, max(told, 0.1 * 2**attempt))


async def call(
    services: Services, batch_id: str, req: Request, key: str | None
) -> tuple[bool, dict[str, Any], dict[str, Any] | None]:
    """(succeeded, output line, usage block of the response) for one request line."""
    if req.body.get("stream") is True:
        status, headers = 400, dict[str, str]()
        payload: Any = {
            "error": {
                "message": "Streaming is not supported in batch requests.",
                "type": "invalid_request_error",
                "param": "stream",
                "code": None,
            }
        }
    else:
        head = {"x-fakeai-batch": batch_id, **({"authorization": f"Bearer {key}"} if key else {})}
        for attempt in range(ATTEMPTS):
            status, headers, raw = await internal.call(services.app, "POST", req.url, json=req.body, headers=head)
            if status not in RETRY_STATUSES or attempt == ATTEMPTS - 1:
                break
            await asyncio.sleep(_retry_wait(headers, attempt))
        try:
            payload = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            payload = raw.decode("utf-8", "replace")
    request_id = headers.get("x-request-id") or f"req_{uuid.uuid4().hex}"
    ok = 200 <= status < 300
    response = {"status_code": status, "request_id": request_id, "body": payload}
    usage = payload.get("usage") if ok and isinstance(payload, dict) else None
    return ok, output_line(req, response, None), usage if isinstance(usage, dict) else None


def empty_usage() -> dict[str, Any]:
    return {
        "input_tokens": 0,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 0,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 0,
    }


def add_usage(total: dict[str, Any], usage: dict[str, Any]) -> None:
    """Add a response's usage (chat/completions/embeddings or Responses naming) to a batch's usage totals."""

    def num(within: Any, *keys: str) -> int:
        for k in keys:
            v = within.get(k) if isinstance(within, dict) else None
            if isinstance(v, int):
                return v
        return 0

    inp = num(usage, "prompt_tokens", "input_tokens")
    out = num(usage, "completion_tokens", "output_tokens")
    details_in = usage.get("prompt_tokens_details") or usage.get("input_tokens_details")
    details_out = usage.get("completion_tokens_details") or usage.get("output_tokens_details")
    total["input_tokens"] += inp
    total["output_tokens"] += out
    total["input_tokens_details"]["cached_tokens"] += num(details_in, "cached_tokens")
    total["output_tokens_details"]["reasoning_tokens"] += num(details_out, "reasoning_tokens")
    total["total_tokens"] += inp + out
