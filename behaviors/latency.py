"""The serving simulation: when each token of an answer falls due, per model, with queueing and KV reuse.

A request is submitted as a Sequence: the KV router picks a simulated worker (longest cached prefix against
load) and reports the cached prompt tokens. Two timing modes:

- open loop (default): TTFT = queue wait + (prefill_overhead + uncached tokens x prefill_per_token) x load
  factor, then one token every ITL x load factor, where the load factor grows as running requests approach
  max_num_seqs; beyond max_num_seqs requests wait in a bounded queue (full: 429).
- batching: a virtual engine (sim/batching.py) ticks every step (a step lengthens by load_stretch as the
  batch fills); tokens fall due on the ticks: throughput flattens at max_batch_size per step.

Jitter is a seeded lognormal factor. Deadlines are absolute, so lateness never accumulates. `fast` makes every
delay zero. Lifecycle events feed the vLLM-named Prometheus metrics.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from fakeai.context import Context
from fakeai.errors import APIError
from fakeai.services import Services

from .catalog import LatencyProfile, ModelInfo
from .models_api import catalog
from .sim.batching import BatchEngine, Seq
from .sim.kv_router import KVRouter


def _lognormal(rng: random.Random, cv: float) -> float:
    if cv <= 0:
        return 1.0
    sigma = math.sqrt(math.log1p(cv * cv))
    return math.exp(rng.gauss(-sigma * sigma / 2, sigma))


async def _until(deadline: float) -> None:
    delay = deadline - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


@dataclass
class Timing:
    """The effective timing of a model: its catalog profile with the settings' overrides applied."""

    profile: LatencyProfile
    zero: bool
    response_delay: float
    random_delay: bool
    max_variance: float
    load_stretch: float
    max_queue: int


class Sequence:
    """One request's token schedule. Await first_token(), then next_token() per token (or all_tokens());
    close() when done — closing early frees the slot and counts a client disconnect."""

    __slots__ = (
        "_deadline",
        "_wake",
        "admitted_at",
        "arrival",
        "batch_seq",
        "cached_tokens",
        "closed",
        "consumed",
        "emitted",
        "first_at",
        "kv_blocks",
        "last_at",
        "output_tokens",
        "prompt_tokens",
        "request_id",
        "rng",
        "server",
        "token_ids",
        "worker",
    )

    def __init__(
        self,
        server: ModelServer,
        token_ids: list[int],
        prompt_tokens: int,
        output_tokens: int,
        cached: int,
        worker: int,
        rng: random.Random,
        arrival: float | None = None,
    ) -> None:
        self.server = server
        self.token_ids = token_ids
        self.prompt_tokens = prompt_tokens
        self.output_tokens = max(1, output_tokens)
        self.cached_tokens = cached
        self.worker = worker
        self.rng = rng
        self.arrival = time.monotonic() if arrival is None else arrival  # the request's receipt: TTFT counts from it
        self.admitted_at: float | None = None
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.emitted = 0  # tokens that have fallen due
        self.consumed = 0
        self.closed = False
        self._wake: asyncio.Event | None = None
        self._deadline = 0.0
        self.batch_seq: Seq | None = None
        self.kv_blocks = 0
        self.request_id: int | None = None  # the KV router's id of the running request

    # ---- the engine side
    def _emit(self, now: float) -> None:
        self.emitted += 1
        if self._wake is not None:
            self._wake.set()

    # ---- the consumer side
    async def _take(self) -> None:
        if self.closed:
            return
        server = self.server
        if not server.timing.zero:  # (a zero-latency token is due at once: no coroutine to await per token)
            await server.wait_token(self)
        self.consumed += 1
        now = time.monotonic()
        if self.consumed == 1:
            self.first_at = now
            server.on_first(self, now)
        elif self.last_at is not None:
            server.on_token(self, now - self.last_at)
        self.last_at = now
        if self.consumed >= self.output_tokens:
            self.close()

    first_token = next_token = _take  # (the same step; aliases rather than one more coroutine per token)

    async def all_tokens(self, count: int | None = None) -> None:
        """A non-streaming answer: wait for its last token without stepping through the others."""
        target = self.output_tokens if count is None else max(1, count)
        if self.server.batching:
            while self.consumed < target and not self.closed:
                await self._take()
            return
        if self.closed or self.consumed >= target:
            return
        if self.consumed == 0 and target == self.output_tokens and self.server.timing.zero:
            self.server.at_once(self)  # (zero latency: the whole answer is due now, accounted in one step)
            return
        if self.consumed == 0:
            await self._take()
        gaps = await self.server.wait_remaining(self, target - self.consumed)
        self.consumed = target
        self.server.on_tokens(self, gaps)
        if self.consumed >= self.output_tokens:
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.server.on_close(self, finished=self.consumed >= self.output_tokens)


class _Children:
    """The model's labelled metric series, looked up once (labels() is too slow for every token)."""

    def __init__(self, metrics: Any, model: str) -> None:
        self.running: Any = metrics.running.labels(model)
        self.waiting: Any = metrics.waiting.labels(model)
        self.kv_usage: Any = metrics.kv_usage.labels(model)
        self.prompt_tokens: Any = metrics.prompt_tokens.labels(model)
        self.generation_tokens: Any = metrics.generation_tokens.labels(model)
        self.prefix_hits: Any = metrics.prefix_hits.labels(model)
        self.prefix_queries: Any = metrics.prefix_queries.labels(model)
        self.preemptions: Any = metrics.preemptions.labels(model)
        self.ttft: Any = metrics.ttft.labels(model)
        self.itl: Any = metrics.itl.labels(model)
        self.tpot: Any = metrics.tpot.labels(model)
        self.e2e: Any = metrics.e2e.labels(model)
        self.queue_time: Any = metrics.queue_time.labels(model)
        self.prompt_hist: Any = metrics.prompt_hist.labels(model)
        self.generation_hist: Any = metrics.generation_hist.labels(model)
        self.disconnects: Any = metrics.disconnects.labels(model)
        self.success_length: Any = metrics.success.labels(model, "length")
        self.success_stop: Any = metrics.success.labels(model, "stop")
        for gauge in (self.running, self.waiting, self.kv_usage):
            gauge.set(0)  # a served model's gauges exist from its first request on


class ModelServer:
    """The simulated inference servers of one model: a KV router over workers, and their timing."""

    def __init__(self, model: ModelInfo, timing: Timing, services: Services) -> None:
        s = services.settings
        self.model = model
        self.timing = timing
        self.metrics = services.metrics
        self.batching = s.latency_mode == "batching" and not timing.zero
        p = timing.profile
        self.max_num_seqs = max(1, s.max_num_seqs or p.max_num_seqs)
        self.router = KVRouter(
            num_workers=max(1, s.kv_workers),
            block_size=s.kv_block_size,
            capacity_blocks=s.kv_blocks,
            overlap_weight=s.router_overlap_weight,
            load_weight=s.router_load_weight,
        )
        self.running = [0] * self.router.num_workers
        self.block_size = max(1, s.kv_block_size)
        self.kv_capacity = max(1, s.kv_blocks) * self.router.num_workers
        self.kv_used = 0  # open loop: blocks held by admitted sequences, across workers
        self.queues: list[deque[tuple[Sequence, asyncio.Future[None]]]] = [
            deque() for _ in range(self.router.num_workers)
        ]
        self.step = (s.step_ms / 1000) if s.step_ms else max(p.itl, 0.001)
        self.stall = max(p.itl / 2, 0.002)  # open loop: a first token this late restarts the schedule from now
        self.engines = [
            BatchEngine(
                max_batch_size=s.max_batch_size or self.max_num_seqs,
                prefill_chunk=s.prefill_chunk,
                prefill_budget=s.prefill_budget,
                block_size=s.kv_block_size,
                capacity_blocks=s.kv_blocks,
            )
            for _ in range(self.router.num_workers)
        ]
        self.tickers: list[asyncio.Task[None] | None] = [None] * self.router.num_workers
        self.m = _Children(self.metrics, model.id)

    # ------------------------------------------------------------------ submission
    def submit(
        self,
        token_ids: list[int],
        prompt_tokens: int,
        output_tokens: int,
        rng: random.Random,
        arrival: float | None = None,
    ) -> Sequence:
        decision = self.router.route(token_ids)
        w = decision.worker_id
        cached = min(decision.cached_tokens, max(0, prompt_tokens - 1))
        request_id = self.router.start(w, token_ids)
        seq = Sequence(self, token_ids, prompt_tokens, output_tokens, cached, w, rng, arrival)
        seq.request_id = request_id
        self.m.prefix_queries.inc(prompt_tokens)
        self.m.prefix_hits.inc(cached)
        if self.timing.zero:
            seq.admitted_at = seq.arrival
            self.m.queue_time.observe(0.0)
            return seq
        if self.batching:
            bs = Seq(
                sid=id(seq),
                prompt_tokens=prompt_tokens,
                prefill_tokens=max(1, prompt_tokens - cached),
                output_tokens=seq.output_tokens,
                owner=seq,
            )
            seq.batch_seq = bs
            seq._wake = asyncio.Event()
            self.engines[w].submit(bs)
            self.m.waiting.inc()
            self._ensure_ticker(w)
            return seq
        if self.running[w] >= self.max_num_seqs and len(self.queues[w]) >= self.timing.max_queue:
            self.router.finish(w, token_ids, request_id)
            raise APIError(
                429,
                f"The server is overloaded: {self.timing.max_queue} requests are already waiting for {self.model.id}. "
                "Please retry after a short wait.",
                type="server_overloaded",
                code="queue_full",
                headers={"retry-after": "1"},
            )
        return seq

    # ------------------------------------------------------------------ open loop
    def _load_factor(self, w: int) -> float:
        return 1.0 + self.timing.load_stretch * min(1.0, self.running[w] / self.max_num_seqs)

    async def _admit(self, seq: Sequence) -> None:
        w = seq.worker
        queued = self.running[w] >= self.max_num_seqs
        if queued:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.queues[w].append((seq, fut))
            self.m.waiting.inc()
            try:
                await fut
            finally:
                self.m.waiting.dec()
        self.running[w] += 1
        # a request that found a free slot was admitted on arrival: fakeai's own set-up time is part of its TTFT
        seq.admitted_at = time.monotonic() if queued else seq.arrival
        self.m.running.inc()
        # the sequence holds the KV blocks of its prompt and its answer until it ends
        seq.kv_blocks = -(-(seq.prompt_tokens + seq.output_tokens) // self.block_size)
        self.kv_used += seq.kv_blocks
        self.m.kv_usage.set(min(1.0, self.kv_used / self.kv_capacity))
        self.m.queue_time.observe(seq.admitted_at - seq.arrival)
        p, t = self.timing.profile, self.timing
        ttft = (p.prefill_overhead + (seq.prompt_tokens - seq.cached_tokens) * p.prefill_per_token) * self._load_factor(
            w
        )
        ttft += t.response_delay
        ttft *= (
            (1 + seq.rng.uniform(-t.max_variance, t.max_variance))
            if t.random_delay
            else _lognormal(seq.rng, p.jitter_cv)
        )
        seq._deadline = seq.admitted_at + max(0.0, ttft)

    def _release(self, w: int) -> None:
        self.running[w] -= 1
        self.m.running.dec()
        q = self.queues[w]
        while q:
            _, fut = q.popleft()
            if not fut.done():
                fut.set_result(None)
                break

    async def wait_token(self, seq: Sequence) -> None:
        if self.timing.zero:
            return
        if self.batching:
            while seq.emitted <= seq.consumed and not seq.closed:
                assert seq._wake is not None
                seq._wake.clear()
                await seq._wake.wait()
            return
        if seq.admitted_at is None:
            await self._admit(seq)
        elif seq.consumed:
            itl = (
                self.timing.profile.itl
                * self._load_factor(seq.worker)
                * _lognormal(seq.rng, self.timing.profile.jitter_cv)
            )
            seq._deadline += itl
        await _until(seq._deadline)
        # deadlines are absolute (first token + i x ITL), so lateness does not accumulate; but a first token that
        # came late (fakeai's own set-up of a burst of arrivals outlasted the TTFT) starts the schedule from when
        # it was really sent, so the stream's next tokens are not sent back to back to catch up
        if not seq.consumed and time.monotonic() - seq._deadline > self.stall:
            seq._deadline = time.monotonic()

    async def wait_remaining(self, seq: Sequence, count: int) -> list[float]:
        """Open loop: the deadlines of `count` more tokens, slept through at once; returns their gaps."""
        if self.timing.zero or count <= 0:
            return []
        p = self.timing.profile
        factor = self._load_factor(seq.worker)
        gaps = [p.itl * factor * _lognormal(seq.rng, p.jitter_cv) for _ in range(count)]
        seq._deadline += sum(gaps)
        await _until(seq._deadline)
        return gaps

    # ------------------------------------------------------------------ batching
    def _ensure_ticker(self, w: int) -> None:
        task = self.tickers[w]
        if task is None or task.done():
            self.tickers[w] = asyncio.get_running_loop().create_task(self._tick_loop(w))

    async def _tick_loop(self, w: int) -> None:
        engine = self.engines[w]
        deadline = time.monotonic()
        stretch = self.timing.load_stretch
        while not engine.idle:
            # a decode step takes longer as the batch fills (a GPU step is not free): ITL stretches with load
            deadline += self.step * (1 + stretch * len(engine.running) / engine.max_batch_size)
            await _until(deadline)
            now = time.monotonic()
            for ev in engine.tick():
                seq: Sequence = ev.seq.owner
                if ev.kind == "admitted":
                    if seq.admitted_at is None:
                        seq.admitted_at = now
                        self.m.queue_time.observe(now - seq.arrival)
                        self.m.waiting.dec()
                        self.m.running.inc()
                elif ev.kind in ("first", "token"):
                    seq._emit(now)
                elif ev.kind == "preempted":
                    self.m.preemptions.inc()
            self.m.kv_usage.set(engine.used_blocks / engine.capacity_blocks)

    # ------------------------------------------------------------------ lifecycle -> metrics
    def on_first(self, seq: Sequence, now: float) -> None:
        c = self.m
        c.ttft.observe(now - seq.arrival)
        c.prompt_tokens.inc(seq.prompt_tokens)
        c.generation_tokens.inc()

    def on_token(self, seq: Sequence, gap: float) -> None:
        self.m.itl.observe(gap)
        self.m.generation_tokens.inc()

    def on_tokens(self, seq: Sequence, gaps: list[float]) -> None:
        """Tokens accounted at once (a non-streaming answer); zero-latency answers have no gaps to observe."""
        c = self.m
        for gap in gaps:
            c.itl.observe(gap)
        c.generation_tokens.inc(max(len(gaps), seq.consumed - 1))

    def at_once(self, seq: Sequence) -> None:
        """A zero-latency sequence taken whole: what on_first, on_tokens and close would count, in one step."""
        now = time.monotonic()
        seq.first_at = seq.last_at = now
        seq.consumed = seq.output_tokens
        c = self.m
        c.ttft.observe(now - seq.arrival)
        c.prompt_tokens.inc(seq.prompt_tokens)
        c.generation_tokens.inc(seq.output_tokens)
        seq.closed = True
        self.on_close(seq, finished=True)

    def on_close(self, seq: Sequence, finished: bool) -> None:
        c = self.m
        now = time.monotonic()
        self.router.finish(seq.worker, seq.token_ids, seq.request_id)
        if self.batching and seq.batch_seq is not None:
            engine = self.engines[seq.worker]
            if seq.batch_seq.state in ("waiting", "new"):
                c.waiting.dec()
            elif seq.batch_seq.state in ("prefill", "decode") or seq.admitted_at is not None:
                c.running.dec()
            engine.cancel(seq.batch_seq)
        elif not self.timing.zero and seq.admitted_at is not None:
            self._release(seq.worker)
            self.kv_used -= seq.kv_blocks
            self.m.kv_usage.set(min(1.0, self.kv_used / self.kv_capacity))
        if finished:
            c.e2e.observe(now - seq.arrival)
            (c.success_length if seq.consumed >= seq.output_tokens else c.success_stop).inc()
            c.prompt_hist.observe(seq.prompt_tokens)
            c.generation_hist.observe(seq.consumed)
            if seq.first_at is not None and seq.consumed > 1:
                c.tpot.observe((now - seq.first_at) / (seq.consumed - 1))
        else:
            c.disconnects.inc()


@dataclass
class Schedule:
    """Timing only (no queue, no KV): absolute deadlines t0 + TTFT + ITLs. For callers that do not hold a
    serving slot (e.g. media endpoints); chat-like generation uses Engine.submit."""

    t0: float
    ttft: float
    itl: float
    cv: float
    rng: random.Random
    _next: float = 0.0

    def __post_init__(self) -> None:
        self._next = self.t0 + self.ttft

    @property
    def zero(self) -> bool:
        return self.ttft <= 0 and self.itl <= 0

    def _step(self) -> float:
        return self.itl * _lognormal(self.rng, self.cv) if self.itl > 0 else 0.0

    async def first_token(self) -> None:
        await _until(self._next)

    async def next_token(self) -> None:
        self._next += self._step()
        await _until(self._next)

    async def all_tokens(self, count: int) -> None:
        await _until(self._next + sum(self._step() for _ in range(max(0, count - 1))))


class Engine:
    """Per-model simulated servers, created on first use."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings
        self.catalog = catalog(services)
        self.servers: dict[str, ModelServer] = {}
        self.started = time.monotonic()

    def timing(self, model: ModelInfo) -> Timing:
        s = self.settings
        p = self.catalog.profiles.get(s.latency_profile or model.latency_profile) or self.catalog.profile(model)
        if s.ttft is not None:
            p = replace(p, prefill_overhead=s.ttft, prefill_per_token=0.0)
        if s.itl is not None:
            p = replace(p, itl=s.itl)
        if s.jitter_cv is not None:
            p = replace(p, jitter_cv=s.jitter_cv)
        zero = s.fast or (p.prefill_overhead == 0 and p.prefill_per_token == 0 and p.itl == 0 and s.response_delay == 0)
        return Timing(p, zero, s.response_delay, s.random_delay, s.max_variance, s.load_stretch, s.max_queue)

    def server(self, model: ModelInfo) -> ModelServer:
        srv = self.servers.get(model.id)
        if srv is None:
            srv = self.servers[model.id] = ModelServer(model, self.timing(model), self.services)
        return srv

    def submit(
        self,
        model: ModelInfo,
        token_ids: list[int],
        prompt_tokens: int,
        output_tokens: int,
        rng: random.Random,
        arrival: float | None = None,
    ) -> Sequence:
        """Start a request on the model's simulated server; raises 429 when its queue is full. `arrival` is when the
        request was received (time.monotonic(); default: now): TTFT is counted from it."""
        return self.server(model).submit(token_ids, prompt_tokens, output_tokens, rng, arrival)

    def schedule(
        self,
        model: ModelInfo,
        prompt_tokens: int,
        rng: random.Random,
        cached_tokens: int = 0,
        arrival: float | None = None,
    ) -> Schedule:
        """Deadlines counted from `arrival` (when the request was received; default: now)."""
        t0 = time.monotonic() if arrival is None else arrival
        t = self.timing(model)
        if t.zero:
            return Schedule(t0, 0.0, 0.0, 0.0, rng)
        p = t.profile
        ttft = p.prefill_overhead + max(0, prompt_tokens - cached_tokens) * p.prefill_per_token + t.response_delay
        ttft *= (1 + rng.uniform(-t.max_variance, t.max_variance)) if t.random_delay else _lognormal(rng, p.jitter_cv)
        return Schedule(t0, max(0.0, ttft), p.itl, p.jitter_cv, rng)

    def kv_snapshot(self) -> dict[str, Any]:
        return {mid: srv.router.snapshot() for mid, srv in self.servers.items()}


def engine(ctx: Context | Services) -> Engine:
    services = ctx.services if isinstance(ctx, Context) else ctx
    return services.get("latency", Engine)
