"""Server endpoints: health (with the start-up delay), metrics (JSON or Prometheus by content negotiation),
the Prometheus exposition at the paths scrapers try, KV-cache metrics, and simulated DCGM GPU telemetry.

/metrics content negotiation: an Accept header that prefers text/plain or application/openmetrics-text (what
Prometheus sends) gets the exposition; anything else, `*/*` included (what `requests` and aiperf send), gets the
seeds' JSON. /prometheus/metrics and /metrics/prometheus always give the exposition (aiperf falls back to the
first when /metrics is not Prometheus text).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from fakeai.context import Context, Text
from fakeai.metrics import wants_exposition
from fakeai.registry import lifespan, serves
from fakeai.services import Services

from .latency import engine

GPU_MEMORY_MIB = 81559  # an 80 GB H100
KV_BYTES_PER_BLOCK = 16 * 2 * 32 * 8 * 128 * 2  # block tokens x (K,V) x layers x kv heads x head dim x fp16


@serves("getHealth")
async def get_health(_: Any, ctx: Context) -> Any:
    ok = ctx.services.ready
    body = {
        "status": "healthy" if ok else "starting",
        "ready": ok,
        "timestamp": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
    }
    if ok:
        return body
    from fakeai.errors import APIError

    raise APIError(
        503, "The server is starting up.", type="service_unavailable", code="starting", headers={"retry-after": "1"}
    )


def _exposition(ctx: Context, accept: str) -> Text:
    _, openmetrics = wants_exposition(accept)
    data, media = ctx.services.metrics.exposition(openmetrics)
    return Text(data.decode(), media_type=media)


@serves("getMetrics")
async def get_metrics(_: Any, ctx: Context) -> Any:
    accept = ctx.request.headers.get("accept", "")
    exposition, _ = wants_exposition(accept)
    if exposition:
        return _exposition(ctx, accept)
    return ctx.services.metrics.snapshot()


@serves("getPrometheusMetrics", "getMetricsPrometheus")
async def get_prometheus(_: Any, ctx: Context) -> Text:
    return _exposition(ctx, ctx.request.headers.get("accept", ""))


@lifespan
async def _share_views(services: Services) -> AsyncIterator[None]:
    """With several worker processes, each simulates its own KV caches and load on the same simulated GPUs: they
    publish these views with their metrics (fakeai.metrics_share), and the endpoints below count them all."""
    services.metrics.sections["kv"] = lambda: {"pid": os.getpid(), "models": engine(services).kv_snapshot()}
    services.metrics.sections["gpu"] = lambda: _gpu_load(services)
    yield


def _kv_views(ctx: Context) -> list[tuple[int, dict[str, Any]]]:
    """(process id, {model: KV router snapshot}) of every worker process, in process order."""
    own = (os.getpid(), engine(ctx).kv_snapshot())
    others = [(v["pid"], v["models"]) for v in ctx.services.metrics.shared_section("kv")]
    return sorted([own, *others], key=lambda v: v[0])


_TOTAL_PCTS = {"occupancy_pct": ("used_blocks", "capacity_blocks"), "hit_rate_pct": ("cache_hits", "routed_requests")}
_TOTAL_PCTS["token_reuse_pct"] = ("matched_tokens", "queried_tokens")


def _add_totals(into: dict[str, Any] | None, totals: dict[str, Any]) -> dict[str, Any]:
    if into is None:
        return dict(totals)
    for key, value in totals.items():
        if key not in _TOTAL_PCTS:
            into[key] += value
    for key, (num, den) in _TOTAL_PCTS.items():
        into[key] = round(100.0 * into[num] / into[den], 4) if into[den] else 0.0
    return into


@serves("getKvCacheMetrics")
async def get_kv_cache_metrics(_: Any, ctx: Context) -> dict[str, Any]:
    """The seeds' shape: cache_performance (percentages) and smart_router (decisions, workers, per model), over
    every worker process (their workers are told apart by `process`)."""
    views = _kv_views(ctx)
    routed = hits = queried = matched = 0
    decisions: dict[str, int] = {}
    workers: list[dict[str, Any]] = []
    by_model: dict[str, Any] = {}
    for pid, snaps in views:
        for model, snap in snaps.items():
            totals: dict[str, Any] = snap["totals"]
            routed += totals["routed_requests"]
            hits += totals["cache_hits"]
            queried += totals["queried_tokens"]
            matched += totals["matched_tokens"]
            for reason, n in snap["decisions"].items():
                decisions[reason] = decisions.get(reason, 0) + n
            workers += [{"model": model, **w, **({"process": pid} if len(views) > 1 else {})} for w in snap["workers"]]
            by_model[model] = _add_totals(by_model.get(model), totals)
    return {
        "cache_performance": {
            "cache_hit_rate": round(100 * hits / routed, 2) if routed else 0.0,
            "token_reuse_rate": round(100 * matched / queried, 2) if queried else 0.0,
            "total_cache_hits": hits,
            "total_cache_misses": routed - hits,
            "total_tokens_processed": queried,
            "cached_tokens_reused": matched,
            "avg_prefix_length": round(matched / hits, 2) if hits else 0.0,
        },
        "smart_router": {
            "total_routed": routed,
            "decisions": decisions,
            "workers": workers,
            "by_model": by_model,
        },
    }


def _gpu_load(services: Services) -> dict[str, list[float]]:
    """Each simulated GPU's share of its running slots in use and its KV blocks used, summed over the models."""
    n = services.settings.kv_workers
    util = [0.0] * n
    kv_used = [0.0] * n
    for srv in engine(services).servers.values():
        for w in range(min(n, len(srv.running))):
            running = srv.running[w] + (len(srv.engines[w].running) if srv.batching else 0)
            util[w] += running / srv.max_num_seqs
            kv_used[w] += srv.engines[w].used_blocks if srv.batching else srv.router.cache(w).used_blocks
    return {"util": util, "kv_used": kv_used}


def _gpu_rows(ctx: Context) -> list[dict[str, float]]:
    """One simulated GPU per simulated worker, its load summed over the models served and the worker processes
    (they share the simulated GPUs)."""
    eng = engine(ctx)
    n = ctx.settings.kv_workers
    own = _gpu_load(ctx.services)
    util, kv_used = own["util"], own["kv_used"]
    for other in ctx.services.metrics.shared_section("gpu"):
        for w in range(min(n, len(other["util"]))):
            util[w] += other["util"][w]
            kv_used[w] += other["kv_used"][w]
    elapsed = time.monotonic() - eng.started
    rows = []
    for w in range(n):
        u = min(1.0, util[w])
        fb_used = min(GPU_MEMORY_MIB, 2048 + int(kv_used[w]) * KV_BYTES_PER_BLOCK // (1024 * 1024))
        power = 70.0 + 630.0 * u
        rows.append(
            {
                "DCGM_FI_DEV_GPU_UTIL": round(100 * u),
                "DCGM_FI_DEV_MEM_COPY_UTIL": round(60 * u),
                "DCGM_FI_DEV_FB_USED": fb_used,
                "DCGM_FI_DEV_FB_FREE": GPU_MEMORY_MIB - fb_used,
                "DCGM_FI_DEV_POWER_USAGE": round(power, 3),
                "DCGM_FI_DEV_GPU_TEMP": round(34 + 40 * u),
                "DCGM_FI_DEV_MEMORY_TEMP": round(38 + 35 * u),
                "DCGM_FI_DEV_SM_CLOCK": 1980 if u > 0 else 345,
                "DCGM_FI_DEV_MEM_CLOCK": 2619,
                "DCGM_FI_PROF_GR_ENGINE_ACTIVE": round(u, 4),
                "DCGM_FI_PROF_SM_ACTIVE": round(0.9 * u, 4),
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION": round(elapsed * 70_000 + 630_000 * u * elapsed),
            }
        )
    return rows


_HELP = {
    "DCGM_FI_DEV_GPU_UTIL": ("gauge", "GPU utilization (in %)."),
    "DCGM_FI_DEV_MEM_COPY_UTIL": ("gauge", "Memory utilization (in %)."),
    "DCGM_FI_DEV_FB_USED": ("gauge", "Framebuffer memory used (in MiB)."),
    "DCGM_FI_DEV_FB_FREE": ("gauge", "Framebuffer memory free (in MiB)."),
    "DCGM_FI_DEV_POWER_USAGE": ("gauge", "Power draw (in W)."),
    "DCGM_FI_DEV_GPU_TEMP": ("gauge", "GPU temperature (in C)."),
    "DCGM_FI_DEV_MEMORY_TEMP": ("gauge", "Memory temperature (in C)."),
    "DCGM_FI_DEV_SM_CLOCK": ("gauge", "SM clock frequency (in MHz)."),
    "DCGM_FI_DEV_MEM_CLOCK": ("gauge", "Memory clock frequency (in MHz)."),
    "DCGM_FI_PROF_GR_ENGINE_ACTIVE": ("gauge", "Ratio of time the graphics engine is active."),
    "DCGM_FI_PROF_SM_ACTIVE": ("gauge", "Ratio of cycles an SM has at least one warp assigned."),
    "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION": ("counter", "Total energy consumption since boot (in mJ)."),
}


@serves("getDcgmMetrics")
async def get_dcgm_metrics(_: Any, ctx: Context) -> Text:
    rows = _gpu_rows(ctx)
    lines = []
    for name, (kind, help_text) in _HELP.items():
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for gpu, row in enumerate(rows):
            labels = (
                f'gpu="{gpu}",UUID="GPU-fa4eai00-0000-4000-8000-{gpu:012d}",'
                f'pci_bus_id="00000000:{gpu + 0x18:02X}:00.0",device="nvidia{gpu}",'
                f'modelName="NVIDIA H100 80GB HBM3",Hostname="fakeai"'
            )
            lines.append(f"{name}{{{labels}}} {row[name]}")
    return Text("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4; charset=utf-8")
