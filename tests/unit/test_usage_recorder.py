"""The usage recorder writes buffered rows in chunks, one chunk per event-loop turn, and everything on flush()."""

from __future__ import annotations

import asyncio
import itertools
from types import SimpleNamespace
from typing import Any

from fakeai.behaviors import usage

from fakeai.store import Store


def _row(i: int) -> dict[str, Any]:
    return {"id": f"row{i:04d}", "created_at": 1_700_000_000 + i, "input_tokens": i}


def _stored(store: Store) -> int:
    return len(store.list(usage.KIND, limit=10_000).items)


def test_timer_writes_chunks_with_loop_turns_between() -> None:
    store = Store(":memory:")
    rec = usage.Recorder(SimpleNamespace(store=store))  # type: ignore[arg-type]
    written: list[int] = []

    async def main() -> None:
        for i in range(100):
            rec.add(_row(i))
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
            rec.add(_row(i))
        rec.flush()
        assert _stored(store) == 70
        await asyncio.sleep(usage.FLUSH_SECONDS * 2)  # the pending timer finds nothing more to write
        assert _stored(store) == 70

    asyncio.run(main())
