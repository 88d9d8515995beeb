"""A random.Random seeded on first use, for random streams a request often never draws from (seeding costs
microseconds: the latency stream of a zero-latency server, the filler's stream when nothing is missing)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, cast


class _Deferred:
    __slots__ = ("_make", "_rng")

    def __init__(self, make: Callable[[], random.Random]) -> None:
        self._make = make
        self._rng: random.Random | None = None

    def __getattr__(self, name: str) -> Any:  # only for names the proxy lacks: every Random method
        rng = self._rng
        if rng is None:
            rng = self._rng = self._make()
        return getattr(rng, name)


def lazy_random(make: Callable[[], random.Random]) -> random.Random:
    """Stands in for ``make()``, which is called when a method is first used: the same values in the same order."""
    return cast(random.Random, _Deferred(make))
