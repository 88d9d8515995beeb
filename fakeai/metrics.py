"""Request metrics in the seeds' JSON shape: counts, latencies, errors and tokens per endpoint."""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any

_KEEP = 1000  # latencies kept per endpoint


class Metrics:
    def __init__(self) -> None:
        self.requests: defaultdict[str, int] = defaultdict(int)
        self.errors: defaultdict[str, int] = defaultdict(int)
        self.tokens: defaultdict[str, int] = defaultdict(int)
        self.times: defaultdict[str, deque[float]] = defaultdict(lambda: deque(maxlen=_KEEP))

    def observe(self, endpoint: str, seconds: float, status: int) -> None:
        self.requests[endpoint] += 1
        self.times[endpoint].append(round(seconds, 6))
        if status >= 400:
            self.errors[endpoint] += 1

    def add_tokens(self, endpoint: str, count: int) -> None:
        self.tokens[endpoint] += count

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "response_times": {k: list(v) for k, v in self.times.items()},
            "errors": dict(self.errors),
            "tokens_generated": dict(self.tokens),
        }
