"""A continuous-batching inference engine, as a discrete-time simulation (one call of `tick` per engine step).

Each tick: running sequences in decode advance one token (at most `max_batch_size` sequences run at once);
waiting sequences are admitted while there are batch slots and KV blocks for their prompt; prefill runs in
chunks of `prefill_chunk` tokens within a per-tick budget of `prefill_budget` tokens, and a sequence emits its
first token when its prefill completes. A decode step that needs a new KV block when none is free preempts the
most recently admitted sequence, which returns to the front of the queue and recomputes its prompt and output
(as vLLM does). The result: a decode ceiling of max_batch_size / step tokens per second, TTFT cliffs when
prefill binds, and goodput collapse when KV is heavily oversubscribed. Pure logic: no clock, no asyncio.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass
class Seq:
    sid: int
    prompt_tokens: int  # tokens whose KV must exist before decoding (the whole prompt)
    prefill_tokens: int  # tokens actually computed in prefill (the uncached part)
    output_tokens: int  # tokens to generate
    generated: int = 0
    prefill_left: int = 0
    blocks: int = 0
    state: str = "new"  # new | waiting | prefill | decode | done | cancelled
    preemptions: int = 0
    owner: Any = None  # whatever the caller attaches (the async request it drives)


@dataclass(frozen=True)
class Event:
    seq: Seq
    kind: str  # admitted | first | token | done | preempted


class BatchEngine:
    def __init__(
        self,
        *,
        max_batch_size: int = 256,
        prefill_chunk: int = 512,
        prefill_budget: int = 2048,
        block_size: int = 16,
        capacity_blocks: int = 16384,
    ) -> None:
        self.max_batch_size = max(1, max_batch_size)
        self.prefill_chunk = max(1, prefill_chunk)
        self.prefill_budget = max(1, prefill_budget)
        self.block_size = max(1, block_size)
        self.capacity_blocks = max(1, capacity_blocks)
        self.free_blocks = self.capacity_blocks
        self.waiting: deque[Seq] = deque()
        self.running: list[Seq] = []
        self.preemptions = 0

    # ------------------------------------------------------------------ bookkeeping
    def blocks_for(self, tokens: int) -> int:
        return -(-max(1, tokens) // self.block_size)

    @property
    def used_blocks(self) -> int:
        return self.capacity_blocks - self.free_blocks

    @property
    def idle(self) -> bool:
        return not self.waiting and not self.running

    def submit(self, seq: Seq) -> None:
        seq.state = "waiting"
        seq.prefill_left = seq.prefill_tokens
        self.waiting.append(seq)

    def cancel(self, seq: Seq) -> None:
        """The client went away: free its slot and blocks."""
        if seq.state in ("done", "cancelled"):
            return
        if seq in self.running:
            self.running.remove(seq)
        elif seq in self.waiting:
            self.waiting.remove(seq)
        self._free(seq)
        seq.state = "cancelled"

    def _free(self, seq: Seq) -> None:
        self.free_blocks += seq.blocks
        seq.blocks = 0

    def _preempt_for(self, needy: Seq) -> bool:
        """Free blocks by preempting the latest-admitted running sequence other than `needy`."""
        for victim in reversed(self.running):
            if victim is needy:
                continue
            self.running.remove(victim)
            self._free(victim)
            victim.state = "waiting"
            victim.preemptions += 1
            # recompute: the prompt and what was generated so far are prefilled again
            victim.prefill_left = victim.prompt_tokens + victim.generated
            self.waiting.appendleft(victim)
            self.preemptions += 1
            return True
        return False

    # ------------------------------------------------------------------ one engine step
    def tick(self) -> list[Event]:
        events: list[Event] = []
        # 1. decode: every running sequence past prefill produces one token
        for seq in list(self.running):
            if seq.state != "decode":  # still prefilling, or preempted earlier in this step
                continue
            need = self.blocks_for(seq.prompt_tokens + seq.generated + 1) - seq.blocks
            while need > self.free_blocks and self._preempt_for(seq):
                events.append(Event(self.waiting[0], "preempted"))
            if need > self.free_blocks:
                continue  # nothing left to preempt: this sequence stalls for a step
            self.free_blocks -= max(0, need)
            seq.blocks += max(0, need)
            seq.generated += 1
            events.append(Event(seq, "token"))
            if seq.generated >= seq.output_tokens:
                self._finish(seq, events)
        # 2. admit waiting sequences while there are batch slots and blocks for their prompt
        while self.waiting and len(self.running) < self.max_batch_size:
            seq = self.waiting[0]
            need = self.blocks_for(seq.prompt_tokens + seq.generated + 1)
            if need > self.free_blocks:
                break
            self.waiting.popleft()
            self.free_blocks -= need
            seq.blocks = need
            seq.state = "prefill"
            self.running.append(seq)
            events.append(Event(seq, "admitted"))
        # 3. chunked prefill within the step's token budget
        budget = self.prefill_budget
        for seq in self.running:
            if seq.state != "prefill" or budget <= 0:
                continue
            take = min(self.prefill_chunk, seq.prefill_left, budget)
            seq.prefill_left -= take
            budget -= take
            if seq.prefill_left <= 0:
                seq.state = "decode"
                if seq.generated == 0:
                    seq.generated = 1
                    events.append(Event(seq, "first"))
                    if seq.generated >= seq.output_tokens:
                        self._finish(seq, events)
        return events

    def _finish(self, seq: Seq, events: list[Event]) -> None:
        self.running.remove(seq)
        self._free(seq)
        seq.state = "done"
        events.append(Event(seq, "done"))
