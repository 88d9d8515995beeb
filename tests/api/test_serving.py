"""The serving simulation through HTTP: timing fidelity, batching knee, disconnects, queueing, prefix caching,
faults, rate limits, metrics. Timing tests use generous tolerances (shared 2-core machines); fakeai's own speed
is measured by the benchmark (nox -s bench), not here."""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from fakeai.app import create_app
from tests.conftest import API_KEY, AUTH, LiveServer, make_settings

MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def server(**settings: Any) -> LiveServer:
    return LiveServer(create_app(make_settings(**{"fast": False, **settings})))


def chat_body(n_tokens: int, text: str = "Tell me a story.", **extra: Any) -> dict[str, Any]:
    return {
        "model": MODEL,
        "messages": [{"role": "user", "content": text}],
        "max_tokens": n_tokens,
        "ignore_eos": True,
        "stream": True,
        **extra,
    }


async def stream_times(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[float, list[float]]:
    """(TTFT, gaps between content chunks) of one streamed chat completion."""
    t0 = time.perf_counter()
    arrivals = []
    async with client.stream("POST", "/v1/chat/completions", json=body, headers=AUTH) as r:
        assert r.status_code == 200, await r.aread()
        async for line in r.aiter_lines():
            if line.startswith("data: {") and '"content":"' in line and '"content":""' not in line:
                arrivals.append(time.perf_counter())
    ttft = arrivals[0] - t0
    return ttft, [b - a for a, b in itertools.pairwise(arrivals)]


def test_open_loop_timing_matches_the_profile_at_low_load() -> None:
    with server(ttft=0.1, itl=0.01, jitter_cv=0.0) as s:

        async def run() -> tuple[list[float], list[float]]:
            async with httpx.AsyncClient(base_url=s.url, timeout=30) as c:
                ttfts, gaps = [], []
                for _ in range(3):
                    t, g = await stream_times(c, chat_body(40))
                    ttfts.append(t)
                    gaps += g
                return ttfts, gaps

        ttfts, gaps = asyncio.run(run())
    assert 0.085 < statistics.median(ttfts) < 0.16
    assert 0.008 < statistics.median(gaps) < 0.014
    assert len(gaps) == 3 * 39


def test_batching_throughput_flattens_and_itl_stretches_past_the_knee() -> None:
    with server(latency_mode="batching", step_ms=10, max_batch_size=8, ttft=0.0, jitter_cv=0.0, load_stretch=0.5) as s:

        async def load(n: int) -> tuple[float, float]:
            async with httpx.AsyncClient(base_url=s.url, timeout=60) as c:
                t0 = time.perf_counter()
                results = await asyncio.gather(*[stream_times(c, chat_body(60)) for _ in range(n)])
                elapsed = time.perf_counter() - t0
            gaps = [g for _, gs in results for g in gs]
            return n * 60 / elapsed, statistics.median(gaps)

        tput2, itl2 = asyncio.run(load(2))
        tput8, itl8 = asyncio.run(load(8))
        tput24, _ = asyncio.run(load(24))
    ceiling = 8 / (0.010 * 1.5)  # max_batch_size tokens per (stretched) step
    assert tput8 > 2.5 * tput2  # below the knee throughput grows with load
    assert tput24 < 1.25 * tput8 and tput24 < 1.15 * ceiling  # past it, it flattens at the ceiling
    assert itl8 > itl2 * 1.15  # a fuller batch steps more slowly


def test_disconnect_frees_the_slot_and_is_counted() -> None:
    with server(ttft=0.0, itl=0.05, jitter_cv=0.0, max_num_seqs=1, max_queue=0) as s:

        async def run() -> tuple[int, str]:
            async with httpx.AsyncClient(base_url=s.url, timeout=30) as c:
                async with c.stream("POST", "/v1/chat/completions", json=chat_body(200), headers=AUTH) as r:
                    seen = 0
                    async for line in r.aiter_lines():
                        seen += line.startswith("data: {")
                        if seen >= 3:
                            break  # leave: the connection closes mid-stream
                await asyncio.sleep(0.3)
                ok = await c.post("/v1/chat/completions", json={**chat_body(2), "stream": False}, headers=AUTH)
                metrics = await c.get("/metrics", headers={"accept": "text/plain"})
                return ok.status_code, metrics.text

        status, text = asyncio.run(run())
    assert status == 200  # the slot was freed (max_num_seqs=1, no queue)
    assert sample(text, "fakeai_client_disconnects_total", model_name=MODEL) == 1
    assert sample(text, "vllm:num_requests_running", model_name=MODEL) == 0


def test_kv_cache_usage_follows_the_running_sequences() -> None:
    with server(ttft=0.0, itl=0.02, jitter_cv=0.0, kv_blocks=100, kv_block_size=16) as s:

        async def run() -> tuple[float, float, int]:
            async with httpx.AsyncClient(base_url=s.url, timeout=30) as c:
                body = {**chat_body(40), "stream": False}
                streams = [
                    asyncio.create_task(c.post("/v1/chat/completions", json=body, headers=AUTH)) for _ in range(4)
                ]
                await asyncio.sleep(0.3)  # all four admitted, none finished (40 tokens x 20 ms)
                during = (await c.get("/metrics", headers={"accept": "text/plain"})).text
                answers = await asyncio.gather(*streams)
                after = (await c.get("/metrics", headers={"accept": "text/plain"})).text
                prompt = answers[0].json()["usage"]["prompt_tokens"]
                return (
                    sample(during, "vllm:kv_cache_usage_perc", model_name=MODEL),
                    sample(after, "vllm:kv_cache_usage_perc", model_name=MODEL),
                    prompt,
                )

        during, after, prompt = asyncio.run(run())
    blocks = -(-(prompt + 40) // 16)
    assert during == pytest.approx(4 * blocks / 100)
    assert after == 0


def test_queue_overflow_is_429() -> None:
    with server(ttft=0.0, itl=0.05, jitter_cv=0.0, max_num_seqs=1, max_queue=1) as s:

        async def run() -> httpx.Response:
            async with httpx.AsyncClient(base_url=s.url, timeout=30) as c:
                holders = [
                    asyncio.create_task(
                        c.post("/v1/chat/completions", json={**chat_body(20), "stream": False}, headers=AUTH)
                    )
                    for _ in range(2)
                ]
                await asyncio.sleep(0.2)  # one running, one waiting
                third = await c.post("/v1/chat/completions", json={**chat_body(2), "stream": False}, headers=AUTH)
                for h in holders:
                    assert (await h).status_code == 200
                return third

        third = asyncio.run(run())
    assert third.status_code == 429
    assert third.json()["error"]["code"] == "queue_full"
    assert third.headers["retry-after"] == "1"


def test_repeated_prefix_is_cached_and_prefills_faster() -> None:
    prefix = " ".join(f"word{i}" for i in range(1500))
    with server(latency_profile="large", itl=0.001, jitter_cv=0.0) as s:

        async def run() -> list[tuple[float, int]]:
            out = []
            async with httpx.AsyncClient(base_url=s.url, timeout=30) as c:
                for question in ("first question?", "second question?"):
                    messages = [{"role": "system", "content": prefix}, {"role": "user", "content": question}]
                    body = {"model": MODEL, "max_tokens": 3, "ignore_eos": True, "messages": messages}
                    t0 = time.perf_counter()
                    r = await c.post("/v1/chat/completions", json=body, headers=AUTH)
                    out.append((time.perf_counter() - t0, r.json()["usage"]["prompt_tokens_details"]["cached_tokens"]))
                kv = (await c.get("/kv-cache-metrics")).json()
            out.append((0.0, kv["cache_performance"]["cached_tokens_reused"]))
            return out

        (t1, cached1), (t2, cached2), (_, reused) = asyncio.run(run())
    assert cached1 == 0
    assert cached2 > 1000 and cached2 % 16 == 0
    assert t2 < t1 - 0.05  # only the uncached tokens are prefilled (large profile: 80 µs per token)
    assert reused == cached2


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [
        ("rate_limit", 429, "rate_limit_exceeded"),
        ("invalid_api_key", 401, "invalid_api_key"),
        ("context_length", 400, "context_length_exceeded"),
        ("server_error", 500, None),
        ("service_unavailable", 503, None),
        ("model_not_found", 404, "model_not_found"),
    ],
)
def test_immediate_faults_by_header(client: Any, fault: str, status: int, code: str | None) -> None:
    r = client.post(
        "/v1/chat/completions", json={**chat_body(5), "stream": False}, headers={**AUTH, "x-fakeai-fault": fault}
    )
    assert r.status_code == status
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"} and err["code"] == code


def test_stream_faults(live_server: LiveServer) -> None:
    url = live_server.url + "/v1/chat/completions"
    r = httpx.post(url, json=chat_body(20), headers={**AUTH, "x-fakeai-fault": "malformed_chunk"})
    frames = [f[6:] for f in r.text.split("\n\n") if f.startswith("data: ") and f != "data: [DONE]"]
    bad = 0
    for f in frames:
        try:
            json.loads(f)
        except ValueError:
            bad += 1
    assert bad == 1
    with pytest.raises(httpx.HTTPError):  # the server drops the connection mid-stream
        httpx.post(url, json=chat_body(50), headers={**AUTH, "x-fakeai-fault": "disconnect"})


def test_timeout_fault_and_unknown_fault_name() -> None:
    with server(fast=True, fault_timeout=0.2) as s:
        r = httpx.post(s.url + "/v1/models/gpt-4o", headers={**AUTH, "x-fakeai-fault": "timeout"})
        assert r.status_code in (404, 405)  # POST is not allowed there: faults only apply to real operations
        t0 = time.perf_counter()
        r = httpx.get(s.url + "/v1/models", headers={**AUTH, "x-fakeai-fault": "timeout"})
        assert r.status_code == 500 and r.json()["error"]["code"] == "timeout"
        assert time.perf_counter() - t0 >= 0.2
        r = httpx.get(s.url + "/v1/models", headers={**AUTH, "x-fakeai-fault": "gremlins"})
        assert r.status_code == 400 and r.json()["error"]["param"] == "x-fakeai-fault"


def test_fault_rate_injects_a_share_of_requests() -> None:
    with server(fast=True, fault_rate=0.5, fault_types=["server_error"]) as s:
        codes = [httpx.get(s.url + "/v1/models", headers=AUTH).status_code for _ in range(200)]
    assert 60 < codes.count(500) < 140 and codes.count(200) + codes.count(500) == 200


def test_rate_limits_send_openai_headers_and_429() -> None:
    with server(fast=True, rate_limit_rpm=3) as s:
        rs = [httpx.get(s.url + "/v1/models", headers=AUTH) for _ in range(4)]
    assert [r.status_code for r in rs] == [200, 200, 200, 429]
    assert rs[0].headers["x-ratelimit-limit-requests"] == "3"
    assert [r.headers["x-ratelimit-remaining-requests"] for r in rs[:3]] == ["2", "1", "0"]
    assert rs[0].headers["x-ratelimit-reset-requests"].endswith("s")
    assert int(rs[3].headers["retry-after"]) >= 1
    err = rs[3].json()["error"]
    assert err["code"] == "rate_limit_exceeded" and "RPM" in err["message"]


def sample(exposition: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(exposition):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    raise KeyError(name)


def test_metrics_exposition_counts_what_was_sent() -> None:
    with server(fast=True) as s:
        for _ in range(3):
            httpx.post(s.url + "/v1/chat/completions", json={**chat_body(5), "stream": False}, headers=AUTH)
        httpx.post(s.url + "/v1/chat/completions", json=chat_body(5), headers=AUTH)
        httpx.get(s.url + "/v1/models")  # 401
        prom = httpx.get(s.url + "/metrics", headers={"accept": "text/plain;version=0.0.4;q=1,*/*;q=0.1"})
        openm = httpx.get(s.url + "/metrics", headers={"accept": "application/openmetrics-text; version=1.0.0"})
        seeds = httpx.get(s.url + "/metrics", headers={"accept": "*/*"})
        fallback = httpx.get(s.url + "/prometheus/metrics", headers={"accept": "*/*"})
        other = httpx.get(s.url + "/metrics/prometheus")
    assert prom.headers["content-type"].startswith("text/plain")
    text = prom.text
    assert sample(text, "vllm:request_success_total", model_name=MODEL) == 4
    assert sample(text, "vllm:generation_tokens_total", model_name=MODEL) == 20
    assert sample(text, "vllm:time_to_first_token_seconds_count", model_name=MODEL) == 4
    assert sample(text, "fakeai_requests_total", operation="createChatCompletion", status="200") == 4
    assert sample(text, "fakeai_requests_total", operation="listModels", status="401") == 1
    for name in ("vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:prompt_tokens_total",
                 "vllm:inter_token_latency_seconds_count", "vllm:time_per_output_token_seconds_count",
                 "vllm:e2e_request_latency_seconds_count", "vllm:request_queue_time_seconds_count",
                 "vllm:prefix_cache_queries_total", "vllm:prefix_cache_hits_total"):  # fmt: skip
        sample(text, name, model_name=MODEL)
    assert openm.headers["content-type"].startswith("application/openmetrics-text") and openm.text.endswith("# EOF\n")
    assert set(seeds.json()) == {"requests", "response_times", "errors", "tokens_generated"}
    assert sum(seeds.json()["requests"].values()) >= 5
    assert fallback.headers["content-type"].startswith("text/plain") and "vllm:" in fallback.text
    assert "vllm:" in other.text


def test_kv_cache_metrics_and_dcgm_shapes(client: Any) -> None:
    client.post("/v1/chat/completions", json={**chat_body(3), "stream": False}, headers=AUTH)
    kv = client.get("/kv-cache-metrics").json()
    assert {"cache_hit_rate", "token_reuse_rate"} <= set(kv["cache_performance"])
    assert kv["smart_router"]["total_routed"] >= 1
    dcgm = client.get("/dcgm-metrics").text
    families = {f.name: f for f in text_string_to_metric_families(dcgm)}
    for name in ("DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_GPU_TEMP"):
        assert families[name].samples and families[name].samples[0].labels["gpu"] == "0"


def test_startup_delay() -> None:
    with server(fast=True, startup_delay=0.6) as s:
        h = httpx.get(s.url + "/health")
        r = httpx.get(s.url + "/v1/models", headers=AUTH)
        assert h.status_code == 503 and r.status_code == 503
        assert r.json()["error"]["type"] == "service_unavailable"
        time.sleep(0.7)
        assert httpx.get(s.url + "/health").json()["ready"] is True
        assert httpx.get(s.url + "/v1/models", headers=AUTH).status_code == 200


def test_api_key_is_required_by_default_for_the_client_fixture(client: Any) -> None:
    assert client.get("/v1/models").status_code == 401
    assert client.get("/v1/models", headers={"Authorization": f"Bearer {API_KEY}"}).status_code == 200
