"""One request set-up per event-loop iteration.

When many requests arrive together (a load generator opening 256 streams at once), asyncio runs every one of them
up to its first real wait in a single iteration of the loop: validation, prompt analysis and text generation for all
of them, back to back. Timers that fall due meanwhile (the token deadlines of the streams already running) wait for
the whole burst, so inter-token gaps and TTFT drift by tens of milliseconds. A Turnstile lets a couple of requests
past per iteration; the rest wait their turn in arrival order, and due timers fire between set-ups, so a running
stream is held up by at most a couple of set-ups. The total work is unchanged; it is only interleaved.

Every request waits at least until the next iteration, even with nobody ahead of it: the requests of a burst are
all started in one iteration, and a request that went straight on to its set-up would keep the others from even
noting their arrival (TTFT counts from it) until it was done: each of them would look later than it was.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Turnstile:
    """`await turnstile.turn()` returns in a later loop iteration, where `per_iteration` waiters go together, first
    come first served (2: one set-up is ~0.2-0.5 ms, so a running stream is held up ~1 ms at most, while a burst is
    not spread over more loop iterations, each with its own overhead, than it needs)."""

    def __init__(self, per_iteration: int = 2) -> None:
        self.per_iteration = max(1, per_iteration)
        self._scheduled = False  # an _advance is due at the start of the next iteration
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def turn(self) -> None:
        """Wait for this request's turn: a later iteration, after everyone who came before."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (tests run one app on several): nothing of the old one carries over
            self._loop, self._scheduled, self._waiting = loop, False, deque()
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
        left = self.per_iteration
        while self._waiting and left > 0:
            fut = self._waiting.popleft()
            if not fut.done():  # a waiter whose request was cancelled is skipped
                fut.set_result(None)
                left -= 1
        if self._waiting:
            assert self._loop is not None
            self._schedule(self._loop)

    @property
    def waiting(self) -> int:
        return len(self._waiting)
