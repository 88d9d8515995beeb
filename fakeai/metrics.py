"""Metrics: the seeds' JSON counters, and a Prometheus exposition with vLLM's metric names.

Each app has its own CollectorRegistry (tests build many apps). vLLM-named metrics are labelled by model_name;
fakeai_* counters by operation. The serving simulation (behaviors/latency.py) reports the request lifecycle:
queued, running, first token, tokens, finished, disconnected.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.openmetrics import exposition as openmetrics
from prometheus_client.registry import Collector

_KEEP = 1000  # latencies kept per endpoint for the JSON view

# vLLM's bucket boundaries (seconds)
TTFT_BUCKETS = (
    0.001,
    0.005,
    0.01,
    0.02,
    0.04,
    0.06,
    0.08,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
    20.0,
    40.0,
    80.0,
)
ITL_BUCKETS = (
    0.001,
    0.005,
    0.01,
    0.015,
    0.02,
    0.025,
    0.03,
    0.04,
    0.05,
    0.075,
    0.1,
    0.15,
    0.2,
    0.3,
    0.4,
    0.5,
    0.75,
    1.0,
    2.5,
)
E2E_BUCKETS = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0)
TOKEN_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000)

OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"


# ---------------------------------------------------------------------------------------------------------------
# Lock-free collectors. prometheus_client's Counter/Histogram take a lock per update, which costs more than a
# streamed token is allowed to; one asyncio worker updates these from one thread, and the registry reads them
# through the standard Collector interface (so the exposition is prometheus_client's own).


class _Series:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0.0

    def inc(self, amount: float = 1.0) -> None:
        self.value += amount

    def dec(self, amount: float = 1.0) -> None:
        self.value -= amount

    def set(self, value: float) -> None:
        self.value = value


class _HistSeries:
    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.sum += value


class _Family(Collector):
    kind = "gauge"

    def __init__(self, name: str, doc: str, labelnames: Sequence[str] = (), *, registry: CollectorRegistry,
                 buckets: Sequence[float] = ()) -> None:  # fmt: skip
        self.name, self.doc, self.labelnames = name, doc, tuple(labelnames)
        self.bounds = tuple(sorted(buckets))
        self.series: dict[tuple[str, ...], Any] = {}
        registry.register(self)

    def labels(self, *values: str) -> Any:
        key = tuple(map(str, values))
        found = self.series.get(key)
        if found is None:
            found = self.series[key] = _HistSeries(self.bounds) if self.kind == "histogram" else _Series()
        return found

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        if self.kind == "counter":
            counter = CounterMetricFamily(self.name, self.doc, labels=self.labelnames)
            for key, s in self.series.items():
                counter.add_metric(list(key), s.value)
            yield counter
        elif self.kind == "gauge":
            gauge = GaugeMetricFamily(self.name, self.doc, labels=self.labelnames)
            for key, s in self.series.items():
                gauge.add_metric(list(key), s.value)
            yield gauge
        else:
            hist = HistogramMetricFamily(self.name, self.doc, labels=self.labelnames)
            for key, h in self.series.items():
                cumulative, buckets = 0, []
                for bound, count in zip([*h.bounds, math.inf], h.counts, strict=True):
                    cumulative += count
                    buckets.append(("+Inf" if bound == math.inf else repr(float(bound)), cumulative))
                hist.add_metric(list(key), buckets, h.sum)
            yield hist


class Counter(_Family):
    kind = "counter"


class Gauge(_Family):
    kind = "gauge"


class Histogram(_Family):
    kind = "histogram"


PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        self.share: Any = None  # a metrics_share.Share when several worker processes serve one port
        self.requests: defaultdict[str, int] = defaultdict(int)
        self.errors: defaultdict[str, int] = defaultdict(int)
        self.tokens: defaultdict[str, int] = defaultdict(int)
        self.times: defaultdict[str, deque[float]] = defaultdict(lambda: deque(maxlen=_KEEP))
        self._op_series: dict[tuple[str, int], tuple[Any, Any]] = {}
        # named views of other state (the KV caches, the GPUs' load) that other worker processes merge too:
        # name -> a function giving it as plain data
        self.sections: dict[str, Callable[[], Any]] = {}
        r = self.registry = CollectorRegistry(auto_describe=True)
        m = ["model_name"]
        self.running = Gauge("vllm:num_requests_running", "Requests in the running batch.", m, registry=r)
        self.waiting = Gauge("vllm:num_requests_waiting", "Requests waiting to be scheduled.", m, registry=r)
        self.kv_usage = Gauge("vllm:kv_cache_usage_perc", "KV-cache usage, 1 = full.", m, registry=r)
        self.prompt_tokens = Counter("vllm:prompt_tokens", "Prefill tokens processed.", m, registry=r)
        self.generation_tokens = Counter("vllm:generation_tokens", "Generation tokens processed.", m, registry=r)
        self.prefix_hits = Counter("vllm:prefix_cache_hits", "Prompt tokens found in the prefix cache.", m, registry=r)
        self.prefix_queries = Counter(
            "vllm:prefix_cache_queries", "Prompt tokens looked up in the prefix cache.", m, registry=r
        )
        self.preemptions = Counter("vllm:num_preemptions", "Sequences preempted for lack of KV blocks.", m, registry=r)
        self.success = Counter("vllm:request_success", "Requests finished.", [*m, "finished_reason"], registry=r)
        self.ttft = Histogram(
            "vllm:time_to_first_token_seconds", "Time to first token.", m, buckets=TTFT_BUCKETS, registry=r
        )
        self.itl = Histogram(
            "vllm:inter_token_latency_seconds", "Time between tokens.", m, buckets=ITL_BUCKETS, registry=r
        )
        self.tpot = Histogram(
            "vllm:time_per_output_token_seconds",
            "Mean time per output token of a request.",
            m,
            buckets=ITL_BUCKETS,
            registry=r,
        )
        self.e2e = Histogram(
            "vllm:e2e_request_latency_seconds", "End-to-end latency.", m, buckets=E2E_BUCKETS, registry=r
        )
        self.queue_time = Histogram(
            "vllm:request_queue_time_seconds", "Time spent waiting to be scheduled.", m, buckets=E2E_BUCKETS, registry=r
        )
        self.prompt_hist = Histogram(
            "vllm:request_prompt_tokens", "Prompt tokens per request.", m, buckets=TOKEN_BUCKETS, registry=r
        )
        self.generation_hist = Histogram(
            "vllm:request_generation_tokens", "Generated tokens per request.", m, buckets=TOKEN_BUCKETS, registry=r
        )
        op = ["operation", "status"]
        self.op_requests = Counter("fakeai_requests", "HTTP requests by operation and status code.", op, registry=r)
        self.op_errors = Counter(
            "fakeai_errors", "Error responses by operation and error type.", ["operation", "type"], registry=r
        )
        self.op_latency = Histogram(
            "fakeai_request_duration_seconds",
            "Time to produce the response head.",
            ["operation"],
            buckets=E2E_BUCKETS,
            registry=r,
        )
        self.disconnects = Counter("fakeai_client_disconnects", "Streams the client closed early.", m, registry=r)
        self.faults = Counter("fakeai_injected_faults", "Faults injected, by type.", ["type"], registry=r)
        self.rate_limited = Counter("fakeai_rate_limited", "Requests refused by a rate limit.", ["limit"], registry=r)

    # ------------------------------------------------------------------ per HTTP request
    def observe(
        self, endpoint: str, seconds: float, status: int, operation: str = "", error_type: str | None = None
    ) -> None:
        self.requests[endpoint] += 1
        self.times[endpoint].append(round(seconds, 6))
        if status >= 400:
            self.errors[endpoint] += 1
        if operation:
            series = self._op_series.get((operation, status))
            if series is None:  # (labels() builds a key of strings: once per operation and status)
                series = self._op_series[(operation, status)] = (
                    self.op_requests.labels(operation, str(status)),
                    self.op_latency.labels(operation),
                )
            series[0].inc()
            series[1].observe(seconds)
            if status >= 400:
                self.op_errors.labels(operation, error_type or "error").inc()

    def add_tokens(self, endpoint: str, count: int) -> None:
        self.tokens[endpoint] += count

    # ------------------------------------------------------------------ views
    def families(self) -> list[_Family]:
        return [v for v in vars(self).values() if isinstance(v, _Family)]

    def _own_snapshot(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "response_times": {k: list(v) for k, v in self.times.items()},
            "errors": dict(self.errors),
            "tokens_generated": dict(self.tokens),
        }

    def snapshot(self) -> dict[str, Any]:
        """The seeds' JSON shape (with several workers: all of them, as of their last publication)."""
        own = self._own_snapshot()
        for other in self.share.others() if self.share is not None else ():
            theirs = other.get("json") or {}
            for field in ("requests", "errors", "tokens_generated"):
                for k, v in (theirs.get(field) or {}).items():
                    own[field][k] = own[field].get(k, 0) + v
            for k, v in (theirs.get("response_times") or {}).items():
                own["response_times"][k] = (own["response_times"].get(k, []) + list(v))[-_KEEP:]
        return own

    def state(self) -> dict[str, Any]:
        """Everything this process has counted, as plain data (what other workers merge into their scrapes)."""
        families: dict[str, list[Any]] = {}
        for fam in self.families():
            if fam.kind == "histogram":
                families[fam.name] = [[list(k), [list(h.counts), h.sum]] for k, h in fam.series.items()]
            else:
                families[fam.name] = [[list(k), s.value] for k, s in fam.series.items()]
        return {
            "families": families,
            "json": self._own_snapshot(),
            "sections": {name: view() for name, view in self.sections.items()},
        }

    def shared_section(self, name: str) -> list[Any]:
        """Section `name` as the other worker processes last published it (none with a single worker)."""
        others = self.share.others() if self.share is not None else []
        return [o["sections"][name] for o in others if name in o.get("sections", {})]

    def exposition(self, openmetrics_format: bool = False) -> tuple[bytes, str]:
        others = self.share.others() if self.share is not None else []
        registry = self._merged(others) if others else self.registry
        if openmetrics_format:
            return openmetrics.generate_latest(registry), OPENMETRICS
        return generate_latest(registry), PROMETHEUS

    def _merged(self, others: list[dict[str, Any]]) -> CollectorRegistry:
        """A registry of this process's series plus the other workers': counters and histograms add up, gauges
        add up too (requests running, waiting) except KV-cache usage, which is the workers' mean."""
        registry = CollectorRegistry(auto_describe=False)
        for fam in self.families():
            merged = type(fam)(fam.name, fam.doc, fam.labelnames, registry=registry, buckets=fam.bounds)
            contributors: defaultdict[tuple[str, ...], int] = defaultdict(int)
            rows: list[tuple[list[str], Any]] = [
                (list(k), [list(s.counts), s.sum] if fam.kind == "histogram" else s.value)
                for k, s in fam.series.items()
            ]
            for other in others:
                rows += [(k, v) for k, v in (other.get("families") or {}).get(fam.name, [])]
            for labels, value in rows:
                series = merged.labels(*labels)
                contributors[tuple(labels)] += 1
                if fam.kind != "histogram":
                    series.inc(value)
                elif len(value[0]) == len(series.counts):
                    series.counts = [a + b for a, b in zip(series.counts, value[0], strict=True)]
                    series.sum += value[1]
            if fam is self.kv_usage:
                for key, n in contributors.items():
                    merged.series[key].value /= n
        return registry


def wants_exposition(accept: str) -> tuple[bool, bool]:
    """(serve the Prometheus exposition?, in OpenMetrics format?) from an Accept header.

    A scraper asks for text/plain or application/openmetrics-text; `*/*`, JSON or no header get JSON (the seeds'
    `requests.get(".../metrics").json()` sends `*/*`). The preference is by q-value, then by order."""
    best: tuple[float, int, str] | None = None
    for i, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        q = 1.0
        for p in parts[1:]:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media in (
            "text/plain",
            "application/openmetrics-text",
            "application/json",
            "*/*",
            "text/*",
            "application/*",
        ):
            cand = (q, -i, media)
            if best is None or cand > best:
                best = cand
    if best is None or best[0] <= 0:
        return False, False
    media = best[2]
    if media == "application/openmetrics-text":
        return True, True
    return media in ("text/plain", "text/*"), False
