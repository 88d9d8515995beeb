"""Batches through the openai SDK: every line really runs, output and error files, validation, cancel, listing."""

from __future__ import annotations

import json
import time
from typing import Any

import openai
import pytest

from tests.api.own_server import own_client, own_server  # noqa: F401 (the module's server and client)
from tests.conftest import API_KEY, LiveServer

OTHER_KEY = "sk-test-abcdefghijklmnop"
FINAL = ("completed", "failed", "cancelled", "expired")


def chat_line(i: int, **body: Any) -> dict[str, Any]:
    content = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Tell me fact number {i}."}]}
    return {"custom_id": f"task-{i}", "method": "POST", "url": "/v1/chat/completions", "body": {**content, **body}}


def upload(client: openai.OpenAI, lines: list[dict[str, Any]]) -> str:
    data = "\n".join(json.dumps(line) for line in lines).encode() + b"\n"
    return client.files.create(file=("input.jsonl", data), purpose="batch").id


def wait(client: openai.OpenAI, batch_id: str, until: tuple[str, ...] = FINAL, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        batch = client.batches.retrieve(batch_id)
        if batch.status in until or time.monotonic() > deadline:
            return batch
        time.sleep(0.05)


def jsonl(client: openai.OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    assert file_id is not None
    return [json.loads(line) for line in client.files.content(file_id).text.splitlines()]


def test_hundred_chat_lines_really_run(client: openai.OpenAI) -> None:
    input_id = upload(client, [chat_line(i) for i in range(100)])
    batch = client.batches.create(
        input_file_id=input_id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"job": "nightly"},
    )
    assert batch.status == "validating" and batch.id.startswith("batch_")
    done = wait(client, batch.id)
    assert done.status == "completed", done
    assert (done.request_counts.total, done.request_counts.completed, done.request_counts.failed) == (100, 100, 0)
    assert done.metadata == {"job": "nightly"}
    assert done.model == "gpt-4o-mini"
    assert done.in_progress_at and done.finalizing_at and done.completed_at
    assert done.created_at <= done.in_progress_at <= done.finalizing_at <= done.completed_at <= done.expires_at
    assert done.error_file_id is None
    assert done.usage is not None and done.usage.output_tokens > 0
    out = jsonl(client, done.output_file_id)
    assert [line["custom_id"] for line in out] == [f"task-{i}" for i in range(100)]
    assert len({line["id"] for line in out}) == 100
    for line in out:
        assert line["id"].startswith("batch_req_") and line["error"] is None
        assert line["response"]["status_code"] == 200 and line["response"]["request_id"]
        body = line["response"]["body"]
        assert body["object"] == "chat.completion"
        assert body["choices"][0]["message"]["content"]
    assert client.files.retrieve(done.output_file_id).purpose == "batch_output"


def test_failing_lines_go_to_the_error_file(client: openai.OpenAI) -> None:
    lines = [chat_line(0), chat_line(1), chat_line(2), chat_line(3)]
    lines[1]["body"].pop("messages")  # the endpoint answers 400
    lines[3]["body"]["stream"] = True  # batches do not stream
    batch = client.batches.create(
        input_file_id=upload(client, lines), endpoint="/v1/chat/completions", completion_window="24h"
    )
    done = wait(client, batch.id)
    assert done.status == "completed"
    assert (done.request_counts.completed, done.request_counts.failed) == (2, 2)
    assert [x["custom_id"] for x in jsonl(client, done.output_file_id)] == ["task-0", "task-2"]
    errors = jsonl(client, done.error_file_id)
    assert [x["custom_id"] for x in errors] == ["task-1", "task-3"]
    for line in errors:
        assert line["response"]["status_code"] == 400
        assert line["response"]["body"]["error"]["message"]
    assert errors[0]["response"]["body"]["error"]["param"] == "messages"


def test_bad_input_fails_validation_with_line_errors(client: openai.OpenAI) -> None:
    lines = [chat_line(0), chat_line(0), chat_line(2), chat_line(3), chat_line(4), chat_line(5)]
    lines[2]["method"] = "GET"
    lines[3]["url"] = "/v1/embeddings"
    lines[4]["body"].pop("model")
    lines[5]["body"]["model"] = "another-model"
    batch = client.batches.create(
        input_file_id=upload(client, lines), endpoint="/v1/chat/completions", completion_window="24h"
    )
    assert batch.status == "validating"
    done = wait(client, batch.id)
    assert done.status == "failed" and done.failed_at
    assert done.errors is not None and done.errors.object == "list"
    got = [(e.code, e.line, e.param) for e in done.errors.data or []]
    assert got == [
        ("duplicate_custom_id", 2, "custom_id"),
        ("invalid_method", 3, "method"),
        ("url_mismatch", 4, "url"),
        ("missing_required_parameter", 5, "body.model"),
        ("model_mismatch", 6, "body.model"),
    ]
    assert done.output_file_id is None and done.request_counts.completed == 0


def test_create_time_errors(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as e:
        client.batches.create(input_file_id="file-missing", endpoint="/v1/chat/completions", completion_window="24h")
    assert e.value.param == "input_file_id"
    other = client.files.create(file=("notes.txt", b"hello"), purpose="user_data")
    with pytest.raises(openai.BadRequestError) as e2:
        client.batches.create(input_file_id=other.id, endpoint="/v1/chat/completions", completion_window="24h")
    assert "purpose" in e2.value.message
    with pytest.raises(openai.NotFoundError):
        client.batches.retrieve("batch_missing")
    with pytest.raises(openai.NotFoundError):
        client.batches.cancel("batch_missing")


def test_cancel_mid_run_keeps_the_lines_done(
    client: openai.OpenAI, server: tuple[LiveServer, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server[0].config.app.state.services.settings, "batch_pace", 0.05)
    batch = client.batches.create(
        input_file_id=upload(client, [chat_line(i) for i in range(200)]),
        endpoint="/v1/chat/completions",
        completion_window="24h",
    )
    deadline = time.monotonic() + 30
    while client.batches.retrieve(batch.id).request_counts.completed < 3 and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.02)
    cancelling = client.batches.cancel(batch.id)
    assert cancelling.status in ("cancelling", "cancelled") and cancelling.cancelling_at
    done = wait(client, batch.id)
    assert done.status == "cancelled" and done.cancelled_at
    assert done.request_counts is not None
    assert 3 <= done.request_counts.completed < 200
    out = jsonl(client, done.output_file_id)
    assert len(out) == done.request_counts.completed
    assert [x["custom_id"] for x in out] == [f"task-{i}" for i in range(len(out))]
    with pytest.raises(openai.BadRequestError):
        client.batches.cancel(batch.id)


@pytest.mark.parametrize(
    ("endpoint", "body", "object_"),
    [
        ("/v1/embeddings", {"model": "text-embedding-3-small", "input": "hello"}, "list"),
        ("/v1/completions", {"model": "gpt-4o-mini", "prompt": "Once upon a time"}, "text_completion"),
        ("/v1/moderations", {"input": "a friendly sentence"}, None),
        ("/v1/responses", {"model": "gpt-4o-mini", "input": "Say hi"}, "response"),
    ],
)
def test_other_endpoints(client: openai.OpenAI, endpoint: str, body: dict[str, Any], object_: str | None) -> None:
    lines = [{"custom_id": f"c{i}", "method": "POST", "url": endpoint, "body": body} for i in range(3)]
    batch = client.batches.create(input_file_id=upload(client, lines), endpoint=endpoint, completion_window="24h")  # type: ignore[arg-type]
    done = wait(client, batch.id)
    assert done.status == "completed" and done.request_counts.completed == 3, done
    for line in jsonl(client, done.output_file_id):
        assert line["response"]["status_code"] == 200
        if object_ is not None:
            assert line["response"]["body"]["object"] == object_


def test_list_paginates_and_hides_the_key(client: openai.OpenAI) -> None:
    ids = [
        client.batches.create(
            input_file_id=upload(client, [chat_line(i)]), endpoint="/v1/chat/completions", completion_window="24h"
        ).id
        for i in range(3)
    ]
    first = client.batches.list(limit=2)
    assert len(first.data) == 2 and first.has_more
    assert [b.id for b in first.data] == ids[::-1][:2]
    listed = [b.id for b in client.batches.list(limit=2)]
    assert listed[:3] == ids[::-1] and len(listed) == len(set(listed))
    after = client.batches.list(after=ids[2], limit=1)
    assert [b.id for b in after.data] == [ids[1]]
    raw = client.batches.with_raw_response.retrieve(ids[0]).text
    assert API_KEY not in raw and "api_key" not in raw and "runner" not in raw


def test_lines_run_with_the_creators_key(
    client: openai.OpenAI, server: tuple[LiveServer, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Created with the second key; once that key is revoked mid-run, the remaining lines answer 401."""
    settings = server[0].config.app.state.services.settings
    monkeypatch.setattr(settings, "batch_pace", 0.05)
    with openai.OpenAI(api_key=OTHER_KEY, base_url=server[0].url + "/v1", max_retries=0) as other:
        batch = other.batches.create(
            input_file_id=upload(other, [chat_line(i) for i in range(40)]),
            endpoint="/v1/chat/completions",
            completion_window="24h",
        )
    deadline = time.monotonic() + 30
    while client.batches.retrieve(batch.id).request_counts.completed < 2 and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.02)
    monkeypatch.setattr(settings, "api_keys", [API_KEY])
    done = wait(client, batch.id)
    assert done.status == "completed" and done.request_counts is not None
    assert done.request_counts.completed >= 2 and done.request_counts.failed >= 1
    assert done.request_counts.completed + done.request_counts.failed == 40
    for line in jsonl(client, done.error_file_id):
        assert line["response"]["status_code"] == 401
        assert line["response"]["body"]["error"]["code"] == "invalid_api_key"


def seed_002(client: openai.OpenAI) -> None:
    """The "Batch Processing" example of seed 002, as written there (its input_file_id is the documented sample)."""
    # Create batch job
    batch = client.batches.create(input_file_id="file-abc123", endpoint="/v1/chat/completions", completion_window="24h")

    print(f"Batch ID: {batch.id}")
    print(f"Status: {batch.status}")

    # Check batch status
    batch = client.batches.retrieve(batch.id)
    print(f"Status: {batch.status}")
    print(f"Completed: {batch.request_counts.completed}/{batch.request_counts.total}")  # type: ignore[union-attr]

    # List all batches
    batches = client.batches.list(limit=10)
    for batch in batches.data:
        print(f"{batch.id}: {batch.status}")


def test_seed_002_batch_example_runs_unmodified(
    server: tuple[LiveServer, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    with openai.OpenAI(api_key="sk-fakeai-1234567890abcdef", base_url=server[0].url) as client:
        seed_002(client)
        text = capsys.readouterr().out
        assert "Batch ID: batch_" in text and "Completed: " in text
        batch_id = text.split("Batch ID: ")[1].split()[0]
        done = wait(client, batch_id)
    assert done.status == "completed" and done.request_counts.completed == 3
