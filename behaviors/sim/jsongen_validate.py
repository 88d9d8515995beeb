"""A compact JSON Schema validator (the instance side) used by jsongen to check what it generated.

Covers drafts 4 to 2020-12 at once, taking the stricter reading where they differ, so a value it accepts is
valid under any of them: type, enum, const, numeric bounds (both ``exclusiveMinimum`` forms) and multipleOf
(same float rule as the ``jsonschema`` package), string lengths, pattern (ECMA syntax translated), the formats of
:mod:`fakeai.behaviors.sim.jsongen_formats`, items / prefixItems / additionalItems, contains (+min/max),
uniqueItems, properties / patternProperties / additionalProperties, required, propertyNames, min/max
properties, dependencies / dependentRequired / dependentSchemas, allOf / anyOf / oneOf / not, if-then-else,
unevaluatedProperties / unevaluatedItems, and local ``$ref`` (siblings of ``$ref`` apply too).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from fakeai.behaviors.sim.jsongen_formats import FORMAT_CHECKS
from fakeai.behaviors.sim.jsongen_refs import REF_KEYS, UNRESOLVED, SchemaDoc
from fakeai.behaviors.sim.jsongen_regex import compile_pattern

__all__ = ["Validator", "is_number", "json_equal", "json_key", "multiple_ok", "type_ok"]

_MAX_DEPTH = 200  # nested subschema applications (a $ref cycle that never consumes the instance stops here)
_VALUE_KEYS = frozenset({"enum", "const"})
_STRING_KEYS = frozenset({"minLength", "maxLength", "pattern", "format"})
_NUMBER_KEYS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})
_ARRAY_KEYS = frozenset({"minItems", "maxItems", "uniqueItems", "items", "prefixItems", "contains"})
_OBJECT_KEYS = frozenset(
    {"required", "minProperties", "maxProperties", "properties", "patternProperties", "additionalProperties"}
    | {"propertyNames", "dependentRequired", "dependentSchemas", "dependencies"}
)
_LOGIC_KEYS = frozenset(
    {*REF_KEYS, "allOf", "anyOf", "oneOf", "not", "if", "unevaluatedProperties", "unevaluatedItems"}
)


def is_number(x: Any) -> bool:
    """A JSON number (bool excluded)."""
    return isinstance(x, int | float) and not isinstance(x, bool)


_TYPES = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "null": lambda x: x is None,
    "boolean": lambda x: isinstance(x, bool),
    "number": is_number,
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer()),
}


def type_ok(x: Any, t: Any) -> bool:
    """Whether ``x`` has JSON type ``t`` (a name or a list of names)."""
    if isinstance(t, str):
        check = _TYPES.get(t)
        return check is not None and check(x)
    if isinstance(t, list):
        return any(type_ok(x, one) for one in t)
    return True


def json_key(x: Any) -> Any:
    """A hashable key equal for JSON-equal values (1 == 1.0, True != 1)."""
    if isinstance(x, bool) or x is None:
        return ("b", x)
    if isinstance(x, list):
        return ("l", tuple(json_key(v) for v in x))
    if isinstance(x, dict):
        return ("d", frozenset((k, json_key(v)) for k, v in x.items()))
    return x


def json_equal(a: Any, b: Any) -> bool:
    return a is b or json_key(a) == json_key(b)


def multiple_ok(x: float, m: float) -> bool:
    """``x`` is a multiple of ``m`` by the rule of the ``jsonschema`` package (float quotient, exact fallback)."""
    if isinstance(m, float):
        try:
            q = x / m
            return int(q) == q
        except (OverflowError, ValueError, ZeroDivisionError):
            try:
                return (Fraction(x) / Fraction(m)).denominator == 1
            except (ValueError, ZeroDivisionError, OverflowError):
                return False
    try:
        return x % m == 0
    except (ZeroDivisionError, OverflowError):
        return False


def _number_ok(x: float, s: dict[str, Any]) -> bool:
    get: Any = s.get  # keyword values are untyped JSON
    lo, hi, elo, ehi = get("minimum"), get("maximum"), get("exclusiveMinimum"), get("exclusiveMaximum")
    if is_number(lo) and (x < lo or (elo is True and x == lo)):
        return False
    if is_number(hi) and (x > hi or (ehi is True and x == hi)):
        return False
    if is_number(elo) and x <= elo:
        return False
    if is_number(ehi) and x >= ehi:
        return False
    m = get("multipleOf")
    return not (is_number(m) and m > 0 and not multiple_ok(x, m))


def _string_ok(x: str, s: dict[str, Any]) -> bool:
    get: Any = s.get
    n, lo, hi = len(x), get("minLength"), get("maxLength")
    if (is_number(lo) and n < lo) or (is_number(hi) and n > hi):
        return False
    pattern = s.get("pattern")
    if isinstance(pattern, str):
        rx = compile_pattern(pattern)
        if rx is not None and rx.search(x) is None:
            return False
    fmt = s.get("format")
    check = FORMAT_CHECKS.get(fmt) if isinstance(fmt, str) else None
    return check is None or check(x)


class Validator:
    """Validates instances against the schemas of one :class:`SchemaDoc` (thread-safe, no state per call)."""

    __slots__ = ("doc",)

    def __init__(self, doc: SchemaDoc) -> None:
        self.doc = doc

    def valid(self, x: Any, schema: Any = UNRESOLVED, depth: int = 0) -> bool:
        """Whether ``x`` is valid for ``schema`` (default: the document root)."""
        s = self.doc.root if schema is UNRESOLVED else schema
        if s is True or not isinstance(s, dict):
            return s is not False
        if depth > _MAX_DEPTH:
            return False
        d = depth + 1
        t = s.get("type")
        if t is not None and not type_ok(x, t):
            return False
        if not _VALUE_KEYS.isdisjoint(s):
            enum = s.get("enum")
            if isinstance(enum, list) and not any(json_equal(x, e) for e in enum):
                return False
            if "const" in s and not json_equal(x, s["const"]):
                return False
        if isinstance(x, str):
            if not _STRING_KEYS.isdisjoint(s) and not _string_ok(x, s):
                return False
        elif isinstance(x, dict):
            if not _OBJECT_KEYS.isdisjoint(s) and not self._object_ok(x, s, d):
                return False
        elif isinstance(x, list):
            if not _ARRAY_KEYS.isdisjoint(s) and not self._array_ok(x, s, d):
                return False
        elif is_number(x) and not _NUMBER_KEYS.isdisjoint(s) and not _number_ok(x, s):
            return False
        if _LOGIC_KEYS.isdisjoint(s):
            return True
        for key in REF_KEYS:
            if key in s and not self.valid(x, self.doc.resolve(s[key]), d):
                return False
        return self._logic_ok(x, s, d)

    def _logic_ok(self, x: Any, s: dict[str, Any], d: int) -> bool:
        valid = self.valid
        all_of, any_of, one_of = s.get("allOf"), s.get("anyOf"), s.get("oneOf")
        if isinstance(all_of, list) and not all(valid(x, sub, d) for sub in all_of):
            return False
        if isinstance(any_of, list) and not any(valid(x, sub, d) for sub in any_of):
            return False
        if isinstance(one_of, list) and sum(1 for sub in one_of if valid(x, sub, d)) != 1:
            return False
        if "not" in s and valid(x, s["not"], d):
            return False
        if "if" in s:
            branch = s.get("then", True) if valid(x, s["if"], d) else s.get("else", True)
            if not valid(x, branch, d):
                return False
        if "unevaluatedProperties" in s and isinstance(x, dict):
            seen = self._evaluated(x, s, d, True)
            if not all(valid(v, s["unevaluatedProperties"], d) for k, v in x.items() if k not in seen):
                return False
        if "unevaluatedItems" in s and isinstance(x, list):
            seen = self._evaluated(x, s, d, True)
            if not all(valid(v, s["unevaluatedItems"], d) for i, v in enumerate(x) if i not in seen):
                return False
        return True

    def _array_ok(self, x: list[Any], s: dict[str, Any], d: int) -> bool:
        get: Any = s.get
        n, lo, hi = len(x), get("minItems"), get("maxItems")
        if (is_number(lo) and n < lo) or (is_number(hi) and n > hi):
            return False
        if s.get("uniqueItems") is True and len({json_key(v) for v in x}) != n:
            return False
        items = s.get("items")
        prefix: list[Any]
        if isinstance(items, list):
            prefix, rest = items, s.get("additionalItems", True)
        else:
            given = s.get("prefixItems")
            prefix = given if isinstance(given, list) else []
            rest = True if items is None else items
        for i, v in enumerate(x):
            if not self.valid(v, prefix[i] if i < len(prefix) else rest, d):
                return False
        if "contains" in s:
            hits = sum(1 for v in x if self.valid(v, s["contains"], d))
            least, most = get("minContains", 1), get("maxContains")
            if (is_number(least) and hits < least) or (is_number(most) and hits > most):
                return False
        return True

    def _object_ok(self, x: dict[str, Any], s: dict[str, Any], d: int) -> bool:
        valid = self.valid
        required = s.get("required")
        if isinstance(required, list) and not all(r in x for r in required if isinstance(r, str)):
            return False
        get: Any = s.get
        lo, hi = get("minProperties"), get("maxProperties")
        if (is_number(lo) and len(x) < lo) or (is_number(hi) and len(x) > hi):
            return False
        props = s.get("properties")
        props = props if isinstance(props, dict) else {}
        patterns = s.get("patternProperties")
        compiled = (
            [(compile_pattern(p), sub) for p, sub in patterns.items() if isinstance(p, str)]
            if isinstance(patterns, dict)
            else []
        )
        extra = s.get("additionalProperties", True)
        names = s.get("propertyNames", True)
        for k, v in x.items():
            if names is not True and not valid(k, names, d):
                return False
            matched = k in props
            if matched and not valid(v, props[k], d):
                return False
            for rx, sub in compiled:
                if rx is not None and rx.search(k):
                    matched = True
                    if not valid(v, sub, d):
                        return False
            if not matched and extra is not True and not valid(v, extra, d):
                return False
        for key in ("dependentRequired", "dependentSchemas", "dependencies"):
            deps = s.get(key)
            if isinstance(deps, dict):
                for k, dep in deps.items():
                    if k not in x:
                        continue
                    if isinstance(dep, list):
                        if not all(r in x for r in dep if isinstance(r, str)):
                            return False
                    elif not valid(x, dep, d):
                        return False
        return True

    def _evaluated(self, x: Any, s: Any, d: int, top: bool = False) -> set[Any]:
        """Property names (object) or item indexes (array) of ``x`` that ``s`` evaluates (for unevaluated*)."""
        if not isinstance(s, dict) or d > _MAX_DEPTH:
            return set()
        is_obj = isinstance(x, dict)
        everything = set(x) if is_obj else set(range(len(x)))
        if is_obj:
            if "additionalProperties" in s or (not top and "unevaluatedProperties" in s):
                return everything
            props = s.get("properties")
            out = {k for k in x if k in props} if isinstance(props, dict) else set()
            patterns = s.get("patternProperties")
            for p in patterns if isinstance(patterns, dict) else ():
                rx = compile_pattern(p)
                out |= {k for k in x if rx is not None and rx.search(k)}
        else:
            items = s.get("items")
            if (items is not None and not isinstance(items, list)) or "additionalItems" in s:
                return everything
            if not top and "unevaluatedItems" in s:
                return everything
            prefix = items if isinstance(items, list) else s.get("prefixItems")
            out = set(range(min(len(x), len(prefix)))) if isinstance(prefix, list) else set()
            if "contains" in s:
                out |= {i for i, v in enumerate(x) if self.valid(v, s["contains"], d)}
        lists = {key: v if isinstance(v := s.get(key), list) else [] for key in ("allOf", "anyOf", "oneOf")}
        subs: list[Any] = list(lists["allOf"])
        subs += [sub for key in ("anyOf", "oneOf") for sub in lists[key] if self.valid(x, sub, d)]
        subs += [self.doc.resolve(s[key]) for key in REF_KEYS if key in s]
        if "if" in s:
            subs += [s["if"], s.get("then")] if self.valid(x, s["if"], d) else [s.get("else")]
        deps = s.get("dependentSchemas")
        if is_obj and isinstance(deps, dict):
            subs += [sub for k, sub in deps.items() if k in x]
        for sub in subs:
            out |= self._evaluated(x, sub, d + 1)
        return out
