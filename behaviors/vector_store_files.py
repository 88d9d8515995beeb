"""Vector store files: createVectorStoreFile, getVectorStoreFile, listVectorStoreFiles, deleteVectorStoreFile,
updateVectorStoreFileAttributes, retrieveVectorStoreFileContent; and ingestion, shared with file batches.

Attaching a file reads its bytes from the Files API's store (behaviors/files.py), decodes them as text (binary
files fail with `unsupported_file`) and cuts the text into overlapping chunks of whole words measured in tokens
(sim/chunking.py; auto: 800 tokens with 400 of overlap, as OpenAI; static: the request's sizes). With the `fast`
setting a file is processed before the request returns; otherwise it stays `in_progress` for a simulated
processing time, in a background task.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

from fakeai.context import Context
from fakeai.errors import bad_request, not_found
from fakeai.registry import serves
from fakeai.services import Services
from fakeai.store import Store

from .files import blob_id
from .files import find as find_file
from .pagination import clamp_limit, list_body, page_of
from .sim.chunking import AUTO_MAX_TOKENS, AUTO_OVERLAP_TOKENS, chunk_text
from .vector_stores import CHUNKS, FILE, files_of, load, part_key, public, touch

_SECONDS_BASE = 0.2  # simulated processing time of one file (without `fast`): base + per byte
_SECONDS_PER_BYTE = 1e-6
_PARALLEL = 8  # files of one batch chunked at the same time


@dataclass(frozen=True)
class Chunking:
    max_tokens: int = AUTO_MAX_TOKENS
    overlap: int = AUTO_OVERLAP_TOKENS

    def as_openai(self) -> dict[str, Any]:
        return {
            "type": "static",
            "static": {"max_chunk_size_tokens": self.max_tokens, "chunk_overlap_tokens": self.overlap},
        }


Entry = tuple[str, Chunking | None, dict[str, Any] | None]  # (file_id, chunking, attributes)


def chunking_from(strategy: Any, param: str) -> Chunking:
    """The chunking a request asks for (auto when absent); 400 for an overlap OpenAI would refuse."""
    if not strategy or strategy.get("type") != "static":
        return Chunking()
    static = strategy.get("static") or {}
    size = int(static.get("max_chunk_size_tokens", AUTO_MAX_TOKENS))
    overlap = int(static.get("chunk_overlap_tokens", 0))
    if not 100 <= size <= 4096:
        raise bad_request(
            "max_chunk_size_tokens must be between 100 and 4096.", param=f"{param}.static.max_chunk_size_tokens"
        )
    if overlap < 0 or overlap > size // 2:
        raise bad_request(
            f"chunk_overlap_tokens must be between 0 and half of max_chunk_size_tokens ({size // 2}).",
            param=f"{param}.static.chunk_overlap_tokens",
        )
    return Chunking(size, overlap)


def file_record(store: Store, file_id: str) -> dict[str, Any] | None:
    """The Files API's object for `file_id` (None when missing or expired)."""
    return find_file(store, file_id)


def require_files(store: Store, file_ids: list[str], param: str) -> None:
    for i, fid in enumerate(file_ids):
        if file_record(store, fid) is None:
            raise not_found(f"No file found with id '{fid}'.", param=f"{param}[{i}]" if param else "file_id")


def decode_text(data: bytes) -> str | None:
    """The text of a file, or None when it is not text (NUL bytes, or neither UTF-8 nor UTF-16 with a BOM)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _failure(code: str, message: str) -> dict[str, Any]:
    return {"status": "failed", "last_error": {"code": code, "message": message}, "usage_bytes": 0}


def _process(store: Store, rec: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    file_id = rec["id"]
    record = file_record(store, file_id)
    if record is None:
        return _failure("invalid_file", f"The file '{file_id}' no longer exists."), []
    data = store.get_blob(blob_id(file_id))
    if data is None:
        return _failure("server_error", f"The contents of file '{file_id}' could not be read."), []
    text = decode_text(data)
    name = rec.get("_filename") or file_id
    if text is None:
        return _failure("unsupported_file", f"The file '{name}' is not a text document and cannot be indexed."), []
    if not text.strip():
        return _failure("invalid_file", f"The file '{name}' is empty."), []
    static = (rec.get("chunking_strategy") or {}).get("static") or {}
    chunks = chunk_text(
        text,
        int(static.get("max_chunk_size_tokens", AUTO_MAX_TOKENS)),
        int(static.get("chunk_overlap_tokens", AUTO_OVERLAP_TOKENS)),
    )
    usage = sum(len(c.encode()) for c in chunks)
    return {"status": "completed", "last_error": None, "usage_bytes": usage}, chunks


def ingest(store: Store, vs_id: str, file_id: str) -> None:
    """Chunk one attached file, unless it was cancelled or detached meanwhile."""
    key = part_key(vs_id, file_id)
    rec = store.get(FILE, key)
    if rec is None or rec["status"] != "in_progress":
        return
    outcome, chunks = _process(store, rec)
    with store.transaction():
        current = store.get(FILE, key)
        if current is None or current["status"] != "in_progress" or current.get("_attempt") != rec.get("_attempt"):
            return
        current.update(outcome)
        store.put(CHUNKS, key, {"id": file_id, "chunks": chunks}, owner=vs_id)
        store.put(FILE, key, current, owner=vs_id)


def _tasks(services: Services) -> set[asyncio.Task[None]]:
    return services.get("vector_store.tasks", lambda _: set())


async def _ingest_later(services: Services, vs_id: str, file_ids: list[str]) -> None:
    """Each file after its simulated processing time; the files of a batch are processed side by side."""
    store = services.store
    workers = asyncio.Semaphore(_PARALLEL)

    async def one(fid: str) -> None:
        record = file_record(store, fid) or {}
        await asyncio.sleep(_SECONDS_BASE + _SECONDS_PER_BYTE * int(record.get("bytes") or 0))
        async with workers:
            await asyncio.to_thread(ingest, store, vs_id, fid)

    await asyncio.gather(*(one(fid) for fid in file_ids))


async def attach_files(ctx: Context, vs_id: str, entries: list[Entry], batch_id: str | None) -> list[dict[str, Any]]:
    """Add files to a store as `in_progress` records, then ingest them (now, or in the background)."""
    store = ctx.services.store
    now = int(time.time())
    records: list[dict[str, Any]] = []
    with store.transaction():
        load(store, vs_id)
        for fid, chunking, attributes in entries:
            record = file_record(store, fid) or {}
            rec: dict[str, Any] = {
                "id": fid,
                "object": "vector_store.file",
                "usage_bytes": 0,
                "created_at": now,
                "vector_store_id": vs_id,
                "status": "in_progress",
                "last_error": None,
                "chunking_strategy": (chunking or Chunking()).as_openai(),
                "attributes": attributes or {},
                "_filename": record.get("filename") or fid,
                "_batch_id": batch_id,
                "_attempt": uuid.uuid4().hex,
            }
            store.delete(CHUNKS, part_key(vs_id, fid))
            store.put(FILE, part_key(vs_id, fid), rec, owner=vs_id, created_at=now)
            records.append(rec)
    touch(store, vs_id)
    ids = [fid for fid, _, _ in entries]
    if ctx.settings.fast:
        for fid in ids:
            await asyncio.to_thread(ingest, store, vs_id, fid)
    else:
        task = asyncio.get_running_loop().create_task(_ingest_later(ctx.services, vs_id, ids))
        tasks = _tasks(ctx.services)
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    return [store.get(FILE, part_key(vs_id, fid)) or rec for fid, rec in zip(ids, records, strict=True)]


def load_file(store: Store, vs_id: str, file_id: str) -> dict[str, Any]:
    load(store, vs_id)
    rec = store.get(FILE, part_key(vs_id, file_id))
    if rec is None:
        raise not_found(f"No file found with id '{file_id}' in vector store '{vs_id}'.", param="file_id")
    return rec


def list_files(ctx: Context, files: list[dict[str, Any]]) -> dict[str, Any]:
    p = ctx.params
    if p.filter:
        files = [f for f in files if f["status"] == p.filter]
    items, more = page_of(files, limit=clamp_limit(p.limit), order=p.order or "desc", after=p.after, before=p.before)
    return list_body([public(f) for f in items], more, nullable_ids=False)


@serves("createVectorStoreFile")
async def create_vector_store_file(_: Any, ctx: Context) -> dict[str, Any]:
    req = ctx.data or {}
    store = ctx.services.store
    vs_id = ctx.params.vector_store_id
    load(store, vs_id)
    file_id = req["file_id"]
    require_files(store, [file_id], "")
    chunking = chunking_from(req.get("chunking_strategy"), "chunking_strategy")
    rec = (await attach_files(ctx, vs_id, [(file_id, chunking, req.get("attributes"))], batch_id=None))[0]
    return public(rec)


@serves("getVectorStoreFile")
async def get_vector_store_file(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    return public(load_file(ctx.services.store, p.vector_store_id, p.file_id))


@serves("listVectorStoreFiles")
async def list_vector_store_files(_: Any, ctx: Context) -> dict[str, Any]:
    store = ctx.services.store
    vs_id = ctx.params.vector_store_id
    load(store, vs_id)
    return list_files(ctx, files_of(store, vs_id))


@serves("deleteVectorStoreFile")
async def delete_vector_store_file(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = ctx.services.store
    with store.transaction():
        load_file(store, p.vector_store_id, p.file_id)
        store.delete(FILE, part_key(p.vector_store_id, p.file_id))
        store.delete(CHUNKS, part_key(p.vector_store_id, p.file_id))
    return {"id": p.file_id, "object": "vector_store.file.deleted", "deleted": True}


@serves("updateVectorStoreFileAttributes")
async def update_vector_store_file_attributes(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = ctx.services.store
    with store.transaction():
        rec = load_file(store, p.vector_store_id, p.file_id)
        rec["attributes"] = (ctx.data or {}).get("attributes") or {}
        store.put(FILE, part_key(p.vector_store_id, p.file_id), rec, owner=p.vector_store_id)
    return public(rec)


@serves("retrieveVectorStoreFileContent")
async def retrieve_vector_store_file_content(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = ctx.services.store
    load_file(store, p.vector_store_id, p.file_id)
    chunks = (store.get(CHUNKS, part_key(p.vector_store_id, p.file_id)) or {}).get("chunks") or []
    return {
        "object": "vector_store.file_content.page",
        "data": [{"type": "text", "text": c} for c in chunks],
        "has_more": False,
        "next_page": None,
    }
