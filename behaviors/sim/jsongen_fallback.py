"""Last resort for schemas the structural generator cannot satisfy: one hypothesis-jsonschema example.

``hypothesis`` and ``hypothesis-jsonschema`` are imported on first use (about half a second; call
:meth:`HypothesisFallback.warm_up` at start-up to pay it early). The strategy for a schema is built once and
cached under the schema's canonical JSON. An example is drawn deterministically from a seed with
``@seed(n) @settings(phases=[generate], max_examples=3, database=None) @given(strategy)``: of the random
examples the caller accepts, the shortest is returned (hypothesis's first example is the minimal one, used only
when no other is accepted). Draws run one at a time on a worker thread and the caller waits at most its
budget; a late draw still finishes in the background and warms the cache. A schema for which hypothesis
produced no example at all (unsatisfiable, recursive, unsupported) is not tried again. A timed-out result
depends on timing, so it is the only non-deterministic outcome of jsongen.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

__all__ = ["HypothesisFallback"]

_CACHE_LIMIT = 256
_EXAMPLES = 3


class HypothesisFallback:
    """Seeded hypothesis-jsonschema examples under a time budget (thread-safe)."""

    def __init__(self) -> None:
        self._strategies: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._available: bool | None = None
        self._hopeless: set[str] = set()  # schemas for which hypothesis produced no example at all

    def available(self) -> bool:
        """Whether hypothesis-jsonschema is installed (checked once, without importing it)."""
        if self._available is None:
            self._available = all(
                importlib.util.find_spec(m) is not None for m in ("hypothesis", "hypothesis_jsonschema")
            )
        return self._available

    def warm_up(self) -> None:
        """Import hypothesis now (in this thread) rather than in the first exotic schema's time budget."""
        if self.available():
            importlib.import_module("hypothesis_jsonschema")

    def draw(self, key: str, schema: Any, seed: int, accept: Callable[[Any], bool], budget: float) -> tuple[bool, Any]:
        """(True, value) for an accepted example found within ``budget`` seconds, else (False, None)."""
        if not self.available() or key in self._hopeless:
            return False, None
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jsongen-fallback")
            job: Future[tuple[bool, Any]] = self._executor.submit(self._draw, key, schema, seed, accept)
        try:
            return job.result(timeout=budget)
        except FutureTimeout:
            job.cancel()
            return False, None

    def _strategy(self, key: str, schema: Any) -> Any:
        strategy = self._strategies.get(key)
        if strategy is None:
            from hypothesis_jsonschema import from_schema

            strategy = from_schema(schema, allow_x00=False, codec="ascii")
            if len(self._strategies) >= _CACHE_LIMIT:
                self._strategies.clear()
            self._strategies[key] = strategy
        return strategy

    def _draw(self, key: str, schema: Any, seed: int, accept: Callable[[Any], bool]) -> tuple[bool, Any]:
        from hypothesis import HealthCheck, Phase, Verbosity, given, settings
        from hypothesis import seed as seeded

        seen: list[Any] = []

        @seeded(seed)
        @settings(
            database=None,
            phases=[Phase.generate],
            max_examples=_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
        @given(self._strategy(key, schema))
        def collect(value: Any) -> None:
            seen.append(value)

        with contextlib.suppress(Exception):  # an unsatisfiable or unsupported schema: nothing to offer
            collect()
        if not seen and len(self._hopeless) < _CACHE_LIMIT:
            self._hopeless.add(key)
        for group in (seen[1:], seen[:1]):
            good = [v for v in group if accept(v)]
            if good:
                return True, min(good, key=lambda v: len(json.dumps(v, default=repr)))
        return False, None
