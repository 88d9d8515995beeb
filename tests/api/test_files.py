"""Files through the openai SDK: exact bytes, cursor pagination, JSONL checks, expiry, deletion, 404s."""

from __future__ import annotations

import json
import time
from typing import Any

import openai
import pytest

from tests.api.own_server import own_client, own_server  # noqa: F401 (the module's server and client)
from tests.conftest import LiveServer


def request_line(i: int, **extra: Any) -> dict[str, Any]:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"question {i}"}]}
    return {"custom_id": f"req-{i}", "method": "POST", "url": "/v1/chat/completions", "body": body, **extra}


def test_binary_upload_downloads_byte_for_byte(client: openai.OpenAI) -> None:
    data = bytes(range(256)) * 40 + b"\x00\x00\r\n\x00tail"
    created = client.files.create(file=("blob.bin", data), purpose="user_data")
    assert created.object == "file"
    assert created.id.startswith("file-")
    assert created.bytes == len(data)
    assert created.filename == "blob.bin"
    assert created.purpose == "user_data"
    assert created.status == "processed"
    assert abs(created.created_at - time.time()) < 60
    got = client.files.retrieve(created.id)
    assert (got.id, got.bytes, got.filename, got.purpose, got.created_at) == (
        created.id,
        len(data),
        "blob.bin",
        "user_data",
        created.created_at,
    )
    assert client.files.content(created.id).read() == data


def test_auto_pagination_visits_every_file_once(client: openai.OpenAI) -> None:
    created = [
        client.files.create(file=(f"f{i}.txt", f"file {i}".encode()), purpose="assistants").id for i in range(250)
    ]
    seen = [f.id for f in client.files.list(limit=20, purpose="assistants")]
    assert len(seen) == len(set(seen)) == 250
    assert set(seen) == set(created)
    assert seen == created[::-1]  # newest first by default
    ascending = [f.id for f in client.files.list(limit=33, order="asc", purpose="assistants")]
    assert ascending == created
    page = client.files.list(limit=7, purpose="assistants")
    assert len(page.data) == 7 and page.has_more
    assert page.first_id == page.data[0].id and page.last_id == page.data[-1].id  # type: ignore[attr-defined]


def test_purpose_filter_and_limit_bounds(client: openai.OpenAI) -> None:
    mine = client.files.create(file=("tune.jsonl", b'{"messages": []}\n'), purpose="fine-tune")
    listed = [f.id for f in client.files.list(purpose="fine-tune")]
    assert mine.id in listed
    assert all(f.purpose == "fine-tune" for f in client.files.list(purpose="fine-tune"))
    for bad in (0, 10001):
        with pytest.raises(openai.BadRequestError) as e:
            client.files.list(limit=bad)
        assert e.value.param == "limit"


def test_batch_file_lines_are_checked_on_upload(client: openai.OpenAI) -> None:
    good = [json.dumps(request_line(1)), json.dumps(request_line(2))]
    with pytest.raises(openai.BadRequestError) as e:
        client.files.create(file=("b.jsonl", "\n".join([*good, "{not json"]).encode()), purpose="batch")
    assert "line 3 is not valid JSON" in e.value.message
    missing = {k: v for k, v in request_line(2).items() if k != "url"}
    with pytest.raises(openai.BadRequestError) as e:
        client.files.create(file=("b.jsonl", "\n".join([good[0], json.dumps(missing)]).encode()), purpose="batch")
    assert "line 2" in e.value.message and "'url'" in e.value.message
    with pytest.raises(openai.BadRequestError) as e:
        client.files.create(file=("t.jsonl", b'{"messages": []}\n[1, 2]\n'), purpose="fine-tune")
    assert "line 2 is not a JSON object" in e.value.message
    ok = client.files.create(file=("b.jsonl", ("\n".join(good) + "\n").encode()), purpose="batch")
    assert ok.purpose == "batch"
    assert ok.expires_at is not None and ok.expires_at > time.time() + 29 * 24 * 3600  # batch files: 30 days


def test_expires_after_sets_expires_at_and_expired_files_are_gone(
    client: openai.OpenAI, server: tuple[LiveServer, Any]
) -> None:
    f = client.files.create(
        file=("short.txt", b"short-lived"),
        purpose="user_data",
        expires_after={"anchor": "created_at", "seconds": 3600},
    )
    assert f.expires_at == f.created_at + 3600
    store = server[1]
    doc = store.get("file", f.id)
    store.put("file", f.id, {**doc, "expires_at": int(time.time()) - 1})  # let an hour pass
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(f.id)
    with pytest.raises(openai.NotFoundError):
        client.files.content(f.id)
    assert f.id not in [x.id for x in client.files.list(purpose="user_data")]
    assert store.get_blob(f"file:{f.id}") is None  # purged, bytes too


def test_delete_then_404(client: openai.OpenAI) -> None:
    f = client.files.create(file=("gone.txt", b"bye"), purpose="user_data")
    deleted = client.files.delete(f.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (f.id, "file", True)
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(f.id)
    with pytest.raises(openai.NotFoundError):
        client.files.content(f.id)
    with pytest.raises(openai.NotFoundError):
        client.files.delete(f.id)


def test_unknown_id_is_a_404_envelope(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as e:
        client.files.retrieve("file-doesnotexist")
    assert e.value.status_code == 404
    assert isinstance(e.value.body, dict)
    assert "file-doesnotexist" in e.value.message
    assert e.value.body.get("type") == "invalid_request_error"


def test_documented_sample_id_exists_on_first_use(client: openai.OpenAI) -> None:
    sample = client.files.retrieve("file-abc123")
    assert sample.purpose == "batch"
    lines = client.files.content("file-abc123").text.splitlines()
    assert lines and all(json.loads(line)["url"] == "/v1/chat/completions" for line in lines)
