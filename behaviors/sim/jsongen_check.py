"""Is this a usable JSON Schema?  :func:`check_schema` answers None or a short message naming the place.

Only real invalidity is reported (so a server can answer 400): a keyword of the wrong JSON type, an unknown
``type`` name, a bad regex in ``pattern`` / ``patternProperties``, an empty ``enum`` / ``allOf`` / ``anyOf`` /
``oneOf``, a negative length or count, a ``multipleOf`` that is not positive, bounds that leave no value
(``minimum`` > ``maximum`` and the like), a ``$ref`` that does not resolve locally, and a ``$ref`` cycle that
never descends into a property or item (validation would not terminate). Unknown keywords are allowed, and so is
``required`` naming a property that ``properties`` does not describe. Places read like ``properties.age``,
``anyOf[1]``, ``$defs.Pet.items``; the top is "the root".
"""

from __future__ import annotations

from typing import Any

from fakeai.behaviors.sim.jsongen_refs import IN_PLACE_KEYS, REF_KEYS, UNRESOLVED, SchemaDoc, join_path, subschemas
from fakeai.behaviors.sim.jsongen_regex import compile_pattern
from fakeai.behaviors.sim.jsongen_validate import is_number

__all__ = ["check_schema"]

TYPE_NAMES = frozenset({"null", "boolean", "integer", "number", "string", "array", "object"})
_COUNTS = (
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "minContains",
    "maxContains",
)
_BOUNDS = (
    ("minLength", "maxLength"),
    ("minItems", "maxItems"),
    ("minProperties", "maxProperties"),
    ("minContains", "maxContains"),
    ("minimum", "maximum"),
)
_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_MAX_NESTING = 120


def _at(path: str) -> str:
    return f"at {path}" if path else "at the root"


def _number(value: Any) -> float | None:
    return value if is_number(value) else None


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _type_error(t: Any) -> str | None:
    names = [t] if isinstance(t, str) else t if _is_strings(t) else None
    if names is None:
        return "'type' must be a string or array of strings"
    for name in names:
        if name not in TYPE_NAMES:
            return f"unknown type {name!r} (expected one of {', '.join(sorted(TYPE_NAMES))})"
    if len(set(names)) != len(names):
        return "'type' lists a type twice"
    return None


def _keyword_error(s: dict[str, Any], doc: SchemaDoc) -> str | None:
    if "type" in s and (err := _type_error(s["type"])):
        return err
    if "enum" in s and (not isinstance(s["enum"], list) or not s["enum"]):
        return "'enum' must be a non-empty array"
    if "required" in s:
        req = s["required"]
        if not _is_strings(req):
            return "'required' must be an array of strings"
        if len(set(req)) != len(req):
            return "'required' lists a property twice"
    for key in _COUNTS:
        v = _number(s.get(key))
        if key in s and not (v is not None and v >= 0 and float(v).is_integer()):
            return f"{key!r} must be a non-negative integer"
    for key in ("minimum", "maximum"):
        if key in s and not is_number(s[key]):
            return f"{key!r} must be a number"
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        if key in s and not (is_number(s[key]) or isinstance(s[key], bool)):
            return f"{key!r} must be a number"
    if "multipleOf" in s and not (is_number(s["multipleOf"]) and s["multipleOf"] > 0):
        return "'multipleOf' must be a number greater than 0"
    for key in ("pattern", "format", "$anchor", "$id", "$schema"):
        if key in s and not isinstance(s[key], str):
            return f"{key!r} must be a string"
    if "pattern" in s and compile_pattern(s["pattern"]) is None:
        return f"invalid regular expression {s['pattern']!r} in 'pattern'"
    for key in ("uniqueItems",):
        if key in s and not isinstance(s[key], bool):
            return f"{key!r} must be a boolean"
    for key in _MAPS:
        if key in s and not isinstance(s[key], dict):
            return f"{key!r} must be an object"
    for p in s.get("patternProperties") or ():
        if compile_pattern(p) is None:
            return f"invalid regular expression {p!r} in 'patternProperties'"
    for key in _SCHEMA_LISTS:
        if key in s and (not isinstance(s[key], list) or not s[key]):
            return f"{key!r} must be a non-empty array of schemas"
    if "prefixItems" in s and not isinstance(s["prefixItems"], list):
        return "'prefixItems' must be an array of schemas"
    for key in ("dependentRequired", "dependencies"):
        deps = s.get(key)
        if key in s and not isinstance(deps, dict):
            return f"{key!r} must be an object"
        for name, dep in (deps or {}).items():
            if (key == "dependentRequired" or isinstance(dep, list)) and not _is_strings(dep):
                return f"{key}.{name} must be an array of strings"
    for key in REF_KEYS:
        if key in s:
            if not isinstance(s[key], str):
                return f"{key!r} must be a string"
            if doc.resolve(s[key]) is UNRESOLVED:
                return f"unresolvable {key} {s[key]!r}"
    return _bounds_error(s)


def _bounds_error(s: dict[str, Any]) -> str | None:
    for lo_key, hi_key in _BOUNDS:
        lo, hi = _number(s.get(lo_key)), _number(s.get(hi_key))
        if lo is not None and hi is not None and lo > hi:
            return f"{lo_key!r} ({lo:g}) is greater than {hi_key!r} ({hi:g})"
    elo, ehi = s.get("exclusiveMinimum"), s.get("exclusiveMaximum")
    lows = [(v, k) for k in ("exclusiveMinimum", "minimum") if (v := _number(s.get(k))) is not None]
    highs = [(v, k) for k in ("exclusiveMaximum", "maximum") if (v := _number(s.get(k))) is not None]
    for low, low_key in lows:
        for high, high_key in highs:
            strict = low_key.startswith("exclusive") or high_key.startswith("exclusive")
            strict = strict or (low_key == "minimum" and elo is True) or (high_key == "maximum" and ehi is True)
            if low > high or (strict and low == high):
                return f"{low_key!r} ({low:g}) leaves no number below {high_key!r} ({high:g})"
    return None


def _walk(s: Any, path: str, doc: SchemaDoc, depth: int) -> str | None:
    if isinstance(s, bool):
        return None
    if not isinstance(s, dict):
        return f"a schema must be an object or a boolean {_at(path)}"
    if depth > _MAX_NESTING:
        return f"schema nested too deeply {_at(path)}"
    if err := _keyword_error(s, doc):
        return f"{err} {_at(path)}"
    for _, rel, sub in subschemas(s):
        if err := _walk(sub, join_path(path, rel), doc, depth + 1):
            return err
    return None


def _in_place(s: dict[str, Any], path: str, doc: SchemaDoc) -> list[tuple[str, str, Any]]:
    """(path, $ref followed or "", subschema) of the subschemas applied to the same instance as ``s``."""
    out = [(_pointer_path(s[k]), str(s[k]), doc.resolve(s[k])) for k in REF_KEYS if isinstance(s.get(k), str)]
    out += [(join_path(path, rel), "", sub) for key, rel, sub in subschemas(s) if key in IN_PLACE_KEYS]
    return out


def _pointer_path(ref: str) -> str:
    return ref[2:].replace("/", ".") if ref.startswith("#/") else "" if ref == "#" else ref


def _cycle(s: Any, path: str, doc: SchemaDoc, colour: dict[int, int], depth: int, via: str) -> str | None:
    if not isinstance(s, dict) or depth > 400:
        return None
    state = colour.get(id(s), 0)
    if state == 1:
        return f"circular $ref {via!r} {_at(path)}: the schema includes itself without nesting into a property or item"
    if state == 2:
        return None
    colour[id(s)] = 1
    for sub_path, ref, sub in _in_place(s, path, doc):
        if err := _cycle(sub, sub_path, doc, colour, depth + 1, ref or via):
            return err
    colour[id(s)] = 2
    return None


def check_schema(schema: Any) -> str | None:
    """None when ``schema`` is a usable JSON Schema, else a short message naming the problem and its place."""
    if not isinstance(schema, dict | bool):
        return "a schema must be an object or a boolean at the root"
    doc = SchemaDoc(schema)
    if err := _walk(schema, "", doc, 0):
        return err
    colour: dict[int, int] = {}
    seen: set[int] = set()
    todo: list[tuple[Any, str]] = [(schema, "")]
    while todo:
        s, path = todo.pop()
        if not isinstance(s, dict) or id(s) in seen:
            continue
        seen.add(id(s))
        if err := _cycle(s, path, doc, colour, 0, ""):
            return err
        todo += [(sub, join_path(path, rel)) for key, rel, sub in subschemas(s) if key not in ("$defs", "definitions")]
        todo += [(doc.resolve(s[key]), str(s[key])) for key in REF_KEYS if key in s]
    return None
