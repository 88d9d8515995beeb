"""Recording what each request consumed (time, model, key, tokens, images, audio seconds), for the usage and
costs endpoints, kept in the store.

Requests of the same second with the same labels (operation, model, key, project, batch flag and any other
non-numeric field) are summed into one row, with `requests` counting them: the usage and costs endpoints count in
whole seconds and sum these fields anyway, and a load test of thousands of requests a second then writes a few
rows a second instead of thousands (a row costs ~4-7 us to write; on disk, unsummed, the store would also grow by
millions of rows an hour).

Rows are buffered and written every FLUSH_SECONDS (or when FLUSH_ROWS distinct rows wait), off the request's
critical path, at most CHUNK_ROWS per transaction and per event-loop turn (so a burst of rows does not stall the
running streams' next tokens); readers call `flush(services)` first, and the app flushes on shutdown. A SIGKILL
can lose at most the last FLUSH_SECONDS of usage.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

from fakeai.context import Context
from fakeai.ids import hex_id
from fakeai.registry import lifespan
from fakeai.services import Services

from .catalog import ModelInfo

KIND = "usage"
FLUSH_SECONDS = 0.05
FLUSH_ROWS = 512
CHUNK_ROWS = 32
SUMMED = ("input_tokens", "output_tokens", "input_cached_tokens", "images", "seconds", "characters")


class Recorder:
    def __init__(self, services: Services) -> None:
        self.store = services.store
        self.pending: dict[tuple[Any, ...], tuple[dict[str, Any], tuple[str, ...]]] = {}
        self.writing: list[dict[str, Any]] = []  # rows taken from `pending` by the timer, written chunk by chunk
        self.lock = threading.Lock()
        self.scheduled = False

    def add(self, key: tuple[Any, ...], row: dict[str, Any], summed: tuple[str, ...] = SUMMED) -> None:
        """One request's row; `key` is its second and labels, `summed` its fields that add up across requests."""
        with self.lock:
            found = self.pending.get(key)
            if found is None:
                self.pending[key] = (row, summed)
                full = len(self.pending) >= FLUSH_ROWS
            else:
                acc = found[0]
                for name in summed:
                    acc[name] += row[name]
                acc["requests"] += 1
                full = False
        if full:
            self.flush()
        elif not self.scheduled:
            try:
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._flush_some)
                self.scheduled = True
            except RuntimeError:  # no event loop (a synchronous caller): write now
                self.flush()

    def merge(self, key: tuple[Any, ...], amounts: tuple[float, ...], summed: tuple[str, ...] = SUMMED) -> bool:
        """Add one request's `amounts` (of the `summed` fields) to the buffered row of `key`, if there is one."""
        with self.lock:
            found = self.pending.get(key)
            if found is None:
                return False
            acc = found[0]
            for name, amount in zip(summed, amounts, strict=True):
                acc[name] += amount
            acc["requests"] += 1
            return True

    def _take(self) -> None:
        """(lock held) Move the pending rows to the write queue: later requests start new rows."""
        if self.pending:
            self.writing.extend(row for row, _ in self.pending.values())
            self.pending = {}

    def flush(self) -> None:
        """Write every buffered row now."""
        with self.lock:
            self._take()
            rows, self.writing = self.writing, []
            self.scheduled = False
        self.store.put_many(KIND, rows)

    def _flush_some(self) -> None:
        """The timer's flush: CHUNK_ROWS rows, then the rest on the loop's next turns (other callbacks between)."""
        with self.lock:
            self._take()
            rows, self.writing = self.writing[:CHUNK_ROWS], self.writing[CHUNK_ROWS:]
            more = bool(self.writing)
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
    second = int(now)
    operation = ctx.operation.operation_id
    project = ctx.header("openai-project")
    batch = bool(ctx.header("x-fakeai-batch"))
    rec = recorder(ctx.services)
    key: tuple[Any, ...] = (second, operation, model.id, ctx.api_key, project, batch)
    if not extra and rec.merge(key, (input_tokens, output_tokens, cached_tokens, images, seconds, characters)):
        return  # (the common case under load: another request of this second already has the row)
    row = {
        # time-ordered (nanoseconds, then 32 random bits): a new row's key lands at the end of the store's index
        # instead of at a random place in it, which makes writing it 1.5x (in memory) to 3x (on disk) cheaper
        "id": f"{now_ns:016x}{hex_id(8)}",
        "created_at": second,
        "time": now,
        "operation": operation,
        "model": model.id,
        "api_key": ctx.api_key,
        "project_id": project,
        "user": None,
        "batch": batch,
        "requests": 1,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "input_cached_tokens": cached_tokens,
        "images": images,
        "seconds": seconds,
        "characters": characters,
    }
    summed: tuple[str, ...] = SUMMED
    if extra:
        row.update(extra)
        numbers = tuple(k for k, v in extra.items() if isinstance(v, int | float) and not isinstance(v, bool))
        labels = tuple(sorted((k, repr(v)) for k, v in extra.items() if k not in numbers))
        key += (labels, numbers)
        summed = SUMMED + tuple(k for k in numbers if k not in SUMMED)
    rec.add(key, row, summed)
