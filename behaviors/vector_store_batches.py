"""Vector store file batches: createVectorStoreFileBatch, getVectorStoreFileBatch, cancelVectorStoreFileBatch,
listFilesInVectorStoreBatch. A batch is a group of vector store files attached together; its counts and status
are computed from those files (the files carry the batch's id)."""

from __future__ import annotations

import time
from typing import Any

from fakeai.context import Context
from fakeai.errors import not_found
from fakeai.registry import serves
from fakeai.store import Store

from .vector_store_files import Chunking, Entry, attach_files, chunking_from, list_files, require_files
from .vector_stores import BATCH, FILE, file_counts, files_of, load, new_id, part_key, public


def _load_batch(store: Store, vs_id: str, batch_id: str) -> dict[str, Any]:
    load(store, vs_id)
    batch = store.get(BATCH, batch_id)
    if batch is None or batch.get("vector_store_id") != vs_id:
        raise not_found(f"No file batch found with id '{batch_id}' in vector store '{vs_id}'.", param="batch_id")
    return batch


def _batch_files(store: Store, batch: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in files_of(store, batch["vector_store_id"]) if f.get("_batch_id") == batch["id"]]


def render(store: Store, batch: dict[str, Any]) -> dict[str, Any]:
    counts = file_counts(_batch_files(store, batch))
    if batch.get("_cancelled"):
        status = "cancelled"
    elif counts["in_progress"]:
        status = "in_progress"
    elif counts["total"] and counts["failed"] == counts["total"]:
        status = "failed"
    else:
        status = "completed"
    return {**public(batch), "status": status, "file_counts": counts}


def _entries(req: dict[str, Any]) -> tuple[list[Entry], list[tuple[str, str]]]:
    """(file_id, chunking, attributes) per file, and (file_id, param) for the existence check."""
    shared: Chunking = chunking_from(req.get("chunking_strategy"), "chunking_strategy")
    attributes = req.get("attributes")
    entries: dict[str, Entry] = {}
    params: list[tuple[str, str]] = []
    for i, fid in enumerate(req.get("file_ids") or []):
        entries[fid] = (fid, shared, attributes)
        params.append((fid, f"file_ids[{i}]"))
    for i, item in enumerate(req.get("files") or []):
        fid = item["file_id"]
        own = item.get("chunking_strategy")
        chunking = chunking_from(own, f"files[{i}].chunking_strategy") if own else shared
        entries[fid] = (fid, chunking, item.get("attributes") if "attributes" in item else attributes)
        params.append((fid, f"files[{i}].file_id"))
    return list(entries.values()), params


@serves("createVectorStoreFileBatch")
async def create_vector_store_file_batch(_: Any, ctx: Context) -> dict[str, Any]:
    store = ctx.services.store
    vs_id = ctx.params.vector_store_id
    load(store, vs_id)
    entries, params = _entries(ctx.data or {})
    for fid, param in params:
        require_files(store, [fid], param)
    now = int(time.time())
    batch = {
        "id": new_id("vsfb"),
        "object": "vector_store.files_batch",
        "created_at": now,
        "vector_store_id": vs_id,
        "_cancelled": False,
    }
    store.put(BATCH, batch["id"], batch, owner=vs_id, created_at=now)
    await attach_files(ctx, vs_id, entries, batch_id=batch["id"])
    return render(store, batch)


@serves("getVectorStoreFileBatch")
async def get_vector_store_file_batch(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = ctx.services.store
    return render(store, _load_batch(store, p.vector_store_id, p.batch_id))


@serves("cancelVectorStoreFileBatch")
async def cancel_vector_store_file_batch(_: Any, ctx: Context) -> dict[str, Any]:
    """Files still in progress are cancelled; a batch that has finished is returned unchanged."""
    p = ctx.params
    store = ctx.services.store
    with store.transaction():
        batch = _load_batch(store, p.vector_store_id, p.batch_id)
        pending = [f for f in _batch_files(store, batch) if f["status"] == "in_progress"]
        for f in pending:
            f["status"] = "cancelled"
            store.put(FILE, part_key(p.vector_store_id, f["id"]), f, owner=p.vector_store_id)
        if pending:
            batch["_cancelled"] = True
            store.put(BATCH, batch["id"], batch, owner=p.vector_store_id)
    return render(store, batch)


@serves("listFilesInVectorStoreBatch")
async def list_files_in_vector_store_batch(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = ctx.services.store
    batch = _load_batch(store, p.vector_store_id, p.batch_id)
    return list_files(ctx, _batch_files(store, batch))
