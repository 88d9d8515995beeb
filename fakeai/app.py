"""The app factory: a FastAPI app serving a compiled spec, with behaviours attached by operationId."""

from __future__ import annotations

import gc
import importlib
import logging
import os
import pkgutil
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, WebSocket
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from . import metrics_share, registry, spec_loader
from .config import Settings
from .dispatch import Dispatcher
from .errors import APIError, server_error
from .fastpath import FastRouter
from .filler import Filler
from .services import Services
from .spec_loader import SpecPackage
from .store import Store

log = logging.getLogger("fakeai")

# Paths served by the app itself rather than the spec; everything else is an API path under /v1.
APP_PATHS = frozenset({"/openapi.json", "/docs", "/redoc"})


def load_behaviours() -> None:
    """Import every module of fakeai.behaviors: each registers its operations with @serves."""
    pkg = importlib.import_module("fakeai.behaviors")
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not info.ispkg and not info.name.startswith("_"):
            importlib.import_module(f"fakeai.behaviors.{info.name}")


class V1Alias:
    """Serve the API at the root too: `/chat/completions` is `/v1/chat/completions` (seed 002's base_url)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            path: str = scope["path"]
            if not (path.startswith("/v1/") or path == "/v1" or path in APP_PATHS):
                scope = dict(scope)
                scope["path"] = "/v1" + path
                raw = scope.get("raw_path")
                if raw is not None:
                    scope["raw_path"] = b"/v1" + raw
        await self.app(scope, receive, send)


class FakeAIApp(FastAPI):
    """FastAPI, with the API's fast path in front of FastAPI's own middleware (error, telemetry and body-limit
    layers, ~8% of a small request). The /v1 alias and the fast router are also installed as ordinary middleware, so
    once someone adds middleware of their own every request takes the full stack and passes through theirs."""

    front: ASGIApp | None = None
    own_middleware = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.front
        if front is not None and scope["type"] == "http" and len(self.user_middleware) == self.own_middleware:
            scope["app"] = self
            await front(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def stack(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None, spec: SpecPackage | None = None, store: Store | None = None
) -> FastAPI:
    settings = settings or Settings()
    spec = spec or spec_loader.load(settings.spec, settings.spec_cache_dir)
    load_behaviours()
    known = spec_loader.load_builtin().by_id if not spec.builtin else spec.by_id
    behaviours = registry.bind(spec.by_id, known)
    store = store or Store(settings.data_dir)
    services = Services(settings=settings, spec=spec, store=store, filler=Filler(spec.spec, spec.examples))
    dispatcher = Dispatcher(services, behaviours)

    app = FakeAIApp(
        title=str(spec.spec.get("info", {}).get("title", "fakeai")),
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan(services),
    )
    services.app = app
    app.state.services = services
    app.state.dispatcher = dispatcher
    router = spec.routes.build_router(dispatcher)
    app.include_router(router, prefix="/v1")
    _mount_websockets(app, services)
    _mount_docs(app, spec)
    _error_handlers(app)
    # Outermost first: the /v1 alias, then the fast path to the generated stubs, then FastAPI for the rest.
    app.add_middleware(FastRouter, routes=list(router.routes))
    app.add_middleware(V1Alias)
    app.own_middleware = len(app.user_middleware)
    # the same two layers ahead of FastAPI's stack; what they do not route goes through the stack (and them) again
    app.front = V1Alias(FastRouter(app.stack, routes=list(router.routes)))
    return app


def _lifespan(services: Services) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Runs the behaviours' lifespan hooks (registry.lifespan): start-up work before serving, cleanup at shutdown."""

    @asynccontextmanager
    async def run(_: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if services.settings.workers > 1:  # each worker counts its own requests: scrapes merge them all
                share = metrics_share.Share(metrics_share.server_directory(), str(os.getpid()))
                await stack.enter_async_context(metrics_share.sharing(services.metrics, share))
            for hook in registry.lifespan_hooks():
                await stack.enter_async_context(asynccontextmanager(hook)(services))
            services.started = time.monotonic()  # the start-up delay counts from here, when serving begins
            # What start-up built (the spec, ~100k objects of models and schemas) lives as long as the app: move it
            # out of the collector's sight, or every full collection walks it (~70 ms, a stall every stream feels).
            # (No collection first: it would cost as much once per start, and start-up leaves little garbage.)
            gc.freeze()
            try:
                yield
            finally:
                gc.unfreeze()  # (an app created and stopped in a longer-lived process leaves nothing pinned)

    return run


def _mount_websockets(app: FastAPI, services: Services) -> None:
    for path, handler in sorted(registry.websockets().items()):

        async def endpoint(ws: WebSocket, handler: registry.WebSocketHandler = handler) -> None:
            await handler(ws, services)

        app.add_api_websocket_route("/v1" + path, endpoint)


def _mount_docs(app: FastAPI, spec: SpecPackage) -> None:
    body = spec.spec_bytes

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi() -> Response:
        return Response(body, media_type="application/json")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(openapi_url="/openapi.json", title="fakeai")


def _error_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            err = APIError(404, f"Invalid URL ({request.method} {request.url.path})")
        elif exc.status_code == 405:
            err = APIError(
                405,
                f"Method {request.method} is not allowed for {request.url.path}.",
                code="method_not_allowed",
                headers=dict(exc.headers or {}),
            )
        else:
            err = APIError(exc.status_code, str(exc.detail))
        return err.response()

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, APIError)
        return exc.response()

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return server_error().response()

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(APIError, api_error)
    app.add_exception_handler(Exception, unexpected)


def app_from_env(**overrides: Any) -> FastAPI:
    """The app configured from FAKEAI_* (and FAKEAI_CONFIG naming a YAML file): what `uvicorn fakeai:app` runs."""
    import os

    from . import config

    cfg = os.environ.get("FAKEAI_CONFIG")
    return create_app(config.load(Path(cfg) if cfg else None, **overrides))
