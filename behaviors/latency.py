"""Simulated latency: when each token of an answer falls due.

Open loop: TTFT = prefill_overhead + uncached prompt tokens x prefill_per_token (+ the seeds' response_delay),
then one token every ITL, with seeded lognormal jitter. Deadlines are absolute (t0 + TTFT + sum of ITLs), so
lateness never accumulates; a non-streaming answer waits for its last deadline. `fast` makes everything zero.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from dataclasses import dataclass

from fakeai.context import Context
from fakeai.services import Services

from .catalog import LatencyProfile, ModelInfo
from .models_api import catalog


@dataclass
class Schedule:
    t0: float
    ttft: float
    itl: float
    cv: float
    rng: random.Random
    _next: float = 0.0
    _count: int = 0

    def __post_init__(self) -> None:
        self._next = self.t0 + self.ttft

    @property
    def zero(self) -> bool:
        return self.ttft <= 0 and self.itl <= 0

    def _step(self) -> float:
        if self.cv <= 0 or self.itl <= 0:
            return self.itl
        sigma = math.sqrt(math.log1p(self.cv * self.cv))
        return self.itl * math.exp(self.rng.gauss(-sigma * sigma / 2, sigma))

    async def _until(self, deadline: float) -> None:
        delay = deadline - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def first_token(self) -> None:
        """Wait until the first token is due."""
        self._count = 1
        await self._until(self._next)

    async def next_token(self) -> None:
        """Wait until the next token is due."""
        self._count += 1
        self._next += self._step()
        await self._until(self._next)

    async def all_tokens(self, count: int) -> None:
        """A non-streaming answer: wait until its last token is due."""
        deadline = self._next + sum(self._step() for _ in range(max(0, count - 1)))
        await self._until(deadline)


class Engine:
    def __init__(self, services: Services) -> None:
        self.settings = services.settings
        self.catalog = catalog(services)

    def profile(self, model: ModelInfo) -> LatencyProfile:
        return self.catalog.profile(model)

    def schedule(self, model: ModelInfo, prompt_tokens: int, rng: random.Random, cached_tokens: int = 0) -> Schedule:
        s = self.settings
        if s.fast:
            return Schedule(time.monotonic(), 0.0, 0.0, 0.0, rng)
        p = self.profile(model)
        ttft = p.prefill_overhead + max(0, prompt_tokens - cached_tokens) * p.prefill_per_token + s.response_delay
        if s.random_delay and s.max_variance > 0:
            ttft *= 1 + rng.uniform(-s.max_variance, s.max_variance)
        elif p.jitter_cv > 0:
            sigma = math.sqrt(math.log1p(p.jitter_cv**2))
            ttft *= math.exp(rng.gauss(-sigma * sigma / 2, sigma))
        return Schedule(time.monotonic(), max(0.0, ttft), p.itl, p.jitter_cv, rng)


def engine(ctx: Context | Services) -> Engine:
    services = ctx.services if isinstance(ctx, Context) else ctx
    return services.get("latency", Engine)
