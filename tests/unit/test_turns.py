"""fakeai.turns: a burst of request set-ups is spread over loop iterations, first come first served, so timers
that fall due meanwhile fire between set-ups."""

from __future__ import annotations

import asyncio
import time

from fakeai.turns import Turnstile


class Iterations:
    """Counts event-loop iterations (a callback that reschedules itself runs once per iteration)."""

    def __init__(self) -> None:
        self.n = 0
        self._on = True
        asyncio.get_running_loop().call_soon(self._tick)

    def _tick(self) -> None:
        self.n += 1
        if self._on:
            asyncio.get_running_loop().call_soon(self._tick)

    def stop(self) -> None:
        self._on = False


def test_an_uncontended_turn_waits_a_couple_of_iterations_only() -> None:
    async def run() -> int:
        gate, ticks = Turnstile(), Iterations()
        before = ticks.n
        await gate.turn()
        after = ticks.n
        ticks.stop()
        return after - before

    assert 1 <= asyncio.run(run()) <= 2


def test_a_burst_is_all_stamped_before_any_set_up_runs() -> None:
    """Requests started in the same iteration all reach the gate (and note their arrival) before the first of them
    goes on to its set-up."""

    async def run() -> list[str]:
        gate = Turnstile(per_iteration=2)
        events: list[str] = []

        async def request(i: int) -> None:
            events.append(f"arrived {i}")
            await gate.turn()
            events.append(f"set up {i}")

        await asyncio.gather(*(request(i) for i in range(6)))
        return events

    events = asyncio.run(run())
    assert events[:6] == [f"arrived {i}" for i in range(6)]
    assert events[6:] == [f"set up {i}" for i in range(6)]


def test_a_burst_passes_in_order_a_few_per_iteration() -> None:
    async def run() -> list[tuple[int, int]]:
        gate, ticks = Turnstile(per_iteration=2), Iterations()
        passed: list[tuple[int, int]] = []

        async def request(i: int) -> None:
            await gate.turn()
            passed.append((i, ticks.n))

        await asyncio.gather(*(request(i) for i in range(9)))
        ticks.stop()
        return passed

    passed = asyncio.run(run())
    assert [i for i, _ in passed] == list(range(9))  # first come, first served
    per_iteration: dict[int, int] = {}
    for _, it in passed:
        per_iteration[it] = per_iteration.get(it, 0) + 1
    assert max(per_iteration.values()) == 2
    assert len(per_iteration) == 5  # 9 requests, 2 per iteration


def test_a_cancelled_waiter_is_skipped() -> None:
    async def run() -> list[int]:
        gate = Turnstile(per_iteration=1)
        passed: list[int] = []

        async def request(i: int) -> None:
            await gate.turn()
            passed.append(i)

        tasks = [asyncio.create_task(request(i)) for i in range(4)]
        await asyncio.sleep(0)  # all four reach the gate and wait
        tasks[1].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await gate.turn()  # and the gate is open again afterwards
        return passed

    assert asyncio.run(run()) == [0, 2, 3]


def test_a_timer_due_during_a_burst_fires_between_set_ups() -> None:
    async def run() -> list[str]:
        gate = Turnstile(per_iteration=1)
        events: list[str] = []

        async def token() -> None:
            await asyncio.sleep(0.001)
            events.append("token")

        async def request(i: int) -> None:
            await gate.turn()
            end = time.perf_counter() + 0.002  # a 2 ms set-up (CPU, no await)
            while time.perf_counter() < end:
                pass
            events.append(f"setup {i}")

        timer = asyncio.create_task(token())
        await asyncio.sleep(0)
        await asyncio.gather(timer, *(request(i) for i in range(20)))
        return events

    events = asyncio.run(run())
    # without the turnstile all 20 set-ups (40 ms) run in one iteration before the 1 ms timer
    assert events.index("token") < 5
    assert events.count("token") == 1 and len(events) == 21
