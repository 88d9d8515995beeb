"""Dispatch: every generated route stub calls `dispatch(operationId, request)`.

Per operation, a handler built once at start-up checks the API key, validates parameters and body through the
generated models, calls the behaviour (or the filler when there is none) and renders what it returns: models and
dicts as JSON completed by the filler, async iterators as server-sent events, Binary/Text as they are.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from fakeai.codegen.ir import FORM_MEDIA, Operation

from . import faults, inbound, registry, streaming
from .context import Binary, Context, EventStream, Text, UploadedFile, request_header
from .errors import APIError, bad_request, from_validation, invalid_api_key
from .filler import binary
from .registry import Registered
from .services import Services
from .skeleton import forbidden_null

log = logging.getLogger("fakeai.dispatch")


class OperationHandler:
    def __init__(self, op: Operation, services: Services, behaviour: Registered | None) -> None:
        self.op = op
        self.services = services
        self.settings = services.settings
        spec = services.spec
        self.behaviour = behaviour
        self.params_model = spec.model(op.params_model)
        self.json_body = next((b for b in op.bodies if inbound.is_json(b.media)), None)
        self.form_body = next((b for b in op.bodies if b.media in FORM_MEDIA), None)
        self.raw_body = next((b for b in op.bodies if b not in (self.json_body, self.form_body)), None)
        self.json_model = spec.model(self.json_body.model) if self.json_body else None
        self.form_model = spec.model(self.form_body.model) if self.form_body else None
        success = op.success
        self.status = int(success.status) if success.status.isdigit() else 200
        self.json_media = next((m for m in success.media if m.kind == "json"), None)
        self.sse_media = next((m for m in success.media if m.kind == "sse"), None)
        self.raw_media = next((m for m in success.media if m.kind in ("binary", "text")), None)
        # security: () or a requirement with no schemes means anonymous access is allowed
        self.secured = bool(op.security) and all(op.security)
        self.admin_only = self.secured and all(all("admin" in s.lower() for s in req) for req in op.security)
        self.endpoint = "/v1" + op.path
        req_type = behaviour.request_type if behaviour else None
        # fill what the behaviour leaves unset, unless it declares its answers complete for this (built-in) spec
        self.complete_answers = bool(behaviour and behaviour.complete and spec.builtin)
        self.convert = req_type if req_type is not None and req_type not in (self.json_model, self.form_model) else None

    # ------------------------------------------------------------------ request
    def check_key(self, request: Request) -> str | None:
        key = inbound.bearer_key(request)
        if not self.secured or not self.settings.require_api_key:
            return key
        if key is not None:
            admins = self.settings.admin_api_keys
            if self.admin_only and admins:
                if key in admins:
                    return key
            elif key in admins or (key in self.settings.api_keys and key not in self.services.revoked_keys):
                return key
            elif key not in self.settings.api_keys and any(
                check(self.services, key) for check in registry.key_checks()
            ):
                return key  # issued at run time (a service account's key)
        raise invalid_api_key(key)

    async def read_body(self, request: Request) -> tuple[Any, Any, bytes, dict[str, list[UploadedFile]]]:
        """(validated model, raw data or None, body bytes, files)."""
        op = self.op
        if not op.bodies:
            return None, None, b"", {}
        mt = inbound.media_type(request)
        limit = self.settings.max_body_bytes
        if self.form_body is not None and mt in FORM_MEDIA:
            data, files = await inbound.parse_form(request, limit)
            seed_bytes = _form_seed_bytes(data, files)
            return self.validate(self.form_model, data, None), data, seed_bytes, files
        if self.json_body is not None and (inbound.is_json(mt) or (not mt and self.form_body is None)):
            body = await inbound.read_body(request, limit)
            if not body.strip():
                if op.body_required:
                    raise bad_request("Missing request body: this endpoint expects a JSON object.")
                return None, None, b"", {}
            return self.validate(self.json_model, None, body), None, body, {}
        if self.raw_body is not None and (mt == self.raw_body.media or not mt):
            body = await inbound.read_body(request, limit)
            return None, None, body, {}
        if not mt and not op.body_required and not request.headers.get("content-length", "").strip("0"):
            return None, None, b"", {}
        accepted = ", ".join(b.media for b in op.bodies)
        raise APIError(
            415,
            f"Unsupported content type {mt or '(none)'!r} for {op.method} /v1{op.path}: send {accepted}.",
            code="unsupported_media_type",
        )

    def validate(self, model: type[BaseModel] | None, data: Any, body: bytes | None) -> Any:
        if model is None:
            return data if body is None else inbound.parse_json(body)
        try:
            value = model.model_validate_json(body, strict=True) if body is not None else _validate_form(model, data)
        except ValidationError as e:
            if body is None:
                raise from_validation(e, data) from None
            if any(err["type"] == "json_invalid" for err in e.errors()):
                inbound.parse_json(body)  # raises the OpenAI-worded 400
            data = inbound.parse_json(body)
            if any(err["type"] == "int_type" and _integral_float(err.get("input")) for err in e.errors()):
                # JSON Schema counts 5.0 as an integer: accept integral numbers written with a fraction.
                try:
                    value = model.model_validate_json(json.dumps(_ints(data)), strict=True)
                except ValidationError as e2:
                    raise from_validation(e2, data) from None
            else:
                raise from_validation(e, data) from None
        if body is not None and b"null" in body and self.json_body is not None and self.json_body.schema:
            self.reject_nulls(body, self.json_body.schema)
        if self.settings.strict_params and value.model_extra:
            extra = sorted(value.model_extra)[0]
            raise bad_request(f"Unrecognized request argument supplied: {extra}", param=extra, code="unknown_parameter")
        return value

    def reject_nulls(self, body: bytes, schema_ref: str) -> None:
        """400 for a null where the spec allows none (the generated models accept null for every optional field)."""
        filler = self.services.filler
        data = inbound.parse_json(body)
        path = forbidden_null(filler.skeleton, data, filler.schema(schema_ref))
        if path is not None:
            raise bad_request(
                f"Invalid type for '{path}': expected a value, but got null instead.", param=path, code="invalid_type"
            )

    # ------------------------------------------------------------------ call
    async def __call__(self, request: Request) -> Response:
        t0 = time.perf_counter()
        status, error_type = 500, "server_error"
        try:
            response = await self.handle(request, time.monotonic())
            status = response.status_code
            return response
        except APIError as e:
            status, error_type = e.status, e.type
            return e.response()
        finally:
            self.services.metrics.observe(
                self.endpoint, time.perf_counter() - t0, status, self.op.operation_id, error_type
            )

    async def handle(self, request: Request, received: float) -> Response:
        key = self.check_key(request)
        if not self.secured:
            return await self.answer(request, key, received)
        # API operations: start-up delay, injected faults and rate limits
        services = self.services
        if not services.ready:
            raise APIError(
                503,
                "The server is starting up; please retry shortly.",
                type="service_unavailable",
                headers={"retry-after": "1"},
            )
        fault = services.faults.pick(request_header(request, faults.HEADER))
        if fault is not None:
            services.metrics.faults.labels(fault).inc()
            await services.faults.raise_immediate(fault)
        limits: dict[str, str] = {}
        if services.limiter.enabled:
            declared = request_header(request, "content-length") or "0"
            estimate = (int(declared) if declared.isdigit() else 0) // 4 + 16  # prompt ~4 bytes/token + a reply
            limits = services.limiter.acquire(key or "anonymous", estimate)
        if not services.settings.fast:
            # simulated latency is on: set requests up a couple per loop iteration, so a burst of arrivals does not
            # hold up the token deadlines of the streams already running (fakeai.turns)
            await services.turnstile.turn()
        try:
            response = await self.answer(request, key, received)
        except APIError as e:
            e.headers.update(limits)
            raise
        if fault is not None:
            response = faults.apply(response, fault)
        if limits:
            response.headers.update(limits)
        return response

    async def answer(self, request: Request, key: str | None, received: float) -> Response:
        params = inbound.params(self.op, self.params_model, request)
        model, raw, body, files = await self.read_body(request)
        ctx = Context(self.op, request, self.services, params, raw, files, key, body, model, received=received)
        result = None
        if self.behaviour is not None:
            arg = model
            if self.convert is not None and model is not None:
                try:
                    arg = self.convert.model_validate(model.model_dump(by_alias=True, exclude_unset=True))
                except ValidationError:
                    log.debug("%s: request does not fit %s; using the filler", self.op.operation_id, self.convert)
                    return self.render(None, ctx, model)
            result = await self.behaviour.func(arg, ctx)
        return self.render(result, ctx, model)

    # ------------------------------------------------------------------ response
    def render(self, result: Any, ctx: Context, model: Any) -> Response:
        if result is None:
            return self.fill(ctx, model)
        if isinstance(result, Response):
            return result
        if isinstance(result, Binary):
            return Response(result.data, status_code=self.status, media_type=result.media_type, headers=result.headers)
        if isinstance(result, Text):
            return Response(result.text, status_code=self.status, media_type=result.media_type, headers=result.headers)
        if isinstance(result, EventStream):
            return streaming.response(result, self.status)
        if hasattr(result, "__aiter__"):
            return streaming.response(EventStream(result), self.status)
        data = streaming.to_jsonable(result)
        if self.json_media is not None and self.json_media.schema and not self.complete_answers:
            data = self.services.filler.complete(data, self.json_media.schema, ctx.seed)
        return json_response(orjson.dumps(data), self.status)

    def wants_stream(self, ctx: Context, model: Any) -> bool:
        for source in (model, ctx.form):
            if isinstance(source, BaseModel):
                if getattr(source, "stream", None) is True or getattr(source, "stream_format", None) == "sse":
                    return True
            elif isinstance(source, dict) and (
                source.get("stream") in (True, "true") or source.get("stream_format") == "sse"
            ):
                return True
        return ctx.request.query_params.get("stream") == "true"

    def fill(self, ctx: Context, model: Any) -> Response:
        filler = self.services.filler
        seed = ctx.seed
        if (
            self.sse_media is not None
            and self.sse_media.schema
            and (self.wants_stream(ctx, model) or (self.json_media is None and self.raw_media is None))
        ):
            events = filler.events(self.sse_media.schema, seed)
            typed = all(isinstance(e, dict) and isinstance(e.get("type"), str) for e in events)
            return streaming.response(
                EventStream(_aiter(events), done=not typed, event_field="type" if typed else None)
            )
        if self.json_media is not None and self.json_media.schema:
            data = filler.full(self.json_media.schema, seed)
            path_ids = [v for k, v in ctx.request.path_params.items() if k.endswith("id")]
            if isinstance(data, dict) and isinstance(data.get("id"), str) and len(path_ids) == 1:
                data["id"] = path_ids[-1]
            return json_response(orjson.dumps(data), self.status)
        if self.raw_media is not None:
            return Response(
                binary(self.raw_media.media, seed), status_code=self.status, media_type=self.raw_media.media
            )
        return Response(status_code=self.status)


def json_response(body: bytes, status: int) -> Response:
    """``Response(body, status, media_type="application/json")`` without Starlette's general header set-up."""
    response = Response.__new__(Response)
    response.body = body
    response.status_code = status
    response.media_type = "application/json"
    response.background = None
    response.raw_headers = [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    return response


def _integral_float(v: Any) -> bool:
    return isinstance(v, float) and v.is_integer()


def _ints(data: Any) -> Any:
    if isinstance(data, float) and data.is_integer():
        return int(data)
    if isinstance(data, dict):
        return {k: _ints(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_ints(v) for v in data]
    return data


def _validate_form(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """Form fields are strings: a field whose string does not validate is retried as the JSON it spells
    (`null`, an object, an array), as SDKs send nested values in multipart bodies."""
    for _ in range(8):
        try:
            return model.model_validate(data)
        except ValidationError as e:
            changed = False
            for err in e.errors():
                key = err["loc"][0] if err["loc"] else None
                if not isinstance(key, str):
                    continue
                value = data.get(key)
                if isinstance(value, str) and err["type"] == "list_type" and len(err["loc"]) == 1:
                    try:
                        parsed_list = orjson.loads(value)
                    except orjson.JSONDecodeError:
                        parsed_list = None
                    # an array sent as JSON text, or a one-element array sent as a single form field
                    data = {**data, key: parsed_list if isinstance(parsed_list, list) else [value]}
                    changed = True
                    continue
                if isinstance(value, str):
                    try:
                        parsed = orjson.loads(value)
                    except orjson.JSONDecodeError:
                        continue
                    if not isinstance(parsed, str):
                        data = {**data, key: parsed}
                        changed = True
            if not changed:
                raise
    return model.model_validate(data)


async def _aiter(items: list[Any]) -> Any:
    for item in items:
        yield item


def _form_seed_bytes(data: dict[str, Any], files: dict[str, list[UploadedFile]]) -> bytes:
    digest = {
        name: [f"{f.filename}:{hashlib.blake2b(f.data, digest_size=8).hexdigest()}" for f in group]
        for name, group in files.items()
    }
    plain = {k: v for k, v in data.items() if k not in files}
    return orjson.dumps({"form": plain, "files": digest}, option=orjson.OPT_SORT_KEYS, default=str)


class Dispatcher:
    def __init__(self, services: Services, behaviours: dict[str, Registered]) -> None:
        self.handlers = {
            op.operation_id: OperationHandler(op, services, behaviours.get(op.operation_id))
            for op in services.spec.operations
        }

    async def __call__(self, operation_id: str, request: Request) -> Response:
        return await self.handlers[operation_id](request)
