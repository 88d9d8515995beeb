"""The intermediate representation: one frozen record per operation, computed from a normalised document.

Templates format these records and compute nothing. The runtime reads the same records back from
generated/operations.py, so it never parses YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import names
from .errors import SpecError
from .load import resolve_pointer
from .normalize import SCHEMAS, operations

JSON_MEDIA = ("application/json",)
FORM_MEDIA = ("multipart/form-data", "application/x-www-form-urlencoded")


@dataclass(frozen=True)
class Param:
    """A path or query parameter. kind: scalar | array | object (deepObject)."""

    name: str
    location: str
    required: bool
    kind: str = "scalar"


@dataclass(frozen=True)
class Body:
    """One accepted request media type and the model that validates it (None: raw bytes)."""

    media: str
    model: str | None
    schema: str | None


@dataclass(frozen=True)
class Media:
    """One media type of a response: its schema pointer, its model class (None for binary/SSE) and kind."""

    media: str
    schema: str | None
    model: str | None
    kind: str  # json | sse | binary | text


@dataclass(frozen=True)
class Response:
    status: str
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class Operation:
    operation_id: str
    py_name: str
    method: str
    path: str
    route_path: str
    tags: tuple[str, ...] = ()
    summary: str = ""
    bodies: tuple[Body, ...] = ()
    body_required: bool = False
    params_model: str | None = None
    params: tuple[Param, ...] = ()
    responses: tuple[Response, ...] = ()
    security: tuple[tuple[str, ...], ...] = ()
    extension: bool = False
    extra: tuple[tuple[str, Any], ...] = field(default=())

    @property
    def success(self) -> Response:
        for r in self.responses:
            if r.status.startswith("2"):
                return r
        return self.responses[0]

    @property
    def streams(self) -> bool:
        return any(m.kind == "sse" for m in self.success.media)

    @property
    def multipart(self) -> bool:
        return any(b.media in FORM_MEDIA for b in self.bodies)


def _ref_name(schema: Any) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"].startswith(SCHEMAS):
        return str(schema["$ref"][len(SCHEMAS) :])
    return None


def _param_kind(doc: dict[str, Any], schema: dict[str, Any]) -> str:
    s = schema
    for _ in range(8):
        if "$ref" in s:
            s = resolve_pointer(doc, s["$ref"]) or {}
        elif "anyOf" in s or "oneOf" in s:
            alts = [a for a in s.get("anyOf", s.get("oneOf", [])) if a.get("type") != "null"]
            if len(alts) != 1:
                break
            s = alts[0]
        else:
            break
    t = s.get("type")
    return "array" if t == "array" else "object" if t == "object" else "scalar"


def _sse_payload(schema: dict[str, Any]) -> str | None:
    """The payload schema of an SSE media type: a plain $ref (one event's JSON), or the `contentSchema` of the
    `data` field when the schema describes the event record (event/data, as OpenAPI 3.2 and our spec do)."""
    if "$ref" in schema:
        return str(schema["$ref"])
    data = schema.get("properties", {}).get("data", {})
    for cand in (data, *data.get("anyOf", []), *data.get("oneOf", [])):
        content = cand.get("contentSchema") if isinstance(cand, dict) else None
        if isinstance(content, dict) and "$ref" in content:
            return str(content["$ref"])
    return None


def _media_kind(media: str) -> str:
    if media == "text/event-stream":
        return "sse"
    if "json" in media:
        return "json"
    if media.startswith("text/"):
        return "text"
    return "binary"


def params_schemas(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Synthetic object schemas, one per operation with path/query parameters, to validate them with a model."""
    out: dict[str, dict[str, Any]] = {}
    taken = set(doc.get("components", {}).get("schemas", {}))
    for _path, method, op in sorted(operations(doc), key=lambda t: (t[0], t[1])):
        params = [p for p in op.get("parameters", []) if p.get("in") in ("path", "query") and "name" in p]
        if not params:
            continue
        name = _params_model_name(op, method, _path, taken)
        out[name] = {
            "type": "object",
            "properties": {p["name"]: p.get("schema", {"type": "string"}) for p in params},
            "required": sorted(p["name"] for p in params if p.get("required") or p.get("in") == "path"),
        }
    return out


def _params_model_name(op: dict[str, Any], method: str, path: str, taken: set[str]) -> str:
    base = names.pascal(op.get("operationId") or f"{method}{path}") + "Params"
    cand, i = base, 2
    while cand in taken:
        cand, i = f"{base}{i}", i + 1
    taken.add(cand)
    return cand


def build(doc: dict[str, Any]) -> tuple[Operation, ...]:
    """The operation table of a normalised document, sorted so literal path segments precede parameters."""
    seen_ids: dict[str, str] = {}
    seen_py: dict[str, str] = {}
    params_names = {}
    taken = set(doc.get("components", {}).get("schemas", {}))
    for path, method, op in sorted(operations(doc), key=lambda t: (t[0], t[1])):
        if any(p.get("in") in ("path", "query") for p in op.get("parameters", [])):
            params_names[(path, method)] = _params_model_name(op, method, path, taken)
    global_security = doc.get("security", [])
    ops = []
    for path, method, op in operations(doc):
        where = f"{method.upper()} {path}"
        oid = op.get("operationId")
        if not oid or not isinstance(oid, str):
            raise SpecError("operation has no operationId", where)
        if oid in seen_ids:
            raise SpecError(f"operationId {oid!r} is used twice (also {seen_ids[oid]})", where)
        seen_ids[oid] = where
        py = names.snake(oid)
        if py in names.RESERVED:
            py += "_op"
        if py in seen_py:
            raise SpecError(f"operationId {oid!r} gives Python name {py!r}, which {seen_py[py]} also gives", where)
        seen_py[py] = oid
        params = tuple(
            Param(
                name=p["name"],
                location=p["in"],
                required=bool(p.get("required")) or p["in"] == "path",
                kind=_param_kind(doc, p.get("schema", {})),
            )
            for p in op.get("parameters", [])
            if p.get("in") in ("path", "query") and "name" in p
        )
        path_names = {p.name for p in params if p.location == "path"}
        declared = set(names_in_path(path))
        if declared != path_names:
            raise SpecError(
                f"path parameters {sorted(declared)} do not match the declared ones {sorted(path_names)}", where
            )
        # Model ids such as "openai/gpt-oss-120b" carry a slash: a path parameter named `model` takes the rest.
        greedy = frozenset(n for n in path_names if n == "model" and path.endswith("{" + n + "}"))
        body = op.get("requestBody") or {}
        bodies = tuple(
            Body(media=media, model=_ref_name(m.get("schema")), schema=(m.get("schema") or {}).get("$ref"))
            for media, m in sorted(body.get("content", {}).items())
        )
        responses = []
        for status, resp in sorted(op["responses"].items()):
            if isinstance(resp, dict) and "$ref" in resp:
                resp = resolve_pointer(doc, resp["$ref"]) or {}
            media = tuple(
                Media(
                    media=mt,
                    schema=_sse_payload(m.get("schema") or {})
                    if mt == "text/event-stream"
                    else (m.get("schema") or {}).get("$ref"),
                    model=_ref_name(m.get("schema")) if _media_kind(mt) == "json" else None,
                    kind=_media_kind(mt),
                )
                for mt, m in sorted((resp.get("content") or {}).items())
            )
            responses.append(Response(status=str(status), media=media))
        security = tuple(tuple(sorted(req)) for req in op.get("security", global_security))
        ops.append(
            Operation(
                operation_id=oid,
                py_name=py,
                method=method.upper(),
                path=path,
                route_path=names.route_path(path, greedy),
                tags=tuple(op.get("tags", [])),
                summary=" ".join(str(op.get("summary", "")).split())[:200],
                bodies=bodies,
                body_required=bool(body.get("required")),
                params_model=params_names.get((path, method)),
                params=params,
                responses=tuple(responses),
                security=security,
                extension=bool(op.get("x-fakeai-extension")),
            )
        )
    ops.sort(key=lambda o: names.path_sort_key(o.route_path, o.method))
    return tuple(ops)


def names_in_path(path: str) -> list[str]:
    import re

    return re.findall(r"\{([^}/]+)\}", path)


def model_names(ops: tuple[Operation, ...]) -> set[str]:
    """Every model class the operation table refers to."""
    out: set[str] = set()
    for op in ops:
        out.update(b.model for b in op.bodies if b.model)
        if op.params_model:
            out.add(op.params_model)
        for r in op.responses:
            out.update(m.model for m in r.media if m.model)
    return out
