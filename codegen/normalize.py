"""Normalise a merged OpenAPI document so the later stages see one dialect.

Each step is a function of the document that returns a list of notes saying what it changed. The steps:
pseudo-paths with a query string dropped; schema names made Python-safe; `$recursiveRef` resolved; 3.0
`nullable` and 3.1 type arrays unified as `anyOf [X, null]`; `type: object` added where properties imply it;
discriminator mappings added where missing (or the discriminator dropped when a variant has no tag); inline
request/response bodies hoisted into named component schemas; error responses and bearer security added
where the spec lacks them.
"""

from __future__ import annotations

import copy
from typing import Any

from . import names
from .errors import SpecError
from .load import METHODS, resolve_pointer

SCHEMAS = "#/components/schemas/"
ERROR_CODES = {
    "400": ("BadRequest", "The request was malformed or failed validation."),
    "401": ("Unauthorized", "The API key is missing or not recognised."),
    "404": ("NotFound", "The requested object, model or route does not exist."),
    "429": ("TooManyRequests", "A rate limit or queue limit was exceeded."),
    "500": ("InternalServerError", "The server failed unexpectedly."),
    "503": ("ServiceUnavailable", "The server is starting up or overloaded (or a simulated fault was injected)."),
}
# Keys whose values are data, not schemas: never rewritten.
DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "x-oaiMeta", "mapping"})
_ANNOTATIONS = frozenset(
    {"description", "title", "default", "example", "examples", "deprecated", "readOnly", "writeOnly"}
)


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in doc.get("paths", {}).items()
        for method, op in item.items()
        if method in METHODS and isinstance(op, dict)
    ]


def normalize(doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    doc = copy.deepcopy(doc)
    notes: list[str] = []
    for step in (
        upgrade_to_31,
        drop_pseudo_paths,
        inline_component_refs,
        safe_schema_names,
        resolve_recursive_refs,
        unify_nullable,
        add_object_types,
        drop_array_keywords_on_scalars,
        add_discriminator_mappings,
        hoist_inline_bodies,
        add_error_responses,
        add_security,
    ):
        notes += step(doc)
    return doc, notes


def upgrade_to_31(doc: dict[str, Any]) -> list[str]:
    """The output is OpenAPI 3.1 (it uses `type: 'null'`); 3.0's boolean exclusiveMinimum/Maximum become numbers.

    Runs first (it needs the nodes as the author wrote them); nullable is handled by unify_nullable."""
    if str(doc.get("openapi", "")).startswith("3.1"):
        return []
    notes = [f"upgraded openapi {doc.get('openapi')} to 3.1.0"]
    doc["openapi"] = "3.1.0"
    n = 0
    for node in _schema_nodes(doc):
        for excl, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if isinstance(node.get(excl), bool):
                flag = node.pop(excl)
                if flag and bound in node:
                    node[excl] = node.pop(bound)
                n += 1
    if n:
        notes.append(f"converted {n} boolean exclusiveMinimum/exclusiveMaximum to numbers")
    return notes


def drop_pseudo_paths(doc: dict[str, Any]) -> list[str]:
    """`/responses?beta=true` duplicates a real method+path and cannot be routed: drop it."""
    dropped = [p for p in doc.get("paths", {}) if "?" in p]
    for p in dropped:
        del doc["paths"][p]
    return [f"dropped pseudo-path {p}" for p in dropped]


def inline_component_refs(doc: dict[str, Any]) -> list[str]:
    """Parameters and request bodies given by $ref to components are inlined into each operation."""
    n = 0
    for _path, _method, op in operations(doc):
        params = []
        for p in op.get("parameters", []):
            if "$ref" in p:
                p = copy.deepcopy(resolve_pointer(doc, p["$ref"]))
                n += 1
            params.append(p)
        if params:
            op["parameters"] = params
        body = op.get("requestBody")
        if isinstance(body, dict) and "$ref" in body:
            op["requestBody"] = copy.deepcopy(resolve_pointer(doc, body["$ref"]))
            n += 1
    # path-level parameters apply to every operation of the path
    for item in doc.get("paths", {}).values():
        shared = item.pop("parameters", None)
        if shared:
            for method, op in item.items():
                if method in METHODS:
                    have = {(p.get("name"), p.get("in")) for p in op.get("parameters", [])}
                    extra = [copy.deepcopy(resolve_pointer(doc, p["$ref"]) if "$ref" in p else p) for p in shared]
                    op["parameters"] = [p for p in extra if (p.get("name"), p.get("in")) not in have] + op.get(
                        "parameters", []
                    )
                    n += 1
    return [f"inlined {n} component parameter/requestBody references"] if n else []


def _rewrite_refs(o: Any, fn: Any) -> None:
    if isinstance(o, dict):
        for k, v in list(o.items()):
            if k == "$ref" and isinstance(v, str):
                o[k] = fn(v)
            elif k == "mapping" and isinstance(v, dict):
                for tag, ref in v.items():
                    v[tag] = fn(ref)
            else:
                _rewrite_refs(v, fn)
    elif isinstance(o, list):
        for v in o:
            _rewrite_refs(v, fn)


def safe_schema_names(doc: dict[str, Any]) -> list[str]:
    schemas = doc.get("components", {}).get("schemas", {})
    renames: dict[str, str] = {}
    taken = set(schemas)
    for name in list(schemas):
        safe = names.schema_identifier(name)
        if safe == name:
            continue
        cand, i = safe, 2
        while cand in taken:
            cand, i = f"{safe}{i}", i + 1
        renames[name] = cand
        taken.add(cand)
    if not renames:
        return []
    doc["components"]["schemas"] = {renames.get(k, k): v for k, v in schemas.items()}
    _rewrite_refs(
        doc,
        lambda r: SCHEMAS + renames[r[len(SCHEMAS) :]] if r.startswith(SCHEMAS) and r[len(SCHEMAS) :] in renames else r,
    )
    return [f"renamed schema {a} -> {b}" for a, b in sorted(renames.items())]


def resolve_recursive_refs(doc: dict[str, Any]) -> list[str]:
    """`$recursiveRef: '#'` inside a component schema refers to that schema: make it a plain $ref."""
    notes = []
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        found: list[int] = []

        def walk(o: Any, name: str = name, found: list[int] = found) -> None:
            if isinstance(o, dict):
                if o.get("$recursiveRef") == "#" or o.get("$dynamicRef") in ("#", "#meta"):
                    o.pop("$recursiveRef", None)
                    o.pop("$dynamicRef", None)
                    o["$ref"] = SCHEMAS + name
                    found.append(1)
                o.pop("$recursiveAnchor", None)
                o.pop("$dynamicAnchor", None)
                for k, v in o.items():
                    if k not in DATA_KEYS:
                        walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)

        walk(schema)
        if found:
            notes.append(f"resolved $recursiveRef in {name}")
    return notes


# JSON Schema keywords whose values are subschemas: maps of them, single ones, and lists of them.
SUB_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SUB_ONE = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
SUB_LIST = ("anyOf", "oneOf", "allOf", "prefixItems")


def subschemas(s: dict[str, Any]) -> list[Any]:
    """The direct subschemas of a schema (a property named `type` or `properties` is a subschema, its name is not)."""
    kids: list[Any] = []
    for k, v in s.items():
        if k in SUB_MAPS and isinstance(v, dict):
            kids.extend(v.values())
        elif k in SUB_ONE and isinstance(v, dict):
            kids.append(v)
        elif (k in SUB_LIST and isinstance(v, list)) or (k == "items" and isinstance(v, list)):
            kids.extend(v)
    return kids


def _schema_nodes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every schema of the document (component schemas and those inside operations), parents before children."""
    out: list[dict[str, Any]] = []

    def walk(s: Any) -> None:
        if isinstance(s, dict):
            out.append(s)
            for kid in subschemas(s):
                walk(kid)

    def media(content: Any) -> None:
        for m in (content or {}).values():
            if isinstance(m, dict):
                walk(m.get("schema"))

    comps = doc.get("components", {})
    for s in comps.get("schemas", {}).values():
        walk(s)
    for p in comps.get("parameters", {}).values():
        walk(p.get("schema"))
    for r in [*comps.get("responses", {}).values(), *comps.get("requestBodies", {}).values()]:
        media(r.get("content"))
    for item in doc.get("paths", {}).values():
        for p in item.get("parameters", []):
            walk(p.get("schema"))
        for method, op in item.items():
            if method not in METHODS or not isinstance(op, dict):
                continue
            for p in op.get("parameters", []):
                walk(p.get("schema"))
            media((op.get("requestBody") or {}).get("content"))
            for resp in op.get("responses", {}).values():
                if isinstance(resp, dict):
                    media(resp.get("content"))
                    for h in (resp.get("headers") or {}).values():
                        if isinstance(h, dict):
                            walk(h.get("schema"))
    return out


def _nullable_form(node: dict[str, Any]) -> dict[str, Any] | None:
    """The anyOf form of a 3.0-nullable or 3.1-type-array node, or None when it is not nullable."""
    types = node.get("type")
    if node.get("nullable") is True:
        core = {k: v for k, v in node.items() if k != "nullable" and k not in _ANNOTATIONS}
    elif isinstance(types, list) and "null" in types:
        rest = [t for t in types if t != "null"]
        core = {k: v for k, v in node.items() if k not in _ANNOTATIONS}
        if not rest:
            return {**{k: v for k, v in node.items() if k != "type"}, "type": "null"}
        core["type"] = rest[0] if len(rest) == 1 else rest
    else:
        return None
    if "enum" in core and None in core["enum"]:
        core["enum"] = [e for e in core["enum"] if e is not None]
    outer = {k: v for k, v in node.items() if k in _ANNOTATIONS}
    if not core:
        return None if node.get("nullable") is not True else {**outer}
    return {**outer, "anyOf": [core, {"type": "null"}]}


def _bare_nullable(m: Any) -> bool:
    """An allOf member that only says `nullable: true` (the 3.0 idiom `allOf: [{$ref: X}, {nullable: true}]`)."""
    return isinstance(m, dict) and m.get("nullable") is True and set(m) <= {"nullable", *_ANNOTATIONS}


def unify_nullable(doc: dict[str, Any]) -> list[str]:
    n = 0
    for node in _schema_nodes(doc):
        members = node.get("allOf")
        if isinstance(members, list) and any(_bare_nullable(m) for m in members):
            rest = [m for m in members if not _bare_nullable(m)]
            del node["allOf"]
            if rest:
                node["nullable"] = True
                if len(rest) == 1 and not any(k in node for k in ("type", "properties", "anyOf", "oneOf")):
                    node.update({k: v for k, v in rest[0].items() if k not in node or k == "$ref"})
                else:
                    node["allOf"] = rest
        if "nullable" in node and node.get("nullable") is not True and not isinstance(node.get("nullable"), dict):
            del node["nullable"]  # nullable: false is the default
        if isinstance(node.get("type"), list) and len(node["type"]) == 1:
            node["type"] = node["type"][0]
        new = _nullable_form(node)
        if new is not None:
            node.clear()
            node.update(new)
            n += 1
    return [f"unified {n} nullable schemas as anyOf [X, null]"] if n else []


def add_object_types(doc: dict[str, Any]) -> list[str]:
    n = 0
    for node in _schema_nodes(doc):
        if (
            isinstance(node.get("properties"), dict)
            and "type" not in node
            and not any(k in node for k in ("allOf", "anyOf", "oneOf", "$ref"))
        ):
            node["type"] = "object"
            n += 1
    return [f"added type: object to {n} schemas with properties"] if n else []


def drop_array_keywords_on_scalars(doc: dict[str, Any]) -> list[str]:
    """JSON Schema ignores array keywords on a schema that admits no array (upstream writes `{type: string,
    minItems: 1}` for the items of a query list); datamodel-code-generator would turn them into length limits."""
    n = 0
    for node in _schema_nodes(doc):
        t = node.get("type")
        types = set(t) if isinstance(t, list) else {t} if isinstance(t, str) else set()
        if types and "array" not in types:
            for key in ("minItems", "maxItems", "uniqueItems"):
                if node.pop(key, None) is not None:
                    n += 1
    return [f"dropped {n} array keywords from schemas that admit no array"] if n else []


def _variant_tags(doc: dict[str, Any], variant: dict[str, Any], prop: str, depth: int = 0) -> list[str] | None:
    """The tag values a union variant declares for `prop` (enum or const), following $ref and allOf."""
    if depth > 8:
        return None
    if "$ref" in variant:
        target = resolve_pointer(doc, variant["$ref"])
        return _variant_tags(doc, target, prop, depth + 1) if isinstance(target, dict) else None
    p = variant.get("properties", {}).get(prop)
    if isinstance(p, dict):
        if "$ref" in p:
            p = resolve_pointer(doc, p["$ref"]) or {}
        if "const" in p and isinstance(p["const"], str):
            return [p["const"]]
        if isinstance(p.get("enum"), list) and p["enum"] and all(isinstance(v, str) for v in p["enum"]):
            return list(p["enum"])
        return None
    for member in variant.get("allOf", []):
        tags = _variant_tags(doc, member, prop, depth + 1)
        if tags:
            return tags
    return None


def add_discriminator_mappings(doc: dict[str, Any]) -> list[str]:
    notes = []
    for node in _schema_nodes(doc):
        disc = node.get("discriminator")
        if not isinstance(disc, dict):
            continue
        variants = node.get("oneOf") or node.get("anyOf")
        prop = disc.get("propertyName")
        if not variants or not prop:
            del node["discriminator"]
            notes.append(f"dropped a discriminator on {prop!r} with no oneOf/anyOf")
            continue
        mapping: dict[str, str] = {}
        ok = True
        for v in variants:
            if "$ref" not in v:
                ok = False
                break
            tags = _variant_tags(doc, v, prop)
            if not tags:
                ok = False
                break
            for t in tags:
                if t in mapping and mapping[t] != v["$ref"]:
                    ok = False
                mapping.setdefault(t, v["$ref"])
        if not ok:
            del node["discriminator"]
            notes.append(f"dropped discriminator on {prop!r}: a variant has no enumerable tag")
            continue
        if disc.get("mapping") != mapping:
            disc["mapping"] = mapping
            notes.append(f"set discriminator mapping on {prop!r} ({len(mapping)} tags)")
    return notes


def _is_raw(schema: dict[str, Any], media: str) -> bool:
    """A body that is bytes or text on the wire (audio, video, SDP, zip), not a JSON document or a form."""
    if "json" in media or media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return False
    return "$ref" not in schema


def _unique(schemas: dict[str, Any], base: str) -> str:
    cand, i = base, 2
    while cand in schemas:
        cand, i = f"{base}{i}", i + 1
    return cand


def hoist_inline_bodies(doc: dict[str, Any]) -> list[str]:
    """Give every JSON/form request and response body a named component schema, so each has a model."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    notes = []
    for path, method, op in sorted(operations(doc), key=lambda t: (t[0], t[1])):
        oid = op.get("operationId") or f"{method}{path}"
        base = names.pascal(oid)
        for media, body in (op.get("requestBody") or {}).get("content", {}).items():
            s = body.get("schema")
            if isinstance(s, dict) and "$ref" not in s and not _is_raw(s, media):
                name = _unique(schemas, f"{base}Request")
                schemas[name] = s
                body["schema"] = {"$ref": SCHEMAS + name}
                notes.append(f"hoisted request body of {method.upper()} {path} ({media}) as {name}")
        for status, resp in op.get("responses", {}).items():
            if not isinstance(resp, dict) or "$ref" in resp:
                continue
            for media, body in resp.get("content", {}).items():
                s = body.get("schema")
                if isinstance(s, dict) and "$ref" not in s and not _is_raw(s, media) and "event-stream" not in media:
                    name = _unique(schemas, f"{base}Response")
                    schemas[name] = s
                    body["schema"] = {"$ref": SCHEMAS + name}
                    notes.append(f"hoisted {status} response of {method.upper()} {path} ({media}) as {name}")
    return notes


_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "message": {"type": "string"},
        "param": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "type": {"type": "string"},
    },
    "required": ["type", "message", "param", "code"],
}


def add_error_responses(doc: dict[str, Any]) -> list[str]:
    comps = doc.setdefault("components", {})
    schemas = comps.setdefault("schemas", {})
    responses = comps.setdefault("responses", {})
    notes = []
    if "Error" not in schemas:
        schemas["Error"] = copy.deepcopy(_ERROR_SCHEMA)
        notes.append("added schema Error")
    if "ErrorResponse" not in schemas:
        schemas["ErrorResponse"] = {
            "type": "object",
            "properties": {"error": {"$ref": SCHEMAS + "Error"}},
            "required": ["error"],
        }
        notes.append("added schema ErrorResponse")
    for name, desc in ERROR_CODES.values():
        if name not in responses:
            responses[name] = {
                "description": desc,
                "content": {"application/json": {"schema": {"$ref": SCHEMAS + "ErrorResponse"}}},
            }
            notes.append(f"added response {name}")
    added = 0
    for _path, _method, op in operations(doc):
        for code, (name, _desc) in ERROR_CODES.items():
            if code not in op["responses"]:
                op["responses"][code] = {"$ref": f"#/components/responses/{name}"}
                added += 1
    if added:
        notes.append(f"documented {added} missing error responses")
    return notes


def add_security(doc: dict[str, Any]) -> list[str]:
    comps = doc.setdefault("components", {})
    schemes = comps.setdefault("securitySchemes", {})
    notes = []
    if not schemes:
        schemes["ApiKeyAuth"] = {"type": "http", "scheme": "bearer"}
        notes.append("added bearer security scheme ApiKeyAuth")
    if "security" not in doc:
        doc["security"] = [{next(iter(schemes)): []}]
        notes.append("added global security")
    for path, method, op in operations(doc):
        for req in op.get("security", doc["security"]):
            for scheme in req:
                if scheme not in schemes:
                    raise SpecError(f"security scheme {scheme!r} is not defined", f"{method.upper()} {path}")
    return notes
