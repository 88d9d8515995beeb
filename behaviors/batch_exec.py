"""Executing one batch: validate its input, run every line through the app itself, write the output files.

Every step is a short transaction on the store, so a batch survives a crash at any point: each finished line is
recorded (kind "batch.line", owned by the batch) together with the batch's request counts, and a run that starts
again skips the lines already recorded. The batch document is only ever changed read-modify-write inside a
transaction, so a cancel arriving from another request or worker is never overwritten.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import orjson

from fakeai.services import Services
from fakeai.store import Store

from . import files
from .batch_input import Request, parse_batch
from .batch_lines import add_usage, call, empty_usage, error, output_line, pace

log = logging.getLogger("fakeai.batches")

BATCH = "batch"
RUN = "batch.run"  # private state of an unfinished batch: the creator's API key and the runner's lease
LINE = "batch.line"  # the result of one finished input line, owned by its batch
ACTIVE = frozenset({"validating", "in_progress", "finalizing", "cancelling"})
CONCURRENCY = 8  # lines in flight at once when no pace is set


def input_blob(batch_id: str) -> str:
    return f"batch.input:{batch_id}"


def public(batch: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in batch.items() if not k.startswith("_")}


def update(store: Store, batch_id: str, change: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    """Read, change and write the batch in one transaction; `change` returns False to leave it as it was."""
    with store.transaction():
        batch = store.get(BATCH, batch_id)
        if batch is None or not change(batch):
            return batch
        store.put(BATCH, batch_id, batch)
        return batch


def _cleanup(store: Store, batch_id: str) -> None:
    """Drop the private state of a finished batch (its key, lease, input snapshot and per-line results)."""
    for line in store.list(LINE, owner=batch_id, limit=10_000_000, order="asc").items:
        store.delete(LINE, line["id"])
    store.delete(RUN, batch_id)
    store.delete_blob(input_blob(batch_id))


def fail(store: Store, batch_id: str, errors: list[dict[str, Any]]) -> None:
    with store.transaction():
        batch = store.get(BATCH, batch_id)
        if batch is not None and batch["status"] in ACTIVE:
            batch.update(status="failed", failed_at=int(time.time()), errors={"object": "list", "data": errors})
            store.put(BATCH, batch_id, batch)
        _cleanup(store, batch_id)


async def execute(services: Services, batch_id: str) -> None:
    """Take the batch from wherever it stands to a final status."""
    store = services.store
    batch, state = store.get(BATCH, batch_id), store.get(RUN, batch_id)
    if batch is None or state is None or batch["status"] not in ACTIVE:
        with store.transaction():
            _cleanup(store, batch_id)
        return
    data = store.get_blob(input_blob(batch_id))
    if data is None:
        fail(store, batch_id, [error("input_file_missing", "The batch's input could not be read.")])
        return
    parsed = parse_batch(data, batch["endpoint"])
    if batch["status"] == "validating":
        if parsed.errors:
            fail(store, batch_id, parsed.errors)
            return

        def start(b: dict[str, Any]) -> bool:
            if b["status"] != "validating":
                return False
            b.update(status="in_progress", in_progress_at=int(time.time()))
            b["request_counts"]["total"] = len(parsed.requests)
            if parsed.model:
                b["model"] = parsed.model
            return True

        batch = update(store, batch_id, start) or batch
    if batch["status"] == "in_progress":
        await _run_lines(services, batch_id, parsed.requests, state.get("api_key"))
    final = store.get(BATCH, batch_id)
    if final is None:
        return
    if final["status"] == "cancelling":
        finalize(store, batch_id, parsed.requests, "cancelled")
    elif time.time() >= final["expires_at"] and _missing(store, batch_id, parsed.requests):
        finalize(store, batch_id, parsed.requests, "expired")
    elif final["status"] in ("in_progress", "finalizing"):
        finalize(store, batch_id, parsed.requests, "completed")


def _results(store: Store, batch_id: str) -> dict[int, dict[str, Any]]:
    items = store.list(LINE, owner=batch_id, limit=10_000_000, order="asc").items
    return {item["index"]: item for item in items}


def _missing(store: Store, batch_id: str, requests: list[Request]) -> bool:
    return len(_results(store, batch_id)) < len(requests)


async def _run_lines(services: Services, batch_id: str, requests: list[Request], key: str | None) -> None:
    store = services.store
    done = set(_results(store, batch_id))
    gate = asyncio.Semaphore(CONCURRENCY)
    running: set[asyncio.Task[None]] = set()

    async def one(index: int, req: Request) -> None:
        try:
            ok, record, usage = await call(services, batch_id, req, key)
            _record(store, batch_id, index, ok, record, usage)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failing line never kills the batch: it is reported as a failed line
            log.exception("batch %s: line %d failed", batch_id, req.line)
            record = output_line(req, None, error("server_error", "The request failed inside the server."))
            _record(store, batch_id, index, False, record, None)
        finally:
            gate.release()

    try:
        for index, req in enumerate(requests):
            if index in done:
                continue
            current = store.get(BATCH, batch_id)
            if current is None or current["status"] != "in_progress" or time.time() >= current["expires_at"]:
                break
            wait = pace(services)
            await gate.acquire()
            if wait > 0:  # paced: one line at a time, `wait` seconds apart
                await asyncio.gather(*running)
            task = asyncio.create_task(one(index, req))
            running.add(task)
            task.add_done_callback(running.discard)
            if wait > 0:
                await asyncio.sleep(wait)
        await asyncio.gather(*running)
    finally:  # stopped (shutdown, lost lease): lines in flight are abandoned, to run again on resume
        left = list(running)
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)


def _record(
    store: Store, batch_id: str, index: int, ok: bool, record: dict[str, Any], usage: dict[str, Any] | None
) -> None:
    line_id = f"{batch_id}:{index}"
    with store.transaction():
        batch = store.get(BATCH, batch_id)
        if batch is None or store.get(LINE, line_id) is not None:
            return  # already recorded (a second runner) or the batch is gone
        store.put(LINE, line_id, {"id": line_id, "index": index, "ok": ok, "record": record}, owner=batch_id)
        batch["request_counts"]["completed" if ok else "failed"] += 1
        if usage:
            add_usage(batch.setdefault("usage", empty_usage()), usage)
        store.put(BATCH, batch_id, batch)


def finalize(store: Store, batch_id: str, requests: list[Request], status: str) -> None:
    """Write the output and error files and give the batch its final `status` (completed, cancelled, expired)."""
    if status == "completed":

        def finalizing(b: dict[str, Any]) -> bool:
            if b["status"] != "in_progress":
                return False
            b.update(status="finalizing", finalizing_at=int(time.time()))
            return True

        update(store, batch_id, finalizing)
    results = _results(store, batch_id)
    out: list[bytes] = []
    err: list[bytes] = []
    for index, req in enumerate(requests):
        item = results.get(index)
        if item is not None:
            (out if item["ok"] else err).append(orjson.dumps(item["record"]))
        elif status == "expired":
            message = "This request could not be executed before the batch's completion window ended."
            err.append(orjson.dumps(output_line(req, None, error("batch_expired", message, req.line))))
    with store.transaction():
        batch = store.get(BATCH, batch_id)
        if batch is None or batch["status"] not in ACTIVE:
            return
        now = int(time.time())
        ttl = batch.get("_output_ttl")
        expires_at = now + int(ttl) if ttl else None
        for lines, field, suffix in ((out, "output_file_id", "output"), (err, "error_file_id", "error")):
            if lines:
                name = f"{batch_id}_{suffix}.jsonl"
                saved = files.save_file(
                    store, b"\n".join(lines) + b"\n", name, "batch_output", expires_at=expires_at, created_at=now
                )
                batch[field] = saved["id"]
        if status == "expired":
            batch["request_counts"]["failed"] += sum(1 for i in range(len(requests)) if i not in results)
        batch["status"] = status
        batch[f"{status}_at"] = now
        store.put(BATCH, batch_id, batch)
        _cleanup(store, batch_id)
