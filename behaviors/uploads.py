"""Uploads: createUpload, addUploadPart, completeUpload, cancelUpload — a large file sent in parts.

An upload is a document of kind "upload" (pending until completed, cancelled or expired); each part is a document
of kind "upload.part" owned by its upload, with its bytes in a blob. Completing joins the parts in the order given,
checks the declared size (and the md5 when one is sent) and stores the result as a real File.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

from fakeai.context import Context
from fakeai.errors import APIError, bad_request, not_found
from fakeai.registry import serves
from fakeai.store import Store

from . import files
from .batch_input import upload_problem

KIND = "upload"
PART = "upload.part"
DEFAULT_TTL = 3600  # an upload lapses an hour after it starts unless expires_after says otherwise
MAX_PART_BYTES = 64 * 1024 * 1024


def _part_blob(part_id: str) -> str:
    return f"upload.part:{part_id}"


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _load(store: Store, upload_id: str) -> dict[str, Any]:
    """The upload, marked expired (and persisted so) once a pending upload passes its expires_at."""
    obj = store.get(KIND, upload_id)
    if obj is None:
        raise not_found(f"No such Upload object: {upload_id}", param="upload_id")
    if obj["status"] == "pending" and obj["expires_at"] <= time.time():
        obj["status"] = "expired"
        with store.transaction():
            _drop_parts(store, upload_id)
            store.put(KIND, upload_id, obj)
    return obj


def _pending(store: Store, upload_id: str, action: str) -> dict[str, Any]:
    """The upload, which must still be pending (400 otherwise). Call inside a transaction."""
    obj = _load(store, upload_id)
    if obj["status"] != "pending":
        raise bad_request(
            f"Cannot {action} upload {obj['id']}: its status is '{obj['status']}', not 'pending'.",
            param="upload_id",
            code="invalid_upload_state",
        )
    return obj


def _parts(store: Store, upload_id: str) -> list[dict[str, Any]]:
    return store.list(PART, owner=upload_id, limit=1_000_000, order="asc").items


def _drop_parts(store: Store, upload_id: str) -> None:
    for part in _parts(store, upload_id):
        store.delete_blob(_part_blob(part["id"]))
        store.delete(PART, part["id"])


@serves("createUpload")
async def create_upload(req: Any, ctx: Context) -> dict[str, Any]:
    data = ctx.data
    now = int(time.time())
    expires_at = files.expiry(getattr(req, "expires_after", None), now) or now + DEFAULT_TTL
    obj = {
        "id": f"upload_{uuid.uuid4().hex}",
        "object": "upload",
        "bytes": data["bytes"],
        "created_at": now,
        "filename": data["filename"],
        "purpose": data["purpose"],
        "status": "pending",
        "expires_at": expires_at,
        "file": None,
        "_mime_type": data["mime_type"],
    }
    ctx.services.store.put(KIND, obj["id"], obj, created_at=now)
    return _public(obj)


@serves("addUploadPart")
async def add_upload_part(_: Any, ctx: Context) -> dict[str, Any]:
    store = ctx.services.store
    upload_id = ctx.params.upload_id
    part_file = ctx.file("data")
    if part_file is None:
        raise bad_request("Missing required parameter: 'data'.", param="data", code="missing_required_parameter")
    if len(part_file.data) > MAX_PART_BYTES:
        raise bad_request(f"A part may hold at most {MAX_PART_BYTES} bytes.", param="data", code="part_too_large")
    now = int(time.time())
    part = {"id": f"part_{uuid.uuid4().hex}", "object": "upload.part", "created_at": now, "upload_id": upload_id}
    _load(store, upload_id)  # persists an expiry before the transaction below may roll back
    with store.transaction():
        _pending(store, upload_id, "add a part to")
        store.put_blob(_part_blob(part["id"]), part_file.data)
        store.put(PART, part["id"], {**part, "_bytes": len(part_file.data)}, created_at=now, owner=upload_id)
    return part


@serves("completeUpload")
async def complete_upload(req: Any, ctx: Context) -> dict[str, Any]:
    store = ctx.services.store
    upload_id = ctx.params.upload_id
    part_ids: list[str] = list(ctx.data.get("part_ids") or [])
    md5 = ctx.data.get("md5")
    _load(store, upload_id)
    with store.transaction():
        obj = _pending(store, upload_id, "complete")
        if len(set(part_ids)) != len(part_ids):
            raise bad_request("part_ids lists the same part more than once.", param="part_ids", code="invalid_value")
        chunks: list[bytes] = []
        for i, part_id in enumerate(part_ids):
            part = store.get(PART, part_id)
            blob = store.get_blob(_part_blob(part_id)) if part is not None else None
            if part is None or part["upload_id"] != upload_id or blob is None:
                raise bad_request(
                    f"Part '{part_id}' does not belong to upload {upload_id}.",
                    param=f"part_ids[{i}]",
                    code="invalid_value",
                )
            chunks.append(blob)
        joined = b"".join(chunks)
        if len(joined) != obj["bytes"]:
            raise bad_request(
                f"The parts add up to {len(joined)} bytes, but the upload was created with bytes={obj['bytes']}.",
                param="part_ids",
                code="invalid_value",
            )
        if md5 is not None and hashlib.md5(joined).hexdigest() != str(md5).lower():
            raise bad_request(
                "The md5 checksum does not match the uploaded bytes.", param="md5", code="checksum_mismatch"
            )
        problem = upload_problem(joined, obj["purpose"])
        if problem is not None:
            raise bad_request(problem, param="part_ids", code="invalid_file_format")
        expires_at = files.BATCH_DEFAULT_TTL + int(time.time()) if obj["purpose"] == "batch" else None
        obj["file"] = files.save_file(store, joined, obj["filename"], obj["purpose"], expires_at=expires_at)
        obj["status"] = "completed"
        _drop_parts(store, upload_id)
        store.put(KIND, upload_id, obj)
    return _public(obj)


@serves("cancelUpload")
async def cancel_upload(_: Any, ctx: Context) -> dict[str, Any]:
    store = ctx.services.store
    upload_id = ctx.params.upload_id
    _load(store, upload_id)
    with store.transaction():
        obj = _load(store, upload_id)
        if obj["status"] == "cancelled":
            return _public(obj)
        if obj["status"] != "pending":
            raise APIError(
                400,
                f"Cannot cancel upload {upload_id}: its status is '{obj['status']}'.",
                param="upload_id",
                code="invalid_upload_state",
            )
        obj["status"] = "cancelled"
        _drop_parts(store, upload_id)
        store.put(KIND, upload_id, obj)
    return _public(obj)
