"""One request set-up per event-loop iteration.

When many requests arrive together (a load generator opening 256 streams at once), asyncio runs every one of them
up to its first real wait in a single iteration of the loop: validation, prompt analysis and text generation for all
of them, back to back. Timers that fall due meanwhile (the token deadlines of the streams already running) wait for
the whole burst, so inter-token gaps and TTFT drift by tens of milliseconds. A Turnstile lets one request past per
iteration; the rest wait their turn in arrival order, and due timers fire between set-ups, so a running stream is
held up by at most one set-up. The total work is unchanged; it is only interleaved.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Turnstile:
    """`await turnstile.turn()` returns at once if nobody passed in this loop iteration, otherwise in a later one,
    where `per_iteration` waiters go together (2: one set-up is ~0.3-0.6 ms, so a running stream is held up ~1 ms
    at most, while a burst is not spread over more loop iterations, each with its own overhead, than it needs)."""

    def __init__(self, per_iteration: int = 2) -> None:
        self.per_iteration = max(1, per_iteration)
        self._left = self.per_iteration  # passes left in this loop iteration
        self._scheduled = False  # an _advance is due at the start of the next iteration
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def turn(self) -> None:
        """Wait for this request's turn (first come, first served); at once when this iteration has passes left."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (tests run one app on several): nothing of the old one carries over
            self._loop, self._left, self._scheduled, self._waiting = loop, self.per_iteration, False, deque()
        if self._left > 0 and not self._waiting:
            self._left -= 1
            self._schedule(loop)
            return
        fut = loop.create_future()
        self._waiting.append(fut)
        self._schedule(loop)
        await fut

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._advance)

    def _advance(self) -> None:
        """A new loop iteration: its passes go to the waiters first (they resume in the next iteration)."""
        self._scheduled = False
        self._left = self.per_iteration
        while self._waiting and self._left > 0:
            fut = self._waiting.popleft()
            if not fut.done():  # a waiter whose request was cancelled is skipped
                fut.set_result(None)
                self._left -= 1
        if self._waiting or self._left < self.per_iteration:
            assert self._loop is not None
            self._schedule(self._loop)

    @property
    def waiting(self) -> int:
        return len(self._waiting)
