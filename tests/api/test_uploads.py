"""Uploads through the openai SDK: parts joined in the given order into a real File, checks, cancel, expiry."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import openai
import pytest

from tests.api.own_server import own_client, own_server  # noqa: F401 (the module's server and client)
from tests.conftest import LiveServer

PARTS = [b"\x00first\xff" * 100, b"second\x00" * 50, b"\x01third"]


def start(client: openai.OpenAI, data: bytes, **extra: Any) -> Any:
    return client.uploads.create(
        filename="data.bin", purpose="assistants", bytes=len(data), mime_type="application/octet-stream", **extra
    )


def test_parts_complete_into_a_real_file(client: openai.OpenAI) -> None:
    whole = b"".join(PARTS)
    upload = start(client, whole)
    assert (upload.status, upload.object, upload.bytes, upload.filename) == (
        "pending",
        "upload",
        len(whole),
        "data.bin",
    )
    assert upload.expires_at == upload.created_at + 3600
    ids = []
    for chunk in PARTS:
        part = client.uploads.parts.create(upload.id, data=chunk)
        assert part.object == "upload.part" and part.upload_id == upload.id
        ids.append(part.id)
    done = client.uploads.complete(upload.id, part_ids=ids, md5=hashlib.md5(whole).hexdigest())
    assert done.status == "completed"
    assert done.file is not None
    assert (done.file.bytes, done.file.filename, done.file.purpose) == (len(whole), "data.bin", "assistants")
    assert client.files.retrieve(done.file.id).bytes == len(whole)
    assert client.files.content(done.file.id).read() == whole


def test_part_order_is_the_order_given(client: openai.OpenAI) -> None:
    chunks = [b"AAAA", b"BBBB", b"CCCC"]
    upload = start(client, b"".join(chunks))
    ids = [client.uploads.parts.create(upload.id, data=c).id for c in chunks]
    done = client.uploads.complete(upload.id, part_ids=ids[::-1])
    assert done.file is not None
    assert client.files.content(done.file.id).read() == b"CCCCBBBBAAAA"


def test_sdk_chunked_helper(client: openai.OpenAI) -> None:
    data = bytes(range(256)) * 300
    upload = client.uploads.upload_file_chunked(
        file=data,
        filename="big.bin",
        bytes=len(data),
        mime_type="application/octet-stream",
        purpose="assistants",
        part_size=10_000,
    )
    assert upload.status == "completed" and upload.file is not None
    assert client.files.content(upload.file.id).read() == data


def test_md5_and_size_are_checked(client: openai.OpenAI) -> None:
    upload = start(client, b"12345678")
    first = client.uploads.parts.create(upload.id, data=b"1234").id
    with pytest.raises(openai.BadRequestError) as e:
        client.uploads.complete(upload.id, part_ids=[first])
    assert "4 bytes" in e.value.message and "8" in e.value.message
    second = client.uploads.parts.create(upload.id, data=b"5678").id
    with pytest.raises(openai.BadRequestError) as e:
        client.uploads.complete(upload.id, part_ids=[first, second], md5=hashlib.md5(b"wrong").hexdigest())
    assert e.value.param == "md5"
    with pytest.raises(openai.BadRequestError):
        client.uploads.complete(upload.id, part_ids=[first, "part_unknown"])
    done = client.uploads.complete(upload.id, part_ids=[first, second], md5=hashlib.md5(b"12345678").hexdigest())
    assert done.status == "completed"  # failed completions left it pending


def test_batch_upload_is_checked_like_a_batch_file(client: openai.OpenAI) -> None:
    data = b'{"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {}}\nnope\n'
    upload = client.uploads.create(filename="b.jsonl", purpose="batch", bytes=len(data), mime_type="text/jsonl")
    part = client.uploads.parts.create(upload.id, data=data)
    with pytest.raises(openai.BadRequestError) as e:
        client.uploads.complete(upload.id, part_ids=[part.id])
    assert "line 2 is not valid JSON" in e.value.message


def test_cancel(client: openai.OpenAI) -> None:
    upload = start(client, b"abc")
    part = client.uploads.parts.create(upload.id, data=b"abc")
    cancelled = client.uploads.cancel(upload.id)
    assert cancelled.status == "cancelled"
    with pytest.raises(openai.BadRequestError):
        client.uploads.parts.create(upload.id, data=b"more")
    with pytest.raises(openai.BadRequestError) as e:
        client.uploads.complete(upload.id, part_ids=[part.id])
    assert "cancelled" in e.value.message
    assert client.uploads.cancel(upload.id).status == "cancelled"


def test_expired_upload_rejects_parts(client: openai.OpenAI, server: tuple[LiveServer, Any]) -> None:
    upload = start(client, b"abc", expires_after={"anchor": "created_at", "seconds": 7200})
    assert upload.expires_at == upload.created_at + 7200
    store = server[1]
    store.put("upload", upload.id, {**store.get("upload", upload.id), "expires_at": int(time.time()) - 1})
    with pytest.raises(openai.BadRequestError) as e:
        client.uploads.parts.create(upload.id, data=b"abc")
    assert "expired" in e.value.message
    with pytest.raises(openai.BadRequestError):
        client.uploads.cancel(upload.id)


def test_unknown_upload_is_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.uploads.parts.create("upload_nope", data=b"x")
    with pytest.raises(openai.NotFoundError):
        client.uploads.complete("upload_nope", part_ids=[])
    with pytest.raises(openai.NotFoundError):
        client.uploads.cancel("upload_nope")
