"""fakeai.metrics_share + Metrics.state/merge: a scrape of one worker shows every worker's counts."""

from __future__ import annotations

import os
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from fakeai.metrics import Metrics
from fakeai.metrics_share import STALE_SECONDS, Share

MODEL = "m"


def sample(text: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return None


def worker(directory: Path, name: str, requests: int, ttfts: list[float], running: int, kv: float) -> Metrics:
    m = Metrics()
    m.share = Share(directory, name)
    for _ in range(requests):
        m.observe("/v1/chat/completions", 0.01, 200, "createChatCompletion")
    for t in ttfts:
        m.ttft.labels(MODEL).observe(t)
    m.running.labels(MODEL).set(running)
    m.kv_usage.labels(MODEL).set(kv)
    return m


def test_a_scrape_adds_the_other_workers(tmp_path: Path) -> None:
    a = worker(tmp_path, "a", 3, [0.05, 0.2], running=2, kv=0.5)
    b = worker(tmp_path, "b", 5, [0.05], running=1, kv=0.1)
    b.share.publish(b.state())
    text = a.exposition()[0].decode()
    ops = {"operation": "createChatCompletion", "status": "200"}
    assert sample(text, "fakeai_requests_total", **ops) == 8
    assert sample(text, "vllm:time_to_first_token_seconds_count", model_name=MODEL) == 3
    assert sample(text, "vllm:time_to_first_token_seconds_bucket", model_name=MODEL, le="0.06") == 2
    assert sample(text, "vllm:time_to_first_token_seconds_sum", model_name=MODEL) == sum([0.05, 0.2, 0.05])
    assert sample(text, "vllm:num_requests_running", model_name=MODEL) == 3  # gauges of load add up
    assert sample(text, "vllm:kv_cache_usage_perc", model_name=MODEL) == (0.5 + 0.1) / 2  # usage is the mean
    assert a.snapshot()["requests"]["/v1/chat/completions"] == 8
    # the worker's own live series are not changed by merging
    assert a.op_requests.labels("createChatCompletion", "200").value == 3
    # its own published file is not counted twice
    a.share.publish(a.state())
    assert sample(a.exposition()[0].decode(), "fakeai_requests_total", **ops) == 8


def test_stale_unreadable_and_withdrawn_files_are_left_out(tmp_path: Path) -> None:
    a = worker(tmp_path, "a", 1, [], running=0, kv=0.0)
    b = worker(tmp_path, "b", 4, [], running=0, kv=0.0)
    c = worker(tmp_path, "c", 16, [], running=0, kv=0.0)
    b.share.publish(b.state())
    c.share.publish(c.state())
    old = time.time() - STALE_SECONDS - 5
    os.utime(c.share.path, (old, old))  # c stopped publishing long ago: it died
    (tmp_path / "d.json").write_bytes(b"{not json")
    ops = {"operation": "createChatCompletion", "status": "200"}
    assert sample(a.exposition()[0].decode(), "fakeai_requests_total", **ops) == 5
    b.share.withdraw()
    assert sample(a.exposition()[0].decode(), "fakeai_requests_total", **ops) == 1


def test_a_single_worker_serves_its_own_registry() -> None:
    m = Metrics()
    m.observe("/v1/models", 0.001, 200, "listModels")
    assert sample(m.exposition()[0].decode(), "fakeai_requests_total", operation="listModels", status="200") == 1
