"""Vector stores: createVectorStore, listVectorStores, getVectorStore, modifyVectorStore, deleteVectorStore.

A store is a document of kind `vector_store`; its files (`vector_store.file`), their chunks (`vector_store.chunks`)
and its file batches (`vector_store.file_batch`) are documents owned by the store's id, so a store's parts are
listed with one owner query and go away with it. File counts, usage_bytes and status are computed from the files
whenever a store is shown, so they are always consistent with them.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from fakeai.context import Context
from fakeai.errors import not_found
from fakeai.registry import serves
from fakeai.store import Store

from .pagination import clamp_limit, list_body

KIND = "vector_store"
FILE = "vector_store.file"
CHUNKS = "vector_store.chunks"
BATCH = "vector_store.file_batch"
STATUSES = ("in_progress", "completed", "failed", "cancelled")
DAY = 86400
_ALL = 1_000_000


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def part_key(vs_id: str, item_id: str) -> str:
    """Store id of a part of a vector store (the same file may belong to several stores)."""
    return f"{vs_id}/{item_id}"


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without fakeai's bookkeeping fields (those whose names start with `_`)."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def load(store: Store, vs_id: str) -> dict[str, Any]:
    found = store.get(KIND, vs_id)
    if found is None:
        raise not_found(f"No vector store found with id '{vs_id}'.", param="vector_store_id")
    return found


def files_of(store: Store, vs_id: str) -> list[dict[str, Any]]:
    """Every file record of a store, oldest first."""
    return store.list(FILE, owner=vs_id, limit=_ALL, order="asc").items


def file_counts(files: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for f in files:
        counts[f["status"]] = counts.get(f["status"], 0) + 1
    return {**counts, "total": len(files)}


def _expires_at(vs: dict[str, Any]) -> int | None:
    after = vs.get("expires_after")
    if not after:
        return None
    return int(vs.get("last_active_at") or vs["created_at"]) + int(after["days"]) * DAY


def render(store: Store, vs: dict[str, Any]) -> dict[str, Any]:
    """The VectorStoreObject: stored fields plus counts, usage and status computed from its files."""
    files = files_of(store, vs["id"])
    counts = file_counts(files)
    expires_at = _expires_at(vs)
    if expires_at is not None and time.time() >= expires_at:
        status = "expired"
    elif counts["in_progress"]:
        status = "in_progress"
    else:
        status = "completed"
    out = {
        **public(vs),
        "usage_bytes": sum(int(f.get("usage_bytes") or 0) for f in files if f["status"] == "completed"),
        "file_counts": counts,
        "status": status,
        "expires_at": expires_at,
    }
    if not out.get("expires_after"):
        out.pop("expires_after", None)
    return out


def touch(store: Store, vs_id: str) -> None:
    """Mark the store active now (its expiry counts from its last activity)."""
    with store.transaction():
        vs = store.get(KIND, vs_id)
        if vs is not None:
            vs["last_active_at"] = int(time.time())
            store.put(KIND, vs_id, vs)


def _check_expires_after(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"anchor": value.get("anchor", "last_active_at"), "days": int(value["days"])}


@serves("createVectorStore")
async def create_vector_store(_: Any, ctx: Context) -> dict[str, Any]:
    from .vector_store_files import attach_files, chunking_from, require_files

    req = ctx.data or {}
    store = ctx.services.store
    file_ids = list(dict.fromkeys(req.get("file_ids") or []))
    require_files(store, file_ids, "file_ids")
    chunking = chunking_from(req.get("chunking_strategy"), "chunking_strategy") if file_ids else None
    now = int(time.time())
    vs_id = new_id("vs")
    vs: dict[str, Any] = {
        "id": vs_id,
        "object": "vector_store",
        "created_at": now,
        "name": req.get("name") or "",
        "last_active_at": now,
        "metadata": req.get("metadata") or {},
    }
    expires = _check_expires_after(req.get("expires_after"))
    if expires:
        vs["expires_after"] = expires
    store.put(KIND, vs_id, vs, created_at=now)
    if file_ids:
        await attach_files(ctx, vs_id, [(fid, chunking, None) for fid in file_ids], batch_id=None)
    return render(store, store.get(KIND, vs_id) or vs)


@serves("listVectorStores")
async def list_vector_stores(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = ctx.services.store
    page = store.list(KIND, after=p.after, before=p.before, limit=clamp_limit(p.limit), order=p.order or "desc")
    return list_body([render(store, vs) for vs in page.items], page.has_more, nullable_ids=False)


@serves("getVectorStore")
async def get_vector_store(_: Any, ctx: Context) -> dict[str, Any]:
    store = ctx.services.store
    return render(store, load(store, ctx.params.vector_store_id))


@serves("modifyVectorStore")
async def modify_vector_store(_: Any, ctx: Context) -> dict[str, Any]:
    req = ctx.data or {}
    store = ctx.services.store
    with store.transaction():
        vs = load(store, ctx.params.vector_store_id)
        if req.get("name") is not None:
            vs["name"] = req["name"]
        if "expires_after" in req:
            expires = _check_expires_after(req["expires_after"])
            if expires:
                vs["expires_after"] = expires
            else:
                vs.pop("expires_after", None)
        if "metadata" in req:
            vs["metadata"] = req["metadata"] or {}
        vs["last_active_at"] = int(time.time())
        store.put(KIND, vs["id"], vs)
    return render(store, vs)


@serves("deleteVectorStore")
async def delete_vector_store(_: Any, ctx: Context) -> dict[str, Any]:
    vs_id = ctx.params.vector_store_id
    store = ctx.services.store
    with store.transaction():
        load(store, vs_id)
        for kind in (FILE, CHUNKS, BATCH):
            for obj in store.list(kind, owner=vs_id, limit=_ALL, order="asc").items:
                store.delete(kind, part_key(vs_id, obj["id"]) if kind != BATCH else obj["id"])
        store.delete(KIND, vs_id)
    return {"id": vs_id, "object": "vector_store.deleted", "deleted": True}
