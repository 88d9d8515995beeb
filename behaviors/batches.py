"""Batches: createBatch, retrieveBatch, cancelBatch, listBatches — a JSONL file of requests run by the server.

A batch is created `validating` from an uploaded file with purpose "batch"; the runner (batch_runner) validates the
lines (a bad file fails the batch with per-line errors, as OpenAI reports them), runs every line through the app's
own routes with the creator's API key, and finishes with output and error files. The key is kept in the batch's
private state, never shown. See batch_exec for the line-by-line work and its durability.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from fakeai.context import Context
from fakeai.errors import bad_request, not_found
from fakeai.registry import serves

from . import files
from .batch_exec import BATCH, RUN, input_blob, public
from .batch_lines import empty_usage
from .batch_runner import runner

COMPLETION_WINDOWS = {"24h": 24 * 3600}
CANCELLABLE = frozenset({"validating", "in_progress"})


def _get(ctx: Context, batch_id: str) -> dict[str, Any]:
    batch = ctx.services.store.get(BATCH, batch_id)
    if batch is None:
        raise not_found(f"No such Batch object: {batch_id}", param="batch_id")
    return batch


@serves("createBatch")
async def create_batch(req: Any, ctx: Context) -> dict[str, Any]:
    data = ctx.data
    store = ctx.services.store
    r = runner(ctx.services)
    r.resume_once()
    source = files.require(store, data["input_file_id"], param="input_file_id")
    if source["purpose"] != "batch":
        raise bad_request(
            f"The input file {source['id']} has purpose '{source['purpose']}'; a batch needs a file uploaded with "
            "purpose 'batch'.",
            param="input_file_id",
            code="invalid_file_purpose",
        )
    content = files.read(store, source["id"])
    now = int(time.time())
    batch: dict[str, Any] = {
        "id": f"batch_{uuid.uuid4().hex}",
        "object": "batch",
        "endpoint": data["endpoint"],
        "input_file_id": source["id"],
        "completion_window": data["completion_window"],
        "status": "validating",
        "created_at": now,
        "expires_at": now + COMPLETION_WINDOWS.get(data["completion_window"], 24 * 3600),
        "request_counts": {"total": 0, "completed": 0, "failed": 0},
        "usage": empty_usage(),
        "metadata": data.get("metadata"),
    }
    output_ttl = files.expiry(getattr(req, "output_expires_after", None), 0)
    if output_ttl:
        batch["_output_ttl"] = output_ttl
    with store.transaction():
        store.put_blob(input_blob(batch["id"]), content)
        store.put(BATCH, batch["id"], batch, created_at=now)
        state = {"id": batch["id"], "api_key": ctx.api_key, **r.lease_fields()}
        store.put(RUN, batch["id"], state, created_at=now)
    r.start(batch["id"])
    return public(batch)


@serves("retrieveBatch")
async def retrieve_batch(_: Any, ctx: Context) -> dict[str, Any]:
    runner(ctx.services).resume_once()
    return public(_get(ctx, ctx.params.batch_id))


@serves("cancelBatch")
async def cancel_batch(_: Any, ctx: Context) -> dict[str, Any]:
    store = ctx.services.store
    r = runner(ctx.services)
    r.resume_once()
    batch_id = ctx.params.batch_id
    with store.transaction():
        batch = _get(ctx, batch_id)
        if batch["status"] in CANCELLABLE:
            batch.update(status="cancelling", cancelling_at=int(time.time()))
            store.put(BATCH, batch_id, batch)
        elif batch["status"] != "cancelling":
            raise bad_request(
                f"Cannot cancel batch {batch_id}: its status is '{batch['status']}'.",
                param="batch_id",
                code="invalid_batch_state",
            )
    r.kick(batch_id)  # whoever runs it finishes the cancel; if nobody does, this runner will
    return public(batch)


@serves("listBatches")
async def list_batches(_: Any, ctx: Context) -> dict[str, Any]:
    runner(ctx.services).resume_once()
    p = ctx.params
    page = ctx.services.store.list(BATCH, after=p.after, limit=p.limit or 20, order="desc")
    data = [public(b) for b in page.items]
    out: dict[str, Any] = {"object": "list", "data": data, "has_more": page.has_more}
    if data:
        out["first_id"], out["last_id"] = data[0]["id"], data[-1]["id"]
    return out
