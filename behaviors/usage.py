"""Recording what each request consumed (time, model, key, tokens, images, audio seconds), for the usage and
costs endpoints. One row per request, kept in the store.

Rows are buffered and written every FLUSH_SECONDS (or every FLUSH_ROWS rows), off the request's critical path,
at most CHUNK_ROWS per transaction and per event-loop turn (a row costs ~5 us to write, so a burst of a few hundred
requests would otherwise stall every running stream's next token by a millisecond or more); readers call
`flush(services)` first, and the app flushes on shutdown. A SIGKILL can lose at most the last FLUSH_SECONDS of
usage rows.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

from fakeai.context import Context
from fakeai.registry import lifespan
from fakeai.services import Services

from .catalog import ModelInfo

KIND = "usage"
FLUSH_SECONDS = 0.05
FLUSH_ROWS = 512
CHUNK_ROWS = 32


class Recorder:
    def __init__(self, services: Services) -> None:
        self.store = services.store
        self.pending: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.scheduled = False

    def add(self, row: dict[str, Any]) -> None:
        with self.lock:
            self.pending.append(row)
            full = len(self.pending) >= FLUSH_ROWS
        if full:
            self.flush()
        elif not self.scheduled:
            try:
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._flush_some)
                self.scheduled = True
            except RuntimeError:  # no event loop (a synchronous caller): write now
                self.flush()

    def flush(self) -> None:
        """Write every buffered row now."""
        with self.lock:
            rows, self.pending = self.pending, []
            self.scheduled = False
        self.store.put_many(KIND, rows)

    def _flush_some(self) -> None:
        """The timer's flush: CHUNK_ROWS rows, then the rest on the loop's next turns (other callbacks between)."""
        with self.lock:
            rows, self.pending = self.pending[:CHUNK_ROWS], self.pending[CHUNK_ROWS:]
            more = bool(self.pending)
            self.scheduled = more
        self.store.put_many(KIND, rows)
        if more:
            asyncio.get_running_loop().call_soon(self._flush_some)


def recorder(services: Services) -> Recorder:
    return services.get("usage-recorder", Recorder)


def flush(services: Services) -> None:
    """Write buffered rows now (before reading usage)."""
    recorder(services).flush()


@lifespan
async def _flush_at_shutdown(services: Services) -> AsyncIterator[None]:
    yield
    flush(services)


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
    now_ns = time.time_ns()
    now = now_ns / 1e9
    row = {
        # time-ordered (nanoseconds, then 32 random bits): a new row's key lands at the end of the store's index
        # instead of at a random place in it, which makes writing it 1.5x (in memory) to 3x (on disk) cheaper
        "id": f"{now_ns:016x}{os.urandom(4).hex()}",
        "created_at": int(now),
        "time": now,
        "operation": ctx.operation.operation_id,
        "model": model.id,
        "api_key": ctx.api_key,
        "project_id": ctx.header("openai-project"),
        "user": None,
        "batch": bool(ctx.header("x-fakeai-batch")),
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "input_cached_tokens": cached_tokens,
        "images": images,
        "seconds": seconds,
        "characters": characters,
        **(extra or {}),
    }
    recorder(ctx.services).add(row)
