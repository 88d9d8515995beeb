"""Behaviours say which operation they serve: `@serves("createChatCompletion")`.

The operationId is the join key between the spec and the code. Registering an id twice raises at import; an id
that is in neither the built-in spec nor the served one (a typo) raises when the app is built. Operations with no
behaviour are answered by the schema filler, and are logged at start-up.
"""

from __future__ import annotations

import inspect
import logging
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

log = logging.getLogger("fakeai.registry")

Behaviour = Callable[[Any, Any], Awaitable[Any]]


class RegistryError(Exception):
    """A behaviour cannot be attached."""


class DuplicateBehaviourError(RegistryError):
    pass


class UnknownOperationError(RegistryError):
    pass


@dataclass(frozen=True)
class Registered:
    operation_id: str
    func: Behaviour
    request_type: type[BaseModel] | None
    complete: bool = False  # its JSON answers carry every field the built-in spec requires (no filler pass)

    @property
    def where(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


_REGISTRY: dict[str, Registered] = {}


def serves(*operation_ids: str, complete: bool = False) -> Callable[[Behaviour], Behaviour]:
    """Register an async behaviour `(request_model_or_None, ctx) -> result` for the given operationIds.

    `complete=True` declares that its JSON answers already hold every field the built-in spec requires, so the
    filler's completion pass is skipped when serving that spec (a custom spec may require more: it still runs).
    The contract tests check the declaration: every answer is validated against the response schema."""
    if not operation_ids:
        raise RegistryError("@serves needs at least one operationId")

    def deco(func: Behaviour) -> Behaviour:
        if not inspect.iscoroutinefunction(func):
            raise RegistryError(f"{func.__qualname__}: a behaviour must be `async def`")
        req_type = _request_type(func)
        for oid in operation_ids:
            if oid in _REGISTRY:
                raise DuplicateBehaviourError(
                    f"operationId {oid!r} has two behaviours: {_REGISTRY[oid].where} and "
                    f"{func.__module__}.{func.__qualname__}"
                )
            _REGISTRY[oid] = Registered(oid, func, req_type, complete)
        return func

    return deco


def _request_type(func: Behaviour) -> type[BaseModel] | None:
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # unresolvable annotations: treat the request as untyped
        return None
    params = list(inspect.signature(func).parameters)
    if not params:
        return None
    t = hints.get(params[0])
    for candidate in typing.get_args(t) or (t,):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


WebSocketHandler = Callable[[Any, Any], Awaitable[None]]
_WEBSOCKETS: dict[str, WebSocketHandler] = {}


def websocket(path: str) -> Callable[[WebSocketHandler], WebSocketHandler]:
    """Register a WebSocket endpoint `(websocket, services) -> None` at /v1{path} (and the root alias).

    For protocols the OpenAPI document cannot describe (the Realtime API)."""

    def deco(func: WebSocketHandler) -> WebSocketHandler:
        if path in _WEBSOCKETS:
            raise DuplicateBehaviourError(f"two WebSocket handlers for {path}")
        _WEBSOCKETS[path] = func
        return func

    return deco


def websockets() -> dict[str, WebSocketHandler]:
    return dict(_WEBSOCKETS)


LifespanHook = Callable[[Any], AsyncIterator[None]]
_LIFESPAN: list[LifespanHook] = []


def lifespan(func: LifespanHook) -> LifespanHook:
    """Register an async generator `(services) -> AsyncIterator[None]` run by the app's lifespan: the code before its
    `yield` runs at start-up, the code after it at shutdown (background work such as resuming batches)."""
    if not inspect.isasyncgenfunction(func):
        raise RegistryError(f"{func.__qualname__}: a lifespan hook must be an async generator function")
    if func not in _LIFESPAN:
        _LIFESPAN.append(func)
    return func


def lifespan_hooks() -> list[LifespanHook]:
    return list(_LIFESPAN)


KeyCheck = Callable[[Any, str], bool]
_KEY_CHECKS: list[KeyCheck] = []


def key_check(func: KeyCheck) -> KeyCheck:
    """Register `(services, key) -> bool`: whether an API key the settings do not list is valid (keys issued at run
    time, e.g. a service account's). Consulted only for keys that are not configured, so the common path stays a set
    lookup."""
    if func not in _KEY_CHECKS:
        _KEY_CHECKS.append(func)
    return func


def key_checks() -> list[KeyCheck]:
    return list(_KEY_CHECKS)


def registered() -> dict[str, Registered]:
    return dict(_REGISTRY)


def bind(active: Iterable[str], known: Iterable[str]) -> dict[str, Registered]:
    """The behaviours for the served operations. An id in neither `active` nor `known` is an error."""
    active_ids, known_ids = set(active), set(known) | set(active)
    unknown = sorted(oid for oid in _REGISTRY if oid not in known_ids)
    if unknown:
        where = ", ".join(f"{oid} ({_REGISTRY[oid].where})" for oid in unknown)
        raise UnknownOperationError(f"behaviours registered for operationIds no spec defines: {where}")
    bound = {oid: reg for oid, reg in _REGISTRY.items() if oid in active_ids}
    unserved = sorted(active_ids - set(bound))
    log.info(
        "%d operations have behaviours; %d are answered by the schema filler: %s",
        len(bound),
        len(unserved),
        ", ".join(unserved) if len(unserved) <= 40 else ", ".join(unserved[:40]) + ", ...",
    )
    return bound
