"""Rate limits per API key: requests and tokens per minute, as token buckets, with OpenAI's headers.

Off unless rate_limit_rpm / rate_limit_tpm are set. Every response then carries x-ratelimit-limit-*,
x-ratelimit-remaining-* and x-ratelimit-reset-* (requests and tokens); a request over a limit gets 429 with
retry-after and OpenAI's message.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from .errors import APIError


def duration(seconds: float) -> str:
    """OpenAI's reset format: 1s, 6m0s, 1.5s."""
    if seconds < 60:
        return f"{round(seconds, 3):g}s"
    m, s = divmod(seconds, 60)
    return f"{int(m)}m{round(s):d}s"


@dataclass
class Bucket:
    capacity: float
    level: float
    stamp: float

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.capacity / 60.0)
        self.stamp = now

    def wait_for(self, amount: float) -> float:
        missing = amount - self.level
        return 0.0 if missing <= 0 else missing * 60.0 / self.capacity

    def reset_in(self) -> float:
        return (self.capacity - self.level) * 60.0 / self.capacity


class RateLimiter:
    def __init__(self, rpm: int, tpm: int) -> None:
        self.rpm, self.tpm = rpm, tpm
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], Bucket] = {}

    @property
    def enabled(self) -> bool:
        return bool(self.rpm or self.tpm)

    def _bucket(self, key: str, kind: str, now: float) -> Bucket:
        cap = float(self.rpm if kind == "requests" else self.tpm)
        b = self._buckets.get((key, kind))
        if b is None:
            b = self._buckets[(key, kind)] = Bucket(cap, cap, now)
        b.refill(now)
        return b

    def acquire(self, key: str, tokens: int) -> dict[str, str]:
        """Take one request and `tokens` tokens for `key`; the headers to send, or APIError 429."""
        now = time.monotonic()
        with self._lock:
            kinds = [k for k, lim in (("requests", self.rpm), ("tokens", self.tpm)) if lim]
            buckets = {k: self._bucket(key, k, now) for k in kinds}
            want = {"requests": 1.0, "tokens": float(min(tokens, self.tpm or tokens))}
            for kind, b in buckets.items():
                wait = b.wait_for(want[kind])
                if wait > 0:
                    limit = self.rpm if kind == "requests" else self.tpm
                    used = math.ceil(b.capacity - b.level)
                    unit = "requests per min (RPM)" if kind == "requests" else "tokens per min (TPM)"
                    raise APIError(
                        429,
                        f"Rate limit reached for {unit}: Limit {limit}, Used {used}, Requested {int(want[kind])}. "
                        f"Please try again in {duration(wait)}.",
                        type=kind,
                        code="rate_limit_exceeded",
                        headers={"retry-after": str(max(1, math.ceil(wait))), **self._headers(buckets)},
                    )
            for kind, b in buckets.items():
                b.level -= want[kind]
            return self._headers(buckets)

    def _headers(self, buckets: dict[str, Bucket]) -> dict[str, str]:
        out = {}
        for kind, b in buckets.items():
            out[f"x-ratelimit-limit-{kind}"] = str(int(b.capacity))
            out[f"x-ratelimit-remaining-{kind}"] = str(max(0, int(b.level)))
            out[f"x-ratelimit-reset-{kind}"] = duration(b.reset_in())
        return out
