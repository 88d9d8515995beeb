"""The API's request path: straight from ASGI to the generated route stubs.

FastAPI builds and serves the app (docs, WebSockets, the generated router), but its per-request machinery
(dependency solving, nested router matching, telemetry hooks) costs more than a whole simulated answer. This
front matches the generated routes itself — a dict for literal paths, compiled patterns for the rest, in the
generated order — and awaits the stub with a plain Starlette Request. Requests it does not route go to the app.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import APIError, server_error

log = logging.getLogger("fakeai")
Endpoint = Callable[[Request], Awaitable[Response]]


class FastRouter:
    def __init__(self, app: ASGIApp, routes: list[Any], prefix: str = "/v1") -> None:
        self.app = app
        self.static: dict[str, dict[str, Endpoint]] = {}
        self.dynamic: list[tuple[Any, dict[str, Any], dict[str, Endpoint]]] = []
        patterns: dict[str, tuple[Any, dict[str, Any], dict[str, Endpoint]]] = {}
        for route in routes:
            if not isinstance(route, APIRoute):
                continue
            path = prefix + route.path
            methods = {m: route.endpoint for m in route.methods or ()}
            if "{" not in path:
                self.static.setdefault(path, {}).update(methods)
            elif path in patterns:
                patterns[path][2].update(methods)
            else:
                regex, _, convertors = compile_path(path)
                entry = (regex, convertors, dict(methods))
                patterns[path] = entry
                self.dynamic.append(entry)

    def resolve(self, path: str) -> tuple[dict[str, Endpoint], dict[str, Any]] | None:
        methods = self.static.get(path)
        if methods is not None:
            return methods, {}
        for regex, convertors, methods in self.dynamic:
            m = regex.match(path)
            if m is not None:
                return methods, {k: convertors[k].convert(v) for k, v in m.groupdict().items()}
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = self.resolve(scope["path"])
        if found is None:
            await self.app(scope, receive, send)
            return
        methods, params = found
        method = scope["method"]
        endpoint = methods.get(method) or (methods.get("GET") if method == "HEAD" else None)
        if endpoint is None:
            allowed = ", ".join(sorted(methods))
            response = APIError(
                405,
                f"Method {method} is not allowed for {scope['path']}.",
                code="method_not_allowed",
                headers={"allow": allowed},
            ).response()
        else:
            scope["path_params"] = params
            try:
                response = await endpoint(Request(scope, receive, send))
            except APIError as e:
                response = e.response()
            except Exception:
                log.exception("unhandled error on %s %s", method, scope["path"])
                response = server_error().response()
        await response(scope, receive, send)
