"""The per-app container of shared objects behaviours use: settings, spec, store, filler, metrics, and
behaviour-owned singletons created on first use (`get`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .filler import Filler
from .metrics import Metrics
from .store import Store
from .turns import Turnstile

if TYPE_CHECKING:
    from .config import Settings
    from .spec_loader import SpecPackage

T = TypeVar("T")


@dataclass
class Services:
    settings: Settings
    spec: SpecPackage
    store: Store
    filler: Filler
    metrics: Metrics = field(default_factory=Metrics)
    app: Any = None  # the ASGI app these services belong to (for in-process calls: fakeai.internal)
    started: float = field(default_factory=time.monotonic)
    faults: Any = None
    limiter: Any = None
    turnstile: Turnstile = field(default_factory=Turnstile)
    revoked_keys: set[str] = field(default_factory=set)  # configured keys revoked through the admin API

    def __post_init__(self) -> None:
        from .faults import FaultInjector
        from .ratelimit import RateLimiter

        self.faults = FaultInjector(self.settings)
        self.limiter = RateLimiter(self.settings.rate_limit_rpm, self.settings.rate_limit_tpm)

    @property
    def ready(self) -> bool:
        """False during the configured start-up delay."""
        return time.monotonic() - self.started >= self.settings.startup_delay

    _singletons: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: str, factory: Callable[[Services], T]) -> T:
        """The app-wide object registered under `key`, created by `factory(services)` the first time."""
        try:
            return self._singletons[key]
        except KeyError:
            with self._lock:
                if key not in self._singletons:
                    self._singletons[key] = factory(self)
                return self._singletons[key]
