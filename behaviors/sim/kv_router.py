"""KV-cache-aware request router over simulated workers, in the style of NVIDIA AI Dynamo's KV router.

Every worker owns a :class:`~fakeai.behaviors.sim.radix.RadixCache`.  For a request of ``tokens`` the router
peeks (without side effects) at how many leading blocks each worker already caches and scores worker ``i`` as::

    score_i = overlap_weight * overlap_blocks_i - load_weight * request_blocks * load_i
    load_i  = active_blocks_i / capacity_blocks

``overlap_blocks_i`` is the number of cached prefix blocks on worker i, ``request_blocks`` is
``max(1, ceil(len(tokens) / block_size))`` and ``active_blocks_i`` is the KV footprint (in blocks, rounded up) of
the sequences currently running on worker i, so ``load_i`` is the fraction of the worker's KV capacity that running
work pins.  Both terms are therefore measured in blocks of this request: with unit weights a worker that is 50%
busier wins only if it has cached more than half of the prompt.  The highest score wins; ties go to the lowest
load, then the lowest worker id.

Each decision is tagged with a reason: ``cache_hit`` (the chosen worker has a cached prefix), ``load_balance``
(some worker had a cached prefix but a less loaded worker without one was chosen) or ``cold`` (no worker had any
of the prefix).  ``start``/``finish`` bracket a running request: ``start`` records the prefix lookup, caches the
prompt and pins it; ``finish`` releases it and caches the final sequence (prompt plus output, if given).

Not thread-safe: serialise access if several threads share a router.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import NamedTuple

from .radix import LockHandle, RadixCache

__all__ = ["REASONS", "KVRouter", "RouteDecision"]

REASONS = ("cache_hit", "load_balance", "cold")


class RouteDecision(NamedTuple):  # (a tuple: built for every request, and cheaper than a frozen dataclass)
    worker_id: int
    cached_tokens: int  # prefix tokens already cached on the chosen worker
    prefix_blocks: int  # the same, in blocks
    scores: tuple[float, ...]  # score of every worker, indexed by worker id
    overlaps: tuple[int, ...] = ()  # cached prefix blocks on every worker
    loads: tuple[float, ...] = ()  # normalised active load of every worker (before this request)
    request_blocks: int = 0  # full blocks in the request
    reason: str = "cold"


@dataclass
class _Active:
    prompt: tuple[int, ...]
    blocks: int
    handle: LockHandle


@dataclass
class _Worker:
    cache: RadixCache
    active: dict[int, _Active] = field(default_factory=dict)
    active_blocks: int = 0
    routed: int = 0
    cache_hits: int = 0
    queried_tokens: int = 0
    matched_tokens: int = 0
    started: int = 0
    finished: int = 0


def _pct(num: int, den: int) -> float:
    return round(100.0 * num / den, 4) if den else 0.0


class KVRouter:
    """Route requests to ``num_workers`` simulated workers by cached-prefix overlap versus load."""

    def __init__(
        self,
        num_workers: int,
        block_size: int,
        capacity_blocks: int,
        overlap_weight: float = 1.0,
        load_weight: float = 1.0,
    ) -> None:
        if num_workers < 1:
            raise ValueError("num_workers must be >= 1")
        self.num_workers = num_workers
        self.block_size = block_size
        self.capacity_blocks = capacity_blocks
        self.overlap_weight = overlap_weight
        self.load_weight = load_weight
        self._workers = [_Worker(RadixCache(block_size, capacity_blocks)) for _ in range(num_workers)]
        self._request_ids = count(1)
        self.decisions: dict[str, int] = dict.fromkeys(REASONS, 0)
        self.routed_requests = 0

    def cache(self, worker_id: int) -> RadixCache:
        return self._workers[worker_id].cache

    def active_requests(self, worker_id: int) -> int:
        return len(self._workers[worker_id].active)

    def _blocks_of(self, n_tokens: int) -> int:
        return -(-n_tokens // self.block_size)

    def route(self, tokens: Sequence[int]) -> RouteDecision:
        """Choose a worker for ``tokens`` (no cache side effects) and count the decision."""
        seq = tokens if isinstance(tokens, (list, tuple)) else list(tokens)
        bs = self.block_size
        request_blocks = max(1, self._blocks_of(len(seq)))
        cap = max(1, self.capacity_blocks)
        workers = self._workers
        ow, lw = self.overlap_weight, self.load_weight * request_blocks
        overlaps: tuple[int, ...]
        loads: tuple[float, ...]
        scores: tuple[float, ...]
        if len(workers) == 1:  # (the default: nothing to choose, the same figures without the comprehensions)
            only = workers[0]
            overlap, load = only.cache.match(seq, touch=False) // bs, only.active_blocks / cap
            overlaps, loads, scores = (overlap,), (load,), (ow * overlap - lw * load,)
            best = 0
        else:
            overlaps = tuple([w.cache.match(seq, touch=False) // bs for w in workers])
            loads = tuple([w.active_blocks / cap for w in workers])
            scores = tuple([ow * o - lw * ld for o, ld in zip(overlaps, loads, strict=True)])
            best = min(range(self.num_workers), key=lambda i: (-scores[i], loads[i], i))
        cached_blocks = overlaps[best]
        if cached_blocks:
            reason = "cache_hit"
        elif any(overlaps):
            reason = "load_balance"
        else:
            reason = "cold"
        worker = self._workers[best]
        worker.routed += 1
        worker.queried_tokens += len(seq)
        worker.matched_tokens += cached_blocks * bs
        worker.cache_hits += cached_blocks > 0
        self.routed_requests += 1
        self.decisions[reason] += 1
        return RouteDecision(
            worker_id=best,
            cached_tokens=cached_blocks * bs,
            prefix_blocks=cached_blocks,
            scores=scores,
            overlaps=overlaps,
            loads=loads,
            request_blocks=len(seq) // bs,
            reason=reason,
        )

    def start(self, worker_id: int, tokens: Sequence[int]) -> int:
        """A request begins on ``worker_id``: look up, cache and pin its prompt; returns a request id."""
        worker = self._workers[worker_id]
        prompt = tuple(tokens)
        _, handle = worker.cache.admit(prompt)
        blocks = self._blocks_of(len(prompt))
        request_id = next(self._request_ids)
        worker.active[request_id] = _Active(prompt, blocks, handle)
        worker.active_blocks += blocks
        worker.started += 1
        return request_id

    def finish(self, worker_id: int, tokens: Sequence[int], request_id: int | None = None) -> None:
        """A request ends: unpin it and cache ``tokens`` (its prompt, or prompt + generated tokens).

        Without ``request_id`` the oldest running request on that worker whose prompt is a prefix of ``tokens`` is
        finished.  Raises KeyError if there is none.
        """
        worker = self._workers[worker_id]
        seq = tuple(tokens)
        if request_id is None:
            request_id = next(
                (rid for rid, a in worker.active.items() if seq[: len(a.prompt)] == a.prompt),
                None,
            )
        active = worker.active.pop(request_id, None) if request_id is not None else None
        if active is None:
            raise KeyError(f"no running request on worker {worker_id} matches")
        worker.cache.unlock(active.handle)
        worker.active_blocks -= active.blocks
        worker.finished += 1
        worker.cache.insert(seq)

    def snapshot(self) -> dict[str, object]:
        """Per-worker occupancy, totals and decision counts (plain JSON-serialisable values)."""
        workers: list[dict[str, object]] = []
        tot = dict.fromkeys(
            ("used", "cap", "active", "active_blocks", "routed", "hits", "queried", "matched", "evictions"), 0
        )
        for i, w in enumerate(self._workers):
            c = w.cache
            workers.append(
                {
                    "worker_id": i,
                    "used_blocks": c.used_blocks,
                    "capacity_blocks": c.capacity_blocks,
                    "locked_blocks": c.locked_blocks,
                    "occupancy_pct": _pct(c.used_blocks, c.capacity_blocks),
                    "active_requests": len(w.active),
                    "active_blocks": w.active_blocks,
                    "routed_requests": w.routed,
                    "cache_hits": w.cache_hits,
                    "queried_tokens": w.queried_tokens,
                    "matched_tokens": w.matched_tokens,
                    "hit_rate_pct": _pct(w.cache_hits, w.routed),
                    "token_reuse_pct": _pct(w.matched_tokens, w.queried_tokens),
                    "evictions": c.evictions,
                }
            )
            for key, value in (
                ("used", c.used_blocks),
                ("cap", c.capacity_blocks),
                ("active", len(w.active)),
                ("active_blocks", w.active_blocks),
                ("routed", w.routed),
                ("hits", w.cache_hits),
                ("queried", w.queried_tokens),
                ("matched", w.matched_tokens),
                ("evictions", c.evictions),
            ):
                tot[key] += value
        totals = {
            "used_blocks": tot["used"],
            "capacity_blocks": tot["cap"],
            "occupancy_pct": _pct(tot["used"], tot["cap"]),
            "active_requests": tot["active"],
            "active_blocks": tot["active_blocks"],
            "routed_requests": tot["routed"],
            "cache_hits": tot["hits"],
            "hit_rate_pct": _pct(tot["hits"], tot["routed"]),
            "queried_tokens": tot["queried"],
            "matched_tokens": tot["matched"],
            "token_reuse_pct": _pct(tot["matched"], tot["queried"]),
            "evictions": tot["evictions"],
        }
        return {
            "num_workers": self.num_workers,
            "block_size": self.block_size,
            "weights": {"overlap": self.overlap_weight, "load": self.load_weight},
            "workers": workers,
            "totals": totals,
            "decisions": dict(self.decisions),
        }
