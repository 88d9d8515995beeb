"""Block-granular radix tree modelling one inference worker's prefix (KV) cache.

This mirrors the automatic prefix caching of vLLM / SGLang closely enough for a simulator: a prompt is cut into
blocks of ``block_size`` tokens, only *full* blocks are cached, and a block is addressed by its own token ids plus
the path of blocks before it (one tree node per block, keyed by the block's token tuple).  ``match`` and ``insert``
walk one node per block, so they cost O(len(tokens)) whatever the cache size.

Eviction is least-recently-used over *leaf* blocks only (a block another block hangs from is never evicted before
its children), driven by a logical clock that ticks once per ``match``/``insert`` call.  Leaves wait in a lazily
invalidated heap, so evicting one block costs O(log n) amortised.  Blocks of running sequences can be pinned with
``lock`` (reference counted, via the returned :class:`LockHandle`); pinned blocks are never evicted.

Not thread-safe: callers that share a cache across threads must serialise access.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from itertools import count

__all__ = ["LockHandle", "RadixCache"]


class _Node:
    __slots__ = ("children", "key", "last_access", "lock_ref", "node_id", "parent")

    def __init__(self, key: tuple[int, ...], parent: _Node | None, node_id: int, now: int) -> None:
        self.key = key
        self.parent = parent
        self.children: dict[tuple[int, ...], _Node] = {}
        self.last_access = now
        self.lock_ref = 0
        self.node_id = node_id


class LockHandle:
    """Pin on the cached prefix of one sequence; give it back to :meth:`RadixCache.unlock` exactly once."""

    __slots__ = ("_generation", "_node", "blocks", "released")

    def __init__(self, node: _Node, blocks: int, generation: int) -> None:
        self._node = node
        self._generation = generation
        self.blocks = blocks  # how many blocks this handle pins
        self.released = False


class RadixCache:
    """Prefix cache of one worker: ``capacity_blocks`` blocks of ``block_size`` tokens each."""

    def __init__(self, block_size: int = 16, capacity_blocks: int = 4096) -> None:
        if block_size < 1:
            raise ValueError("block_size must be >= 1")
        if capacity_blocks < 0:
            raise ValueError("capacity_blocks must be >= 0")
        self.block_size = block_size
        self.capacity_blocks = capacity_blocks
        self._ids = count(1)
        self._heap_slack = 1024  # stale heap entries tolerated before the heap is rebuilt from the leaves
        self._clock = 0
        self._generation = 0
        self.hits = 0
        self.misses = 0
        self.matched_tokens = 0
        self.queried_tokens = 0
        self.evictions = 0
        self.inserted_blocks = 0
        self._reset_tree()

    def _reset_tree(self) -> None:
        self._root = _Node((), None, 0, 0)
        self._used = 0
        self._locked = 0
        self._heap: list[tuple[int, int, _Node]] = []

    # ------------------------------------------------------------------ queries

    @property
    def used_blocks(self) -> int:
        return self._used

    @property
    def free_blocks(self) -> int:
        return max(0, self.capacity_blocks - self._used)

    @property
    def locked_blocks(self) -> int:
        """Blocks pinned by at least one :class:`LockHandle`."""
        return self._locked

    def _blocks(self, tokens: Sequence[int]) -> list[tuple[int, ...]]:
        bs = self.block_size
        seq = tokens if isinstance(tokens, (list, tuple)) else list(tokens)
        return [tuple(seq[i : i + bs]) for i in range(0, len(seq) - bs + 1, bs)]

    def _walk(self, tokens: Sequence[int]) -> tuple[list[_Node], list[tuple[int, ...]]]:
        """Nodes of the cached prefix of ``tokens`` (root excluded) and all full blocks of ``tokens``."""
        blocks = self._blocks(tokens)
        path: list[_Node] = []
        node = self._root
        for key in blocks:
            child = node.children.get(key)
            if child is None:
                break
            path.append(child)
            node = child
        return path, blocks

    def _touch(self, path: list[_Node]) -> None:
        now = self._clock
        for node in path:
            node.last_access = now
        if path and not path[-1].children:
            self._push(path[-1])

    def match(self, tokens: Sequence[int], *, touch: bool = True) -> int:
        """Tokens of ``tokens``' prefix already cached (a multiple of block_size).

        With ``touch`` (the default) the matched blocks become most recently used and hit/miss statistics are
        recorded; ``touch=False`` is a side-effect-free peek (what a router uses to score workers).
        """
        path, _ = self._walk(tokens)
        if touch:
            return self._looked_up(tokens, path)
        return len(path) * self.block_size

    def _looked_up(self, tokens: Sequence[int], path: list[_Node]) -> int:
        """A lookup that counts: the matched blocks become most recently used, the statistics are recorded."""
        matched = len(path) * self.block_size
        self._clock += 1
        self._touch(path)
        self.queried_tokens += len(tokens)
        self.matched_tokens += matched
        if matched:
            self.hits += 1
        else:
            self.misses += 1
        return matched

    # ------------------------------------------------------------------ updates

    def insert(self, tokens: Sequence[int]) -> int:
        """Cache every full block of ``tokens``; return how many blocks were newly added.

        When the cache is full, least-recently-used unlocked leaves are evicted to make room; if nothing can be
        evicted, only the leading blocks that fit are cached.
        """
        path, blocks = self._walk(tokens)
        return len(self._insert(path, blocks))

    def _insert(self, path: list[_Node], blocks: list[tuple[int, ...]]) -> list[_Node]:
        """`insert` given the walk of its tokens; returns the nodes added."""
        self._clock += 1
        now = self._clock
        for node in path:
            node.last_access = now
        node = path[-1] if path else self._root
        added: list[_Node] = []
        for key in blocks[len(path) :]:
            if self._used >= self.capacity_blocks and self._evict(1, protect=node) == 0:
                break
            child = _Node(key, node, next(self._ids), now)
            node.children[key] = child
            node = child
            added.append(child)
            self._used += 1
        self.inserted_blocks += len(added)
        if node is not self._root and not node.children:
            self._push(node)
        return added

    def admit(self, tokens: Sequence[int]) -> tuple[int, LockHandle]:
        """``match(tokens)``, ``insert(tokens)`` and ``lock(tokens)`` in one walk (a request starting): returns the
        matched token count and the lock handle. (Eviction while inserting never takes a block of the walked path:
        all but its last have children, and the last is protected.)"""
        path, blocks = self._walk(tokens)
        matched = self._looked_up(tokens, path)
        pinned = path + self._insert(path, blocks)
        return matched, self._lock_path(pinned)

    def lock(self, tokens: Sequence[int]) -> LockHandle:
        """Pin the cached prefix of ``tokens`` (usually right after :meth:`insert`) against eviction."""
        path, _ = self._walk(tokens)
        return self._lock_path(path)

    def _lock_path(self, path: list[_Node]) -> LockHandle:
        for node in path:
            if node.lock_ref == 0:
                self._locked += 1
            node.lock_ref += 1
        return LockHandle(path[-1] if path else self._root, len(path), self._generation)

    def unlock(self, handle: LockHandle) -> int:
        """Release a pin; returns how many blocks it covered (0 if already released or the cache was cleared)."""
        if handle.released:
            return 0
        handle.released = True
        if handle._generation != self._generation:
            return 0
        node: _Node | None = handle._node
        while node is not None and node is not self._root:
            node.lock_ref -= 1
            if node.lock_ref == 0:
                self._locked -= 1
                if not node.children:
                    self._push(node)
            node = node.parent
        return handle.blocks

    def evict(self, n_blocks: int) -> int:
        """Evict up to ``n_blocks`` least-recently-used unlocked leaf blocks; return how many went."""
        return self._evict(n_blocks, protect=None)

    def clear(self) -> None:
        """Drop every cached block (outstanding lock handles become no-ops); statistics are kept."""
        self._generation += 1
        self._reset_tree()

    def reset_stats(self) -> None:
        self.hits = self.misses = self.matched_tokens = self.queried_tokens = 0
        self.evictions = self.inserted_blocks = 0

    def stats(self) -> dict[str, int]:
        return {
            "used_blocks": self._used,
            "capacity_blocks": self.capacity_blocks,
            "locked_blocks": self._locked,
            "hits": self.hits,
            "misses": self.misses,
            "matched_tokens": self.matched_tokens,
            "queried_tokens": self.queried_tokens,
            "evictions": self.evictions,
            "inserted_blocks": self.inserted_blocks,
        }

    # ------------------------------------------------------------------ eviction internals

    def _push(self, node: _Node) -> None:
        heapq.heappush(self._heap, (node.last_access, node.node_id, node))
        if len(self._heap) > 2 * self._used + self._heap_slack:
            self._rebuild_heap()

    def _rebuild_heap(self) -> None:
        heap: list[tuple[int, int, _Node]] = []
        stack = list(self._root.children.values())
        while stack:
            node = stack.pop()
            if node.children:
                stack.extend(node.children.values())
            elif node.lock_ref == 0:
                heap.append((node.last_access, node.node_id, node))
        heapq.heapify(heap)
        self._heap = heap

    def _evict(self, n_blocks: int, protect: _Node | None) -> int:
        evicted = 0
        held: list[tuple[int, int, _Node]] = []
        heap = self._heap
        while evicted < n_blocks and heap:
            entry = heapq.heappop(heap)
            stamp, _, node = entry
            parent = node.parent
            if parent is None or node.children or node.lock_ref or stamp != node.last_access:
                continue  # stale entry: evicted already, grew children, pinned, or touched since
            if node is protect:
                held.append(entry)
                continue
            del parent.children[node.key]
            node.parent = None
            evicted += 1
            if parent is not self._root and not parent.children and parent.lock_ref == 0:
                heapq.heappush(heap, (parent.last_access, parent.node_id, parent))
        for entry in held:
            heapq.heappush(heap, entry)
        self._used -= evicted
        self.evictions += evicted
        return evicted
