"""The usage recorder writes buffered rows in chunks, one chunk per event-loop turn, and everything on flush()."""

from __future__ import annotations

import asyncio
import itertools
from types import SimpleNamespace
from typing import Any

from fakeai.behaviors import usage

from fakeai.store import Store


def _row(i: int) -> dict[str, Any]:
    return {"id": f"row{i:04d}", "created_at": 1_700_000_000 + i, "requests": 1, "input_tokens": i}


def _add(rec: usage.Recorder, i: int) -> None:
    row = _row(i)
    rec.add((row["created_at"],), row, ("input_tokens",))


def _stored(store: Store) -> int:
    return len(store.list(usage.KIND, limit=10_000).items)


def test_timer_writes_chunks_with_loop_turns_between() -> None:
    store = Store(":memory:")
    rec = usage.Recorder(SimpleNamespace(store=store))  # type: ignore[arg-type]
    written: list[int] = []

    async def main() -> None:
        for i in range(100):
            _add(rec, i)
        assert _stored(store) == 0  # buffered
        deadline = asyncio.get_running_loop().time() + 5
        while _stored(store) < 100 and asyncio.get_running_loop().time() < deadline:
            written.append(_stored(store))
            await asyncio.sleep(0)  # one loop turn: the flush chain writes at most a chunk meanwhile
        written.append(_stored(store))

    asyncio.run(main())
    assert written[-1] == 100
    steps = [b - a for a, b in itertools.pairwise(written)]
    assert max(steps, default=0) <= usage.CHUNK_ROWS  # never more than a chunk per loop turn
    assert len(set(written)) > 100 // usage.CHUNK_ROWS  # it took several turns


def test_flush_writes_everything_now() -> None:
    store = Store(":memory:")
    rec = usage.Recorder(SimpleNamespace(store=store))  # type: ignore[arg-type]

    async def main() -> None:
        for i in range(70):
            _add(rec, i)
        rec.flush()
        assert _stored(store) == 70
        await asyncio.sleep(usage.FLUSH_SECONDS * 2)  # the pending timer finds nothing more to write
        assert _stored(store) == 70

    asyncio.run(main())


def test_requests_of_one_second_with_the_same_labels_make_one_row() -> None:
    store = Store(":memory:")
    rec = usage.Recorder(SimpleNamespace(store=store))  # type: ignore[arg-type]

    async def main() -> None:  # (inside a loop the rows are buffered; a synchronous caller's are written at once)
        for i in range(5):
            rec.add(("second-1", "model-a"), {**_row(i), "created_at": 1, "input_tokens": 10 + i}, ("input_tokens",))
        rec.add(("second-1", "model-b"), {**_row(9), "created_at": 1, "input_tokens": 7}, ("input_tokens",))
        rec.flush()
        rows = sorted(store.list(usage.KIND, limit=100).items, key=lambda r: r["input_tokens"])
        assert [(r["requests"], r["input_tokens"]) for r in rows] == [(1, 7), (5, 10 + 11 + 12 + 13 + 14)]
        rec.add(("second-1", "model-a"), {**_row(20), "created_at": 1, "input_tokens": 1}, ("input_tokens",))
        rec.flush()  # a row already written is not changed: the same second starts a new row
        assert store.count(usage.KIND) == 3

    asyncio.run(main())
