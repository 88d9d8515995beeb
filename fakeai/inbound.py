"""Reading a request: the API key, path/query parameters and the body (JSON or multipart), with OpenAI's errors."""

from __future__ import annotations

import re
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request

from fakeai.codegen.ir import FORM_MEDIA, Operation

from .context import UploadedFile, request_header
from .errors import APIError, bad_request, from_validation


def bearer_key(request: Request) -> str | None:
    header = request_header(request, "authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def params(op: Operation, model: type[BaseModel] | None, request: Request) -> Any:
    """Validate path and query parameters with the operation's params model; errors name the parameter."""
    if model is None:
        return None
    data: dict[str, Any] = {}
    qp = request.query_params
    for p in op.params:
        if p.location == "path":
            value: Any = request.path_params.get(p.name)
        elif p.kind == "array":
            value = qp.getlist(p.name) or qp.getlist(f"{p.name}[]") or None
        elif p.kind == "object":
            prefix = f"{p.name}["
            value = {k[len(prefix) : -1]: v for k, v in qp.multi_items() if k.startswith(prefix) and k.endswith("]")}
            value = value or None
        else:
            value = qp.get(p.name)
        if value is not None:
            data[p.name] = value
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise from_validation(e, data) from None


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing (413) more than `limit` bytes, whether or not Content-Length was sent."""
    declared = request_header(request, "content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    # the ASGI messages themselves (Request.stream() adds an async generator's cost to every request)
    receive = request.receive
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    request._body = body  # later readers (request.form, request.body()) see the same bytes
    request._stream_consumed = True
    return body


def _too_large(limit: int) -> APIError:
    return APIError(413, f"Request body too large: the limit is {limit} bytes.", code="request_too_large")


def media_type(request: Request) -> str:
    return (request_header(request, "content-type") or "").split(";", 1)[0].strip().lower()


def is_json(mt: str) -> bool:
    return mt == "application/json" or mt.endswith("+json")


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise bad_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
            "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
        ) from None


async def parse_form(request: Request, limit: int) -> tuple[dict[str, Any], dict[str, list[UploadedFile]]]:
    """A multipart or urlencoded form as a dict (bracket keys nested, `x[]` and repeated keys as lists) + files."""
    declared = request_header(request, "content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    try:
        form = await request.form(max_files=1000, max_fields=1000, max_part_size=limit)
    except MultiPartException as e:
        raise bad_request(f"Could not parse the multipart form: {e.message}") from None
    except HTTPException as e:  # starlette reports malformed forms as HTTP 400
        raise bad_request(f"Could not parse the multipart form: {e.detail}") from None
    data: dict[str, Any] = {}
    files: dict[str, list[UploadedFile]] = {}
    try:
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read()
                name = key[:-2] if key.endswith("[]") else key
                kind = value.content_type or "application/octet-stream"
                files.setdefault(name, []).append(UploadedFile(name, value.filename or "", kind, content))
                _assign(data, key, content)
            else:
                _assign(data, key, value)
    finally:
        await form.close()
    return data, files


_BRACKETS = re.compile(r"\[([^\]]*)\]")


def _assign(data: dict[str, Any], key: str, value: Any) -> None:
    """Form keys in the conventions SDKs use: `a[b]` nests, `a[]` and repeated keys make lists."""
    head = key.split("[", 1)[0]
    parts = [head, *_BRACKETS.findall(key[len(head) :])] if "[" in key else [key]
    node = data
    for i, part in enumerate(parts[:-1]):
        if parts[i + 1] == "":
            existing = node.get(part)
            node[part] = [*existing, value] if isinstance(existing, list) else [value]
            return
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    last = parts[-1]
    if last in node:
        prev = node[last]
        node[last] = [*prev, value] if isinstance(prev, list) else [prev, value]
    else:
        node[last] = value


def accepts_form(op: Operation) -> bool:
    return any(b.media in FORM_MEDIA for b in op.bodies)
