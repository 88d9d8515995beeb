"""`python -m bench` (nox -s bench): fakeai against a bare FastAPI endpoint and a raw ASGI app, in one run.

Figures: non-stream chat req/s and latency p50/p99; streaming server CPU µs per token and tokens/s; timing
fidelity (TTFT and inter-token gaps against the configured values, p50/p99 error) at 16, 256 and 1000 concurrent
streams. Each server runs as its own process (one uvicorn worker, pinned to CPU 0 when possible); the load
client runs here (pinned to CPU 1). Results are ratios against the baselines measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .client import closed_loop, wait_ready

HERE = Path(__file__).resolve().parent
AUTH = {"Authorization": "Bearer sk-fakeai-1234567890abcdef", "Content-Type": "application/json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its children, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(kind: str, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Iterator[tuple[int, int]]:
    port = free_port()
    if kind == "fakeai":
        cmd = [
            sys.executable,
            "-m",
            "fakeai",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            ":memory:",
            "--log-level",
            "warning",
            *args,
        ]
    else:
        target = "bench.apps:fastapi_app" if kind == "fastapi" else "bench.apps:raw_app"
        cmd = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--log-level", "warning",
               "--loop", "uvloop", "--http", "httptools", "--no-access-log",
               "--no-proxy-headers"]  # the server settings `fakeai serve` uses  # fmt: skip
    if sys.platform == "linux" and os.cpu_count() and os.cpu_count() > 1 and _has("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    proc = subprocess.Popen(cmd, cwd=HERE.parent, env={**os.environ, **(env or {})})
    try:
        asyncio.run(wait_ready("127.0.0.1", port))
        yield port, proc.pid  # taskset execs the server, and one uvicorn worker serves in its own process
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _has(tool: str) -> bool:
    return any((Path(p) / tool).exists() for p in os.environ.get("PATH", "").split(os.pathsep))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def chat(max_tokens: int, stream: bool) -> bytes:
    return json.dumps({
        "model": "meta-llama/Llama-3.1-8B-Instruct",
        "messages": [{"role": "user", "content": "Write a short story about a lighthouse keeper."}],
        "max_tokens": max_tokens,
        "ignore_eos": True,
        "stream": stream,
    }).encode()  # fmt: skip


def nonstream(port: int, seconds: float, connections: int) -> dict[str, float]:
    body = chat(50, False)
    asyncio.run(closed_loop("127.0.0.1", port, connections=connections, duration=1.0, method="POST",
                            path="/v1/chat/completions", body=body, headers=AUTH))  # fmt: skip
    res = asyncio.run(closed_loop("127.0.0.1", port, connections=connections, duration=seconds, method="POST",
                                  path="/v1/chat/completions", body=body, headers=AUTH))  # fmt: skip
    ok = [r for r in res if r.status == 200]
    span = max(r.finished for r in res) - min(r.started for r in res)
    lat = [r.latency * 1000 for r in ok]
    return {"rps": len(ok) / span, "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99), "errors": len(res) - len(ok),
            "bytes": len(ok[0].body) if ok else 0}  # fmt: skip


def streaming_cpu(port: int, pid: int, seconds: float, streams: int) -> dict[str, float]:
    body = chat(200, True)
    c0, t0 = cpu_seconds(pid), time.perf_counter()
    res = asyncio.run(closed_loop("127.0.0.1", port, connections=streams, duration=seconds, method="POST",
                                  path="/v1/chat/completions", body=body, headers=AUTH, sse=True))  # fmt: skip
    cpu, wall = cpu_seconds(pid) - c0, time.perf_counter() - t0
    tokens = sum(len(r.events) for r in res)
    return {
        "tokens": tokens,
        "tokens_per_s": tokens / wall,
        "cpu_us_per_token": 1e6 * cpu / max(1, tokens),
        "server_cpu_s": cpu,
    }


def fidelity(port: int, streams: int, tokens: int, ttft: float, itl: float) -> dict[str, float]:
    body = chat(tokens, True)

    async def run() -> list[Any]:
        # one warm-up stream first, then every stream at once (each connection sends exactly one request)
        await closed_loop(
            "127.0.0.1",
            port,
            connections=1,
            duration=600.0,
            method="POST",
            path="/v1/chat/completions",
            body=chat(5, True),
            headers=AUTH,
            sse=True,
            max_requests=1,
        )
        return await closed_loop("127.0.0.1", port, connections=streams, duration=600.0, method="POST",
                                 path="/v1/chat/completions", body=body, headers=AUTH, sse=True,
                                 max_requests=streams)  # fmt: skip

    res = [r for r in asyncio.run(run()) if r.status == 200 and r.events]
    gaps = [abs((b - a) - itl) * 1000 for r in res for a, b in zip(r.events, r.events[1:], strict=False)]
    ttfts = [abs((r.events[0] - r.started) - ttft) * 1000 for r in res]
    return {"streams": len(res), "gap_err_p50_ms": pct(gaps, 0.5), "gap_err_p99_ms": pct(gaps, 0.99),
            "ttft_err_p50_ms": pct(ttfts, 0.5), "ttft_err_p99_ms": pct(ttfts, 0.99)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    ap.add_argument("--seconds", type=float, default=8.0, help="duration of each throughput run")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--fidelity", default="16,256,1000", help="concurrent stream counts for the timing runs")
    ap.add_argument("--workers", type=int, default=2, help="also measure fakeai with this many workers")
    ap.add_argument("--write", action="store_true", help="write bench/RESULTS.md and bench/results.json")
    ap.add_argument("--only", choices=("nonstream", "streaming", "fidelity"), help="run one part")
    args = ap.parse_args(argv)
    if sys.platform == "linux" and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})  # the client on CPU 1, the servers on CPU 0
    out: dict[str, Any] = {"machine": machine(), "nonstream": {}, "streaming": {}, "fidelity": {}}
    parts = (args.only,) if args.only else ("nonstream", "streaming", "fidelity")
    fast = ("--fast",)
    if "nonstream" in parts:
        with server("fakeai", args=fast) as (port, _):
            out["nonstream"]["fakeai"] = nonstream(port, args.seconds, args.connections)
        body_bytes = str(int(out["nonstream"]["fakeai"]["bytes"]))
        for kind in ("fastapi", "raw"):
            with server(kind, env={"BENCH_BODY_BYTES": body_bytes}) as (port, _):
                out["nonstream"][kind] = nonstream(port, args.seconds, args.connections)
        if args.workers > 1:
            with server("fakeai", args=(*fast, "--workers", str(args.workers))) as (port, _):
                out["nonstream"][f"fakeai_{args.workers}_workers"] = nonstream(port, args.seconds, args.connections)
    if "streaming" in parts:
        with server("fakeai", args=fast) as (port, pid):
            out["streaming"]["fakeai"] = streaming_cpu(port, pid, args.seconds, 32)
        with server("raw") as (port, pid):
            out["streaming"]["raw"] = streaming_cpu(port, pid, args.seconds, 32)
    ttft, itl, tokens = 0.1, 0.02, 100
    timing = (
        "--ttft",
        str(ttft),
        "--itl",
        str(itl),
        "--jitter-cv",
        "0",
        "--max-num-seqs",
        "4096",
        "--load-stretch",
        "0",
    )
    for n in [int(x) for x in args.fidelity.split(",") if x] if "fidelity" in parts else []:
        with server("fakeai", args=timing) as (port, _):
            fa = fidelity(port, n, tokens, ttft, itl)
        with server("raw", env={"BENCH_TTFT": str(ttft), "BENCH_ITL": str(itl)}) as (port, _):
            ra = fidelity(port, n, tokens, ttft, itl)
        out["fidelity"][str(n)] = {"fakeai": fa, "raw": ra}
    report = render(out)
    print(report)
    if args.write:
        (HERE / "results.json").write_text(json.dumps(out, indent=1) + "\n")
        (HERE / "RESULTS.md").write_text(report)
    return 0


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        )
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%d")}  # fmt: skip


def render(out: dict[str, Any]) -> str:
    ns, st, fi = out["nonstream"], out["streaming"], out["fidelity"]
    ns = ns or {"fastapi": {"rps": float("nan"), "p50_ms": float("nan"), "p99_ms": float("nan")}}
    m = out["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['platform']} ({m['date']}). Servers are",
        "pinned to CPU 0 and the load client to CPU 1; figures are ratios against baselines measured in the same run",
        "(the machine is shared and noisy). Regenerate with `nox -s bench -- --write`.",
        "",
        "## Non-streaming chat completions (50 tokens, 64 connections, one worker)",
        "",
        "| server | req/s | p50 ms | p99 ms | vs bare FastAPI |",
        "|---|---|---|---|---|",
    ]
    base = ns["fastapi"]["rps"]
    for name, r in ns.items():
        lines.append(f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['rps'] / base:.2f}x |")
    lines += [
        "",
        "Target: fakeai ≥ 0.5x the bare FastAPI endpoint.",
        "",
        "## Streaming: server CPU per token (32 streams of 200 tokens, zero simulated latency)",
        "",
        "| server | tokens/s | server CPU µs per token |",
        "|---|---|---|",
    ]
    for name, r in st.items():
        lines.append(f"| {name} | {r['tokens_per_s']:.0f} | {r['cpu_us_per_token']:.1f} |")
    lines += ["", "Target: fakeai ≤ 15 µs of server CPU per token.", "",
              "## Timing fidelity (TTFT 100 ms, ITL 20 ms, 100 tokens per stream, all streams at once)", "",
              "| streams | server | gap error p50 ms | gap error p99 ms | TTFT error p50 ms | TTFT error p99 ms |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for n, pair in fi.items():
        for name, r in pair.items():
            cells = [r["gap_err_p50_ms"], r["gap_err_p99_ms"], r["ttft_err_p50_ms"], r["ttft_err_p99_ms"]]
            lines.append(f"| {n} | {name} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    lines += ["", "Target: at 256 streams, fakeai's gap p99 within 2 ms of the raw ASGI app's.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
