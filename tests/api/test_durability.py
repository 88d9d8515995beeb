"""Durability: the store outlives the server. SIGKILL and restart on the same data dir keeps files, uploads and
batches, and a batch that was running resumes where it stopped; two workers share one store without damage."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from fakeai.app import create_app
from fakeai.store import Store
from tests.conftest import API_KEY, REPO, LiveServer, free_port, make_settings

pytestmark = pytest.mark.slow


class Server:
    """`python -m fakeai serve --fast` in a subprocess of its own (process group), on a data dir."""

    def __init__(self, data_dir: Path, *args: str, pace: float = 0.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("FAKEAI_")}
        env["FAKEAI_BATCH_PACE"] = str(pace)
        cmd = [sys.executable, "-m", "fakeai", "serve", "--data-dir", str(data_dir), "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [*cmd, "--fast", "--log-level", "warning", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if (
                    httpx.get(self.url + "/v1/models", headers={"authorization": f"Bearer {API_KEY}"}).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("server did not start")
            time.sleep(0.1)
        self.client = openai.OpenAI(api_key=API_KEY, base_url=self.url + "/v1", max_retries=0)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if hasattr(self, "client"):
            self.client.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        self.proc.wait(timeout=30)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for s in started:
        s.kill()


def lines(n: int) -> bytes:
    rows = [
        {
            "custom_id": f"job-{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Item {i}?"}]},
        }
        for i in range(n)
    ]
    return b"\n".join(json.dumps(r).encode() for r in rows) + b"\n"


def runners(data_dir: Path, batch_id: str) -> list[str]:
    """The runners (host:pid:nonce) that took up the batch, in order, as the batch records them privately."""
    store = Store(data_dir)
    try:
        return list((store.get("batch", batch_id) or {}).get("_runners", []))
    finally:
        store.close()


def wait(client: openai.OpenAI, batch_id: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        batch = client.batches.retrieve(batch_id)
        if batch.status in ("completed", "failed", "cancelled", "expired") or time.monotonic() > deadline:
            return batch
        time.sleep(0.1)


def test_sigkill_and_restart_keeps_everything_and_resumes_the_batch(tmp_path: Path, servers: list[Server]) -> None:
    first = Server(tmp_path, pace=0.1)
    servers.append(first)
    c = first.client
    blob = bytes(range(256)) * 64 + b"\x00end"
    kept = c.files.create(file=("blob.bin", blob), purpose="user_data")
    upload = c.uploads.create(filename="u.bin", purpose="assistants", bytes=6, mime_type="application/octet-stream")
    part = c.uploads.parts.create(upload.id, data=b"abc")
    batch = c.batches.create(
        input_file_id=c.files.create(file=("in.jsonl", lines(40)), purpose="batch").id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
        metadata={"run": "durable"},
    )
    deadline = time.monotonic() + 30
    while c.batches.retrieve(batch.id).request_counts.completed < 3 and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.05)
    before = c.batches.retrieve(batch.id)
    assert before.status == "in_progress"
    first.kill(signal.SIGKILL)

    second = Server(tmp_path, pace=0.0)
    servers.append(second)
    c = second.client
    assert c.files.retrieve(kept.id).bytes == len(blob)
    assert c.files.content(kept.id).read() == blob
    assert kept.id in [f.id for f in c.files.list()]
    part2 = c.uploads.parts.create(upload.id, data=b"def")
    done_upload = c.uploads.complete(upload.id, part_ids=[part.id, part2.id])
    assert done_upload.file is not None and c.files.content(done_upload.file.id).read() == b"abcdef"
    done = wait(c, batch.id)
    assert done.status == "completed", done
    assert done.metadata == {"run": "durable"}
    assert done.request_counts is not None
    assert (done.request_counts.total, done.request_counts.completed, done.request_counts.failed) == (40, 40, 0)
    assert done.request_counts.completed >= (before.request_counts.completed if before.request_counts else 0)
    out = [json.loads(x) for x in c.files.content(done.output_file_id).text.splitlines()]
    assert [x["custom_id"] for x in out] == [f"job-{i}" for i in range(40)]  # each line once, in input order
    assert all(x["response"]["body"]["choices"][0]["message"]["content"] for x in out)
    took = runners(tmp_path, batch.id)
    assert len(took) == 2 and took[0] != took[1]  # started by the first server, resumed once by the second
    assert took[0].split(":")[1] == str(first.proc.pid) and took[1].split(":")[1] == str(second.proc.pid)


def test_two_workers_share_the_store(tmp_path: Path, servers: list[Server]) -> None:
    server = Server(tmp_path, "--workers", "2")
    servers.append(server)
    made: list[tuple[str, bytes]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def hammer(worker: int) -> None:
        try:
            with openai.OpenAI(api_key=API_KEY, base_url=server.url + "/v1", max_retries=0) as client:
                for i in range(40):
                    data = f"worker {worker} file {i} ".encode() * (i + 1) + bytes([worker, 0, i])
                    f = client.files.create(file=(f"w{worker}-{i}.bin", data), purpose="user_data")
                    with lock:
                        made.append((f.id, data))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=hammer, args=(w,)) for w in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    client = server.client
    listed = [f.id for f in client.files.list(limit=15)]
    assert len(listed) == len(set(listed)) == 80
    assert set(listed) == {fid for fid, _ in made}
    for fid, data in made:
        assert client.files.content(fid).read() == data
    batch = client.batches.create(
        input_file_id=client.files.create(file=("in.jsonl", lines(30)), purpose="batch").id,
        endpoint="/v1/chat/completions",
        completion_window="24h",
    )
    done = wait(client, batch.id)
    assert done.status == "completed" and done.request_counts is not None
    assert (done.request_counts.completed, done.request_counts.failed) == (30, 0)
    out = [json.loads(x)["custom_id"] for x in client.files.content(done.output_file_id).text.splitlines()]
    assert out == [f"job-{i}" for i in range(30)]
    assert len(runners(tmp_path, batch.id)) == 1  # one worker ran it; the other never took it up


def test_graceful_stop_then_lazy_resume_without_lifespan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server stopped gracefully frees its batches; an app run without lifespan events resumes them on the
    first batch request."""
    monkeypatch.setenv("FAKEAI_BATCH_PACE", "0.05")
    first = LiveServer(create_app(make_settings(data_dir=str(tmp_path))))
    with first, openai.OpenAI(api_key=API_KEY, base_url=first.url + "/v1", max_retries=0) as c:
        batch = c.batches.create(
            input_file_id=c.files.create(file=("in.jsonl", lines(60)), purpose="batch").id,
            endpoint="/v1/chat/completions",
            completion_window="24h",
        )
        deadline = time.monotonic() + 30
        while c.batches.retrieve(batch.id).request_counts.completed < 2 and time.monotonic() < deadline:  # type: ignore[union-attr]
            time.sleep(0.02)
        assert c.batches.retrieve(batch.id).status == "in_progress"
    monkeypatch.setenv("FAKEAI_BATCH_PACE", "0")
    second = LiveServer(create_app(make_settings(data_dir=str(tmp_path))))
    second.config.lifespan = "off"
    with second, openai.OpenAI(api_key=API_KEY, base_url=second.url + "/v1", max_retries=0) as c:
        done = wait(c, batch.id)
        assert done.status == "completed" and done.request_counts is not None
        assert done.request_counts.completed == 60
    assert len(runners(tmp_path, batch.id)) == 2
