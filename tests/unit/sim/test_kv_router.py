"""Tests for the KV-cache-aware router."""

from __future__ import annotations

import pytest
from fakeai.behaviors.sim.kv_router import KVRouter

BS = 4


def prompt(*blocks: int, tail: int = 0) -> list[int]:
    return [b * 100 + i for b in blocks for i in range(BS)] + [5_000 + i for i in range(tail)]


def serve(router: KVRouter, tokens: list[int]) -> int:
    """Route, run and finish one request; return the worker it ran on."""
    decision = router.route(tokens)
    router.start(decision.worker_id, tokens)
    router.finish(decision.worker_id, tokens)
    return decision.worker_id


def test_prefers_worker_with_longest_cached_prefix() -> None:
    router = KVRouter(num_workers=3, block_size=BS, capacity_blocks=64)
    router.start(1, prompt(1, 2))
    router.finish(1, prompt(1, 2))
    router.start(2, prompt(1, 2, 3, 4))
    router.finish(2, prompt(1, 2, 3, 4))
    decision = router.route(prompt(1, 2, 3, 4, 5, tail=2))
    assert decision.worker_id == 2
    assert decision.reason == "cache_hit"
    assert decision.cached_tokens == 4 * BS
    assert decision.prefix_blocks == 4
    assert decision.overlaps == (0, 2, 4)
    assert decision.request_blocks == 5
    assert decision.scores == (0.0, 2.0, 4.0)  # nothing running: score is the overlap


def test_follow_up_turns_stick_to_the_worker_holding_the_conversation() -> None:
    router = KVRouter(num_workers=4, block_size=BS, capacity_blocks=64)
    placed = {}
    for conv in (10, 20, 30):  # three concurrent conversations spread over idle workers
        placed[conv] = router.route(prompt(conv, conv + 1)).worker_id
        router.start(placed[conv], prompt(conv, conv + 1))
    assert sorted(placed.values()) == [0, 1, 2]
    for conv, worker in placed.items():
        router.finish(worker, prompt(conv, conv + 1, tail=3))
    for conv in (30, 10, 20):
        follow_up = router.route(prompt(conv, conv + 1, conv + 2))
        assert follow_up.worker_id == placed[conv]
        assert follow_up.reason == "cache_hit"
        assert follow_up.cached_tokens == 2 * BS


def test_balances_load_when_there_is_no_overlap() -> None:
    router = KVRouter(num_workers=3, block_size=BS, capacity_blocks=64)
    placed = []
    for b in (1, 2, 3):
        decision = router.route(prompt(b, b + 10))
        assert decision.reason == "cold"
        router.start(decision.worker_id, prompt(b, b + 10))
        placed.append(decision.worker_id)
    assert placed == [0, 1, 2]  # each request to the idle worker with the lowest id
    router.finish(1, prompt(2, 12))
    assert router.route(prompt(7, 8)).worker_id == 1  # the only idle worker


def test_ties_go_to_lowest_load_then_lowest_id() -> None:
    router = KVRouter(num_workers=3, block_size=BS, capacity_blocks=64, load_weight=0.0)
    router.start(0, prompt(1))  # worker 0 busy, but the load weight is zero: all scores tie
    decision = router.route(prompt(9))
    assert decision.scores == (0.0, 0.0, 0.0)
    assert decision.worker_id == 1


def test_heavy_load_outweighs_a_short_cached_prefix() -> None:
    router = KVRouter(num_workers=2, block_size=BS, capacity_blocks=10)
    router.start(0, prompt(1))  # caches block 1 on worker 0 and keeps it running
    router.start(0, prompt(30, 31, 32, 33))  # worker 0: 5 of 10 blocks busy
    request = prompt(1, 2, 3, 4)  # 4 blocks, 1 of them cached on worker 0
    decision = router.route(request)
    assert decision.loads == (0.5, 0.0)
    # worker 0: 1 * 1 - 1 * 4 * 0.5 = -1; worker 1: 0
    assert decision.scores == (-1.0, 0.0)
    assert decision.worker_id == 1
    assert decision.reason == "load_balance"
    favour_cache = KVRouter(num_workers=2, block_size=BS, capacity_blocks=10, overlap_weight=3.0)
    favour_cache.start(0, prompt(1))
    favour_cache.start(0, prompt(30, 31, 32, 33))
    assert favour_cache.route(request).worker_id == 0


def test_running_requests_pin_their_blocks_and_finish_releases_them() -> None:
    router = KVRouter(num_workers=1, block_size=BS, capacity_blocks=4)
    rid = router.start(0, prompt(1, 2, 3))
    assert router.cache(0).locked_blocks == 3
    router.start(0, prompt(7, 8))  # only one block is free and nothing is evictable
    assert router.cache(0).match(prompt(7, 8), touch=False) == BS
    assert router.cache(0).match(prompt(1, 2, 3), touch=False) == 3 * BS
    output = prompt(1, 2, 3, 4, tail=1)  # prompt plus generated tokens
    router.finish(0, output, request_id=rid)
    assert router.active_requests(0) == 1
    # no room for the generated block: block 7 is pinned by the running request, block 3 is what it extends
    assert router.cache(0).match(output, touch=False) == 3 * BS
    router.finish(0, prompt(7, 8))
    assert router.cache(0).locked_blocks == 0
    router.start(0, output)  # a follow-up with the same history: block 7 is now evictable
    assert router.cache(0).match(output, touch=False) == 4 * BS
    assert router.cache(0).match(prompt(7), touch=False) == 0


def test_finish_finds_the_request_by_prompt_prefix() -> None:
    router = KVRouter(num_workers=2, block_size=BS, capacity_blocks=32)
    router.start(1, prompt(1, 2))
    router.start(1, prompt(3))
    router.finish(1, prompt(3, 4))  # prompt(3) plus output
    assert router.active_requests(1) == 1
    with pytest.raises(KeyError):
        router.finish(1, prompt(9))
    with pytest.raises(KeyError):
        router.finish(0, prompt(1, 2))


def test_snapshot_numbers_add_up() -> None:
    router = KVRouter(num_workers=3, block_size=BS, capacity_blocks=16)
    system = [42, 43]
    requests = [prompt(*system, b, tail=1) for b in (1, 2, 3)] + [prompt(60 + b) for b in range(4)]
    requests += [prompt(*system, 4, 5), prompt(61, 2)]
    for tokens in requests:
        serve(router, tokens)
    router.start(router.route(prompt(90, 91)).worker_id, prompt(90, 91))  # leave one running
    snap = router.snapshot()
    workers, totals, decisions = snap["workers"], snap["totals"], snap["decisions"]
    assert isinstance(workers, list) and isinstance(totals, dict) and isinstance(decisions, dict)
    assert totals["routed_requests"] == len(requests) + 1 == sum(decisions.values())
    assert set(decisions) == {"cache_hit", "load_balance", "cold"}
    assert decisions["cache_hit"] == totals["cache_hits"] > 0
    for key in ("used_blocks", "capacity_blocks", "active_requests", "routed_requests", "queried_tokens"):
        assert totals[key] == sum(w[key] for w in workers)
    assert totals["matched_tokens"] == sum(w["matched_tokens"] for w in workers) > 0
    assert totals["queried_tokens"] == sum(len(t) for t in requests) + 2 * BS
    assert totals["capacity_blocks"] == 3 * 16
    assert totals["active_requests"] == 1
    assert totals["hit_rate_pct"] == pytest.approx(100 * totals["cache_hits"] / totals["routed_requests"], abs=1e-3)
    assert totals["token_reuse_pct"] == pytest.approx(
        100 * totals["matched_tokens"] / totals["queried_tokens"], abs=1e-3
    )
    for w in workers:
        assert w["used_blocks"] <= w["capacity_blocks"]
        assert w["occupancy_pct"] == pytest.approx(100 * w["used_blocks"] / w["capacity_blocks"], abs=1e-3)
    assert router.decisions == decisions and router.routed_requests == totals["routed_requests"]


def test_route_has_no_cache_side_effects() -> None:
    router = KVRouter(num_workers=2, block_size=BS, capacity_blocks=8)
    serve(router, prompt(1, 2))
    before = [router.cache(i).stats() for i in range(2)]
    router.route(prompt(1, 2, 3))
    assert [router.cache(i).stats() for i in range(2)] == before


def test_invalid_worker_count() -> None:
    with pytest.raises(ValueError):
        KVRouter(num_workers=0, block_size=BS, capacity_blocks=8)
