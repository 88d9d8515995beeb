"""Files: createFile, listFiles, retrieveFile, deleteFile, downloadFile — bytes kept exactly, in the store.

A file is a document of kind "file" plus a blob with its bytes. Files for batch and fine-tune are checked line by
line on upload; `expires_after` sets `expires_at`, and an expired file behaves as deleted (it is purged when next
seen). Uploads and batches create their files through `save_file`.

The id `file-abc123` that OpenAI's documentation (and fakeai's README examples) use is a sample: referring to it
when no such file exists creates a small batch input file under that id, so the documented examples run as
written. Any other unknown id is a 404.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson

from fakeai.context import Binary, Context
from fakeai.errors import APIError, bad_request, not_found
from fakeai.registry import serves
from fakeai.store import Store

from .batch_input import upload_problem
from .pagination import list_body

KIND = "file"
SAMPLE_ID = "file-abc123"
BATCH_DEFAULT_TTL = 30 * 24 * 3600  # files uploaded for batch expire after 30 days unless told otherwise
_PAGE = 500


def blob_id(file_id: str) -> str:
    return f"file:{file_id}"


def new_id() -> str:
    return f"file-{uuid.uuid4().hex[:24]}"


def public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_") and v is not None}


def save_file(
    store: Store,
    data: bytes,
    filename: str,
    purpose: str,
    *,
    expires_at: int | None = None,
    file_id: str | None = None,
    created_at: int | None = None,
) -> dict[str, Any]:
    """Store `data` as a file and return its (public) object. Joins an open transaction."""
    now = created_at if created_at is not None else int(time.time())
    obj: dict[str, Any] = {
        "id": file_id or new_id(),
        "object": "file",
        "bytes": len(data),
        "created_at": now,
        "expires_at": expires_at,
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
    }
    with store.transaction():
        store.put_blob(blob_id(obj["id"]), data)
        store.put(KIND, obj["id"], obj, created_at=now)
    return public(obj)


def expired(obj: dict[str, Any], now: float | None = None) -> bool:
    at = obj.get("expires_at")
    return at is not None and at <= (now if now is not None else time.time())


def purge(store: Store, file_id: str) -> bool:
    with store.transaction():
        store.delete_blob(blob_id(file_id))
        return store.delete(KIND, file_id)


def find(store: Store, file_id: str) -> dict[str, Any] | None:
    """The live file object (None when missing or expired; expired files are purged)."""
    obj = store.get(KIND, file_id)
    if obj is not None and expired(obj):
        purge(store, file_id)
        obj = None
    if obj is None and file_id == SAMPLE_ID:
        return _sample(store)
    return public(obj) if obj is not None else None


def require(store: Store, file_id: str, param: str = "file_id") -> dict[str, Any]:
    obj = find(store, file_id)
    if obj is None:
        raise not_found(f"No such File object: {file_id}", param=param)
    return obj


def read(store: Store, file_id: str) -> bytes:
    return store.get_blob(blob_id(file_id)) or b""


def _sample(store: Store) -> dict[str, Any]:
    prompts = [
        "Summarise the benefits of unit testing in two sentences.",
        "Write a haiku about distributed systems.",
        "Explain what an API rate limit is to a new developer.",
    ]
    body = b"".join(
        orjson.dumps(
            {
                "custom_id": f"request-{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": p}], "max_tokens": 200},
            }
        )
        + b"\n"
        for i, p in enumerate(prompts, start=1)
    )
    return save_file(store, body, "batch_example.jsonl", "batch", file_id=SAMPLE_ID)


# ---------------------------------------------------------------------------------------------------------------
# operations


def expiry(expires_after: Any, created_at: int) -> int | None:
    """`expires_at` from an `expires_after` ({anchor: created_at, seconds}) given as a model or a dict."""
    if expires_after is None:
        return None
    seconds = getattr(expires_after, "seconds", None)
    if seconds is None and isinstance(expires_after, dict):
        seconds = expires_after.get("seconds")
    return created_at + int(seconds) if seconds is not None else None


@serves("createFile")
async def create_file(req: Any, ctx: Context) -> dict[str, Any]:
    upload = ctx.file("file")
    if upload is None:
        raise bad_request("Missing required parameter: 'file'.", param="file", code="missing_required_parameter")
    purpose = str(ctx.data.get("purpose"))
    problem = upload_problem(upload.data, purpose)
    if problem is not None:
        raise bad_request(problem, param="file", code="invalid_file_format")
    now = int(time.time())
    expires_at = expiry(getattr(req, "expires_after", None), now)
    if expires_at is None and purpose == "batch":
        expires_at = now + BATCH_DEFAULT_TTL
    filename = upload.filename or "upload"
    return save_file(ctx.services.store, upload.data, filename, purpose, expires_at=expires_at, created_at=now)


@serves("listFiles")
async def list_files(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    limit = p.limit or 10000
    if not 1 <= limit <= 10000:
        raise bad_request("Invalid 'limit': must be between 1 and 10000.", param="limit", code="invalid_value")
    store = ctx.services.store
    now = time.time()
    out: list[dict[str, Any]] = []
    after, has_more = p.after, False
    while True:
        page = store.list(KIND, after=after, limit=max(_PAGE, limit + 1), order=p.order or "desc")
        for obj in page.items:
            if expired(obj, now):
                purge(store, obj["id"])
                continue
            if p.purpose and obj.get("purpose") != p.purpose:
                continue
            if len(out) == limit:
                has_more = True
                break
            out.append(public(obj))
        if has_more or not page.has_more or not page.items:
            break
        after = page.items[-1]["id"]
    return list_body(out, has_more, nullable_ids=False)


@serves("retrieveFile")
async def retrieve_file(_: Any, ctx: Context) -> dict[str, Any]:
    return require(ctx.services.store, ctx.params.file_id)


@serves("deleteFile")
async def delete_file(_: Any, ctx: Context) -> dict[str, Any]:
    file_id = ctx.params.file_id
    store = ctx.services.store
    obj = store.get(KIND, file_id)
    gone = obj is None or expired(obj)
    if obj is not None and not purge(store, file_id):
        gone = True  # deleted meanwhile by another request
    if gone:
        raise not_found(f"No such File object: {file_id}", param="file_id")
    return {"id": file_id, "object": "file", "deleted": True}


@serves("downloadFile")
async def download_file(_: Any, ctx: Context) -> Binary:
    store = ctx.services.store
    obj = require(store, ctx.params.file_id)
    data = store.get_blob(blob_id(obj["id"]))
    if data is None:  # the object without its bytes: a half-deleted file
        raise APIError(404, f"No content stored for file {obj['id']}.", param="file_id")
    name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in obj["filename"])
    return Binary(data, "application/octet-stream", headers={"content-disposition": f'attachment; filename="{name}"'})
