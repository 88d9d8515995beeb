"""`fakeai serve --workers 2` as a real multi-process server: requests land on both workers, and every scrape of
/prometheus/metrics and /kv-cache-metrics (whichever worker answers it) counts all of them; a key revoked through
one worker is refused by both."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest
from fakeai.behaviors.organization_keys import REFRESH_SECONDS
from prometheus_client.parser import text_string_to_metric_families

from fakeai.metrics_share import PUBLISH_SECONDS
from tests.conftest import free_port

pytestmark = pytest.mark.slow


def count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "fakeai_requests_total" and s.labels == {"operation": "listModels", "status": "200"}:
                return float(s.value)
    return 0.0


def published(directory: Path, status: str = "200") -> list[float]:
    """What each worker has published: its own count of listModels answered with `status`."""
    out = []
    for path in directory.glob("*.json"):
        try:
            rows = orjson.loads(path.read_bytes())["families"]["fakeai_requests"]
        except (OSError, orjson.JSONDecodeError, KeyError):
            continue
        out.append(sum(v for labels, v in rows if labels == ["listModels", status]))
    return out


def chatted(directory: Path) -> int:
    """How many workers have published a KV view of the chats' model."""
    n = 0
    for path in directory.glob("*.json"):
        try:
            n += "gpt-4o-mini" in orjson.loads(path.read_bytes())["sections"]["kv"]["models"]
        except (OSError, orjson.JSONDecodeError, KeyError):
            continue
    return n


@contextmanager
def two_workers(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """`fakeai serve --workers 2` on a free port: (its URL, the parent's pid); stopped at the end."""
    port = free_port()
    args = ["serve", "--workers", "2", "--fast", "--port", str(port), "--data-dir", str(tmp_path), *extra]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "fakeai", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, f"server did not start:\n{log.read_text()}"
            time.sleep(0.2)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_every_scrape_counts_the_requests_of_both_workers(tmp_path: Path) -> None:
    with two_workers(tmp_path, "--no-require-api-key") as (url, pid):
        directory = Path(tempfile.gettempdir()) / f"fakeai-metrics-{pid}"
        sent = chats = 0

        def one(_: int) -> int:
            with httpx.Client(base_url=url) as c:  # a new connection each time: the kernel picks the worker
                return c.get("/v1/models").status_code

        def chat(_: int) -> int:
            with httpx.Client(base_url=url, timeout=30) as c:
                body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}
                return c.post("/v1/chat/completions", json=body).status_code

        # until both workers have served some (the kernel spreads connections, unevenly)
        for _ in range(20):
            with ThreadPoolExecutor(8) as pool:
                assert set(pool.map(one, range(40))) == {200}
                assert set(pool.map(chat, range(10))) == {200}
            sent += 40
            chats += 10
            time.sleep(PUBLISH_SECONDS * 1.5)
            shares = published(directory)
            if len(shares) == 2 and all(shares) and chatted(directory) == 2:
                break
        assert len(shares) == 2 and all(shares), f"requests did not reach both workers: {shares}"
        time.sleep(PUBLISH_SECONDS * 1.5)  # (the chats' KV views published too)
        for _ in range(10):  # each scrape lands on either worker
            with httpx.Client(base_url=url) as c:
                assert count(c.get("/prometheus/metrics").text) == sent
                kv = c.get("/kv-cache-metrics").json()
                assert kv["smart_router"]["total_routed"] == chats  # every worker's simulated KV router counted
                assert kv["smart_router"]["by_model"]["gpt-4o-mini"]["routed_requests"] == chats
                processes = {w.get("process") for w in kv["smart_router"]["workers"]}
                assert len(processes) == 2 and None not in processes
                gpus = c.get("/dcgm-metrics").text
                assert gpus.count("DCGM_FI_DEV_GPU_UTIL{") == 1  # the workers share the simulated GPUs
    assert not directory.exists()  # the workers withdrew their files, and the last one the directory


def test_a_key_revoked_through_one_worker_is_refused_by_both(tmp_path: Path) -> None:
    keep, revoke, admin = "sk-keep-0123456789", "sk-revoke-0123456789", "sk-admin-0123456789"
    env = {"FAKEAI_API_KEYS": f"{keep},{revoke}", "FAKEAI_ADMIN_API_KEYS": admin}
    gone = "key_" + hashlib.sha256(revoke.encode()).hexdigest()[:16]

    def status(url: str, key: str) -> int:
        with httpx.Client(base_url=url, timeout=30) as c:  # a new connection: either worker
            return c.get("/v1/models", headers={"Authorization": f"Bearer {key}"}).status_code

    with two_workers(tmp_path, env=env) as (url, pid):
        directory = Path(tempfile.gettempdir()) / f"fakeai-metrics-{pid}"
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(lambda _: status(url, revoke), range(16))) == {200}
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {admin}"}, timeout=30) as c:
            assert c.delete(f"/v1/organization/projects/proj_default/api_keys/{gone}").status_code == 200
        time.sleep(REFRESH_SECONDS * 1.5)
        for _ in range(20):  # until both workers have answered the revoked key (the kernel spreads connections)
            with ThreadPoolExecutor(8) as pool:
                assert set(pool.map(lambda _: status(url, revoke), range(24))) == {401}  # whichever answers
                assert set(pool.map(lambda _: status(url, keep), range(8))) == {200}
            time.sleep(PUBLISH_SECONDS * 1.5)
            counts = published(directory, status="401")
            if len(counts) == 2 and all(counts):
                break
        assert len(counts) == 2 and all(counts), f"the requests did not reach both workers: {counts}"
