"""Tests for the block radix prefix cache."""

from __future__ import annotations

import random

import numpy as np
import pytest
from fakeai.behaviors.sim.radix import LockHandle, RadixCache

BS = 4


def seq(*blocks: int, tail: int = 0) -> list[int]:
    """Tokens made of whole blocks whose ids start at each given value, plus ``tail`` extra tokens."""
    tokens = [b * 100 + i for b in blocks for i in range(BS)]
    return tokens + [999_000 + i for i in range(tail)]


def test_only_full_blocks_are_cached_and_matched() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=16)
    assert cache.insert(seq(1, 2, tail=3)) == 2
    assert cache.used_blocks == 2
    assert cache.match(seq(1, 2, tail=3)) == 2 * BS
    assert cache.match(seq(1, tail=2)) == BS
    assert cache.match([100, 101, 102]) == 0  # shorter than one block
    assert cache.insert([100, 101, 102]) == 0


def test_insert_counts_only_new_blocks_and_match_stops_at_divergence() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=16)
    assert cache.insert(seq(1, 2, 3)) == 3
    assert cache.insert(seq(1, 2, 3)) == 0
    assert cache.insert(seq(1, 2, 3, 4)) == 1
    assert cache.insert(seq(1, 2, 7)) == 1  # branches after two shared blocks
    assert cache.used_blocks == 5
    assert cache.match(seq(1, 2, 9)) == 2 * BS
    diverged_inside_block = seq(1, 2, 3)
    diverged_inside_block[-1] = -1
    assert cache.match(diverged_inside_block) == 2 * BS
    assert cache.match(seq(2, 3)) == 0  # blocks are positional: same tokens at another offset do not match


def test_lru_evicts_least_recently_used_leaf() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=3)
    for b in (1, 2, 3):
        cache.insert(seq(b))
    assert cache.match(seq(1)) == BS  # 1 becomes most recent; 2 is now the oldest
    assert cache.insert(seq(4)) == 1
    assert cache.used_blocks == 3
    assert cache.match(seq(2), touch=False) == 0
    assert [cache.match(seq(b), touch=False) for b in (1, 3, 4)] == [BS, BS, BS]
    assert cache.stats()["evictions"] == 1


def test_parents_outlive_their_children() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=3)
    cache.insert(seq(1, 2, 3))  # a chain: 1 <- 2 <- 3, all equally old
    assert cache.insert(seq(9)) == 1  # must evict the chain's leaf, not its root
    assert cache.match(seq(1, 2, 3), touch=False) == 2 * BS
    assert cache.insert(seq(8)) == 1
    assert cache.match(seq(1, 2, 3), touch=False) == BS
    assert cache.evict(10) == 3  # 1, 9 and 8: all leaves now, nothing is left over
    assert cache.used_blocks == 0


def test_lru_order_survives_heap_compaction() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=3)
    cache._heap_slack = 4  # rebuild the lazy heap after a few stale entries
    for b in (1, 2, 3):
        cache.insert(seq(b))
    for _ in range(100):  # every touch of a leaf leaves a stale heap entry behind
        cache.match(seq(2))
        cache.match(seq(1))
    assert len(cache._heap) <= 2 * cache.used_blocks + 4
    cache.insert(seq(4))
    assert cache.match(seq(3), touch=False) == 0
    cache.insert(seq(5))
    assert cache.match(seq(2), touch=False) == 0
    assert [cache.match(seq(b), touch=False) for b in (1, 4, 5)] == [BS, BS, BS]


def test_evict_returns_how_many_went() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=10)
    cache.insert(seq(1, 2))
    cache.insert(seq(5))
    assert cache.evict(2) == 2
    assert cache.used_blocks == 1
    assert cache.evict(5) == 1
    assert cache.evict(1) == 0


def test_sequence_longer_than_capacity_caches_its_leading_blocks() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=3)
    assert cache.insert(seq(1, 2, 3, 4, 5)) == 3
    assert cache.match(seq(1, 2, 3, 4, 5)) == 3 * BS


def test_locked_blocks_are_never_evicted() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=3)
    cache.insert(seq(1, 2))
    handle = cache.lock(seq(1, 2))
    assert handle.blocks == 2
    assert cache.locked_blocks == 2
    assert cache.insert(seq(5)) == 1
    assert cache.insert(seq(6)) == 1  # evicts 5, the only unlocked leaf
    assert cache.insert(seq(7, 8)) == 1  # 6 goes, then nothing else can: only the first block fits
    assert cache.evict(10) == 1
    assert cache.match(seq(1, 2), touch=False) == 2 * BS
    assert cache.unlock(handle) == 2
    assert cache.unlock(handle) == 0  # second release is a no-op
    assert cache.locked_blocks == 0
    assert cache.evict(10) == 2


def test_locks_are_reference_counted() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=4)
    cache.insert(seq(1, 2))
    first = cache.lock(seq(1))
    second = cache.lock(seq(1, 2))
    cache.unlock(second)
    assert cache.evict(10) == 1  # block 2 is free again, block 1 is still held by `first`
    assert cache.match(seq(1), touch=False) == BS
    cache.unlock(first)
    assert cache.evict(10) == 1


def test_stats_count_queries_hits_and_inserts() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=2)
    cache.insert(seq(1, 2))
    cache.match(seq(1, 2, tail=2))  # hit: 8 of 10 tokens
    cache.match(seq(3))  # miss
    cache.match(seq(1), touch=False)  # a peek is not counted
    cache.insert(seq(4))  # evicts one block
    assert cache.stats() == {
        "used_blocks": 2,
        "capacity_blocks": 2,
        "locked_blocks": 0,
        "hits": 1,
        "misses": 1,
        "matched_tokens": 2 * BS,
        "queried_tokens": 2 * BS + 2 + BS,
        "evictions": 1,
        "inserted_blocks": 3,
    }


def test_peek_does_not_refresh_lru() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=2)
    cache.insert(seq(1))
    cache.insert(seq(2))
    cache.match(seq(1), touch=False)
    cache.insert(seq(3))
    assert cache.match(seq(1), touch=False) == 0
    assert cache.match(seq(2), touch=False) == BS


def test_clear_drops_blocks_and_stale_handles() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=8)
    cache.insert(seq(1, 2))
    handle = cache.lock(seq(1, 2))
    cache.clear()
    assert cache.used_blocks == 0
    assert cache.locked_blocks == 0
    assert cache.match(seq(1, 2)) == 0
    assert cache.unlock(handle) == 0
    assert cache.insert(seq(1, 2)) == 2
    assert cache.stats()["inserted_blocks"] == 4  # statistics survive clear()


def test_accepts_numpy_token_arrays() -> None:
    cache = RadixCache(block_size=BS, capacity_blocks=8)
    cache.insert(np.array(seq(1, 2), dtype=np.int64))
    assert cache.match(seq(1, 2)) == 2 * BS
    assert cache.match(np.array(seq(1, 3))) == BS


def test_invalid_configuration() -> None:
    with pytest.raises(ValueError):
        RadixCache(block_size=0)
    with pytest.raises(ValueError):
        RadixCache(capacity_blocks=-1)
    assert RadixCache(block_size=BS, capacity_blocks=0).insert(seq(1)) == 0


class _Reference:
    """Brute-force model of the same policy: one entry per cached block path, LRU leaf eviction."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.nodes: dict[tuple[tuple[int, ...], ...], list[int]] = {}  # path -> [last_access, creation id]
        self.locks: dict[tuple[tuple[int, ...], ...], int] = {}
        self.clock = 0
        self.ids = 0

    def _leaves(self) -> list[tuple[tuple[int, ...], ...]]:
        parents = {p[:-1] for p in self.nodes}
        return [p for p in self.nodes if p not in parents and not self.locks.get(p)]

    def evict(self, n: int, protect: tuple[tuple[int, ...], ...] | None = None) -> int:
        done = 0
        while done < n:
            leaves = [p for p in self._leaves() if p != protect]
            if not leaves:
                break
            del self.nodes[min(leaves, key=lambda p: self.nodes[p])]
            done += 1
        return done

    def insert(self, blocks: list[tuple[int, ...]]) -> int:
        self.clock += 1
        added = 0
        for i in range(len(blocks)):
            path = tuple(blocks[: i + 1])
            if path in self.nodes:
                self.nodes[path][0] = self.clock
                continue
            if len(self.nodes) >= self.capacity and self.evict(1, protect=path[:-1]) == 0:
                break
            self.ids += 1
            self.nodes[path] = [self.clock, self.ids]
            added += 1
        return added

    def lock(self, blocks: list[tuple[int, ...]]) -> list[tuple[tuple[int, ...], ...]]:
        paths = [tuple(blocks[: i + 1]) for i in range(self.match(blocks, touch=False))]
        for path in paths:
            self.locks[path] = self.locks.get(path, 0) + 1
        return paths

    def unlock(self, paths: list[tuple[tuple[int, ...], ...]]) -> None:
        for path in paths:
            self.locks[path] -= 1

    def match(self, blocks: list[tuple[int, ...]], touch: bool) -> int:
        if touch:
            self.clock += 1
        n = 0
        while n < len(blocks) and tuple(blocks[: n + 1]) in self.nodes:
            if touch:
                self.nodes[tuple(blocks[: n + 1])][0] = self.clock
            n += 1
        return n


def test_matches_brute_force_model_under_random_workload() -> None:
    rng = random.Random(7)
    capacity = 12
    cache = RadixCache(block_size=BS, capacity_blocks=capacity)
    ref = _Reference(capacity)
    held: list[tuple[LockHandle, list[tuple[tuple[int, ...], ...]]]] = []
    # prompts share prefixes: a few system prompts, then user turns
    prompts = [[rng.randrange(3)] + [rng.randrange(4) for _ in range(rng.randrange(6))] for _ in range(40)]
    for _ in range(3000):
        blocks_ids = rng.choice(prompts)
        tokens = [b * 100 + i for b in blocks_ids for i in range(BS)] + [7] * rng.randrange(BS)
        blocks = [tuple(tokens[i : i + BS]) for i in range(0, len(tokens) - BS + 1, BS)]
        op = rng.random()
        if op < 0.45:
            assert cache.insert(tokens) == ref.insert(blocks)
        elif op < 0.9:
            touch = op < 0.8
            assert cache.match(tokens, touch=touch) == ref.match(blocks, touch) * BS
        elif op < 0.94:
            n = rng.randrange(4)
            assert cache.evict(n) == ref.evict(n)
        elif op < 0.97 and len(held) < 3:
            handle, paths = cache.lock(tokens), ref.lock(blocks)
            assert handle.blocks == len(paths)
            held.append((handle, paths))
        elif held:
            handle, paths = held.pop(rng.randrange(len(held)))
            assert cache.unlock(handle) == len(paths)
            ref.unlock(paths)
        assert cache.used_blocks == len(ref.nodes) <= capacity
        assert cache.locked_blocks == sum(1 for v in ref.locks.values() if v)


def test_admit_is_match_insert_and_lock_in_one_walk() -> None:
    """admit() leaves the cache exactly as match() + insert() + lock() would, eviction and pins included."""
    rng = random.Random(7)
    one, three = RadixCache(block_size=4, capacity_blocks=24), RadixCache(block_size=4, capacity_blocks=24)
    held: list[tuple[LockHandle, LockHandle]] = []
    for _ in range(400):
        base = rng.choice([[1, 2, 3, 4], [5, 6, 7, 8], [9, 9, 9, 9]])
        tokens = base * rng.randint(1, 3) + [rng.randrange(40) for _ in range(rng.randint(0, 14))]
        matched, h1 = one.admit(tokens)
        assert matched == three.match(tokens)
        three.insert(tokens)
        h3 = three.lock(tokens)
        assert h1.blocks == h3.blocks
        held.append((h1, h3))
        if len(held) > 3 or rng.random() < 0.3:
            a, b = held.pop(rng.randrange(len(held)))
            assert one.unlock(a) == three.unlock(b)
        assert one.stats() == three.stats()
        assert one.match(tokens, touch=False) == three.match(tokens, touch=False)
