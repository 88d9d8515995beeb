"""A fast deterministic structural generator: schema-valid JSON values from a schema and a random.Random.

Used where Hypothesis is too slow: to fill the fields a behaviour leaves unset (`complete`), and to answer
operations whose response schema had no pre-drawn example (`value`). Pure logic; microseconds per value.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import math
import random
import re
import uuid
from dataclasses import dataclass, field
from re import _parser as sre
from typing import Any

_SCHEMAS = "#/components/schemas/"
_NOW = 1767225600  # 2026-01-01T00:00:00Z: generated timestamps sit around here, never the wall clock
_WORDS = ("alpha", "bravo", "cedar", "delta", "ember", "fjord", "gamma", "harbor", "iris", "juniper", "kelp", "lumen")
MAX_DEPTH = 8


@dataclass
class Node:
    """A schema flattened for generation: refs followed, allOf merged, nullability pulled out."""

    types: tuple[str, ...] = ()
    nullable: bool = False
    const: Any = None
    has_const: bool = False
    enum: list[Any] | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    additional: Any = None
    items: Any = None
    variants: list[Any] = field(default_factory=list)
    disc_prop: str | None = None
    disc_map: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    ref_name: str | None = None
    exclusive: bool = False  # oneOf: a value must fit exactly one variant
    forbid_all: tuple[str, ...] = ()  # `not: {required: [...]}`: these may not all be present


class Skeleton:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self._refs: dict[str, dict[str, Any]] = {}
        # Keyed by id(schema); the schema is kept beside its node so the id cannot be reused by another object.
        self._nodes: dict[int, tuple[Any, Node]] = {}

    # ------------------------------------------------------------------ schema flattening
    def resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.doc
        for seg in ref[2:].split("/"):
            node = node[seg.replace("~1", "/").replace("~0", "~")]
        return node

    def node(self, schema: Any) -> Node:
        got = self._nodes.get(id(schema))
        if got is None:
            got = (schema, self._flatten(schema if isinstance(schema, dict) else {}, 0))
            self._nodes[id(schema)] = got
        return got[1]

    def _flatten(self, s: dict[str, Any], depth: int) -> Node:
        ref_name = None
        while "$ref" in s and depth < 32:
            ref_name = s["$ref"][len(_SCHEMAS) :] if s["$ref"].startswith(_SCHEMAS) else None
            s = self.resolve(s["$ref"])
            depth += 1
        n = Node(raw=s, ref_name=ref_name)
        if "allOf" in s:
            merged: dict[str, Any] = {k: v for k, v in s.items() if k != "allOf"}
            props: dict[str, Any] = dict(s.get("properties", {}))
            req: list[str] = list(s.get("required", []))
            for member in s["allOf"]:
                m = self._flatten(member, depth + 1)
                for k, v in m.properties.items():
                    props.setdefault(k, v)
                req += [r for r in m.required if r not in req]
                if m.types and "type" not in merged:
                    merged["type"] = list(m.types)
                if m.variants and "anyOf" not in merged and "oneOf" not in merged:
                    merged["anyOf"] = m.variants
                if m.additional is not None:
                    merged.setdefault("additionalProperties", m.additional)
            merged["properties"] = props
            merged["required"] = req
            if props and "type" not in merged:
                merged["type"] = "object"
            s = merged
            n.raw = s
        t = s.get("type")
        types = tuple(t) if isinstance(t, list) else (t,) if t else ()
        n.nullable = "null" in types
        n.types = tuple(x for x in types if x != "null")
        if "const" in s:
            n.const, n.has_const = s["const"], True
        if isinstance(s.get("enum"), list):
            n.enum = s["enum"]
        n.properties = s.get("properties", {}) or {}
        n.required = tuple(s.get("required", []))
        n.additional = s.get("additionalProperties")
        n.items = s.get("items")
        alts = s.get("anyOf") or s.get("oneOf") or []
        n.exclusive = "oneOf" in s and "anyOf" not in s
        nott = s.get("not")
        if isinstance(nott, dict) and isinstance(nott.get("required"), list):
            n.forbid_all = tuple(nott["required"])
        for a in alts:
            if isinstance(a, dict) and a.get("type") == "null" and len(a) <= 2:
                n.nullable = True
            else:
                n.variants.append(a)
        disc = s.get("discriminator")
        if isinstance(disc, dict) and disc.get("mapping"):
            n.disc_prop = disc.get("propertyName")
            n.disc_map = dict(disc["mapping"])
        if not n.types and (n.properties or n.required) and not n.variants:
            n.types = ("object",)
        return n

    def _ref(self, ref: str) -> dict[str, Any]:
        """A stable `{"$ref": ref}` object (stable identity: node() caches by id)."""
        key = "ref:" + ref
        got = self._refs.get(key)
        if got is None:
            got = self._refs[key] = {"$ref": ref}
        return got

    # ------------------------------------------------------------------ generation
    def value(self, schema: Any, rng: random.Random, depth: int = 0, hint: str = "") -> Any:
        n = self.node(schema)
        if n.has_const:
            return copy.deepcopy(n.const) if isinstance(n.const, dict | list) else n.const
        if n.enum:
            choices = [e for e in n.enum if e is not None] or n.enum
            choice = choices[rng.randrange(len(choices))]
            return copy.deepcopy(choice) if isinstance(choice, dict | list) else choice
        if n.variants:
            if n.nullable and depth >= MAX_DEPTH - 2:
                return None
            if n.disc_prop and n.disc_map:
                tags = sorted(n.disc_map)
                tag = tags[rng.randrange(len(tags))]
                v = self.value(self._ref(n.disc_map[tag]), rng, depth + 1, hint)
                if isinstance(v, dict):
                    v[n.disc_prop] = tag
                return v
            order = list(range(len(n.variants)))
            if depth >= MAX_DEPTH - 2:
                order.sort(key=lambda i: self._weight(n.variants[i]))
            else:
                rng.shuffle(order)
            objectish = bool(n.properties) or "object" in n.types
            out: Any = None
            for idx in order:
                variant = n.variants[idx]
                vn = self.node(variant)
                if objectish and _constraint_only(vn):
                    # `anyOf: [{required: [a]}, {required: [b]}]` beside properties: constraints on one object
                    out = {}
                    self._fill_object(n, out, rng, depth, only_required=True)
                    for name in vn.required:
                        if name not in out:
                            out[name] = self.value(
                                n.properties.get(name, vn.properties.get(name, {})), rng, depth + 1, name
                            )
                else:
                    out = self.value(variant, rng, depth + 1, hint)
                    if n.properties and isinstance(out, dict):  # properties beside anyOf apply too
                        self._fill_object(n, out, rng, depth, only_required=True)
                others = (self.node(v) for j, v in enumerate(n.variants) if j != idx)
                if not n.exclusive or not any(fits(self, o, out) for o in others):
                    return out
            return out
        kind = n.types[0] if n.types else ("object" if n.properties else "")
        if not kind:
            return None if n.nullable else ""
        if n.nullable and depth >= MAX_DEPTH - 1:
            return None
        if kind == "object":
            obj: dict[str, Any] = {}
            self._fill_object(n, obj, rng, depth, only_required=depth >= 2)
            if not n.properties and isinstance(n.additional, dict) and depth < 3:
                obj[_WORDS[rng.randrange(len(_WORDS))]] = self.value(n.additional, rng, depth + 1)
            return obj
        if kind == "array":
            s = n.raw
            lo = int(s.get("minItems", 0))
            hi = int(s.get("maxItems", max(lo, 2)))
            count = min(max(lo, 1 if depth < 3 else 0), hi)
            items = [self.value(n.items or {}, rng, depth + 1, hint) for _ in range(count)]
            if s.get("uniqueItems"):
                seen: list[Any] = []
                for it in items:
                    if it not in seen:
                        seen.append(it)
                items = seen if len(seen) >= lo else items
            return items
        if kind == "string":
            return self._string(n.raw, rng, hint)
        if kind == "integer":
            return self._number(n.raw, rng, hint, integer=True)
        if kind == "number":
            return self._number(n.raw, rng, hint, integer=False)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "null":
            return None
        return ""

    def _weight(self, schema: Any) -> int:
        n = self.node(schema)
        if n.has_const or n.enum:
            return 0
        if n.types and n.types[0] not in ("object", "array"):
            return 1
        return 2 + len(n.required) + 4 * len(n.variants)

    def _fill_object(self, n: Node, out: dict[str, Any], rng: random.Random, depth: int, only_required: bool) -> None:
        only_required = only_required or bool(n.forbid_all)
        for name, sub in n.properties.items():
            if name in out:
                continue
            if name in n.required or (not only_required and depth < MAX_DEPTH - 3 and rng.random() < 0.5):
                out[name] = self.value(sub, rng, depth + 1, name)
        for name in n.required:
            if name not in out:
                out[name] = ""

    def _string(self, s: dict[str, Any], rng: random.Random, hint: str) -> str:
        fmt = s.get("format")
        lo, hi = int(s.get("minLength", 0)), int(s.get("maxLength", 64))
        if "pattern" in s:
            got = regex_example(s["pattern"], rng, lo, hi)
            if got is not None:
                return got
        if fmt == "date-time":
            t = _NOW + rng.randrange(86400 * 30)
            return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if fmt == "date":
            return f"2026-01-{1 + rng.randrange(28):02d}"
        if fmt in ("uri", "url", "uri-reference"):
            text = f"https://example.com/{_WORDS[rng.randrange(len(_WORDS))]}"
        elif fmt == "email":
            text = f"{_WORDS[rng.randrange(len(_WORDS))]}@example.com"
        elif fmt == "uuid":
            text = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        elif fmt == "byte":
            text = base64.b64encode(bytes(rng.randrange(256) for _ in range(6))).decode()
        elif hint == "id" or hint.endswith("_id"):
            text = f"{hint.removesuffix('_id') or 'obj'}_{rng.getrandbits(48):012x}"
        else:
            text = f"{_WORDS[rng.randrange(len(_WORDS))]}-{rng.randrange(10_000)}"
        if len(text) > hi:
            text = text[:hi]
        while len(text) < lo:
            text += "x"
        return text

    def _number(self, s: dict[str, Any], rng: random.Random, hint: str, integer: bool) -> int | float:
        lo = s.get("minimum")
        hi = s.get("maximum")
        if "exclusiveMinimum" in s and isinstance(s["exclusiveMinimum"], int | float):
            lo = s["exclusiveMinimum"] + (1 if integer else 1e-6)
        if "exclusiveMaximum" in s and isinstance(s["exclusiveMaximum"], int | float):
            hi = s["exclusiveMaximum"] - (1 if integer else 1e-6)
        timestamp = hint in ("created", "timestamp") or hint.endswith("_at")
        if lo is None:
            lo = _NOW if timestamp else 0
        if hi is None:
            hi = lo + (86400 * 30 if timestamp else 100)
        if hi < lo:
            hi = lo
        if integer:
            ilo, ihi = math.ceil(lo), math.floor(hi)
            v: int | float = ilo if ihi < ilo else rng.randint(ilo, ihi)
            mult = s.get("multipleOf")
            if isinstance(mult, int) and mult > 0:
                v = (int(v) // mult) * mult
                if v < ilo:
                    v += mult
            return v
        return round(lo + (hi - lo) * rng.random(), 4) if hi > lo else float(lo)

    # ------------------------------------------------------------------ completion
    def complete(self, value: Any, schema: Any, rng: random.Random, depth: int = 0) -> Any:
        """Add the required fields `value` lacks, recursively; never removes or changes what is there."""
        if depth > MAX_DEPTH * 2 or value is None:
            return value
        n = self.node(schema)
        if n.variants:
            if n.properties and isinstance(value, dict):
                self._complete_object(n, value, rng, depth)
            chosen = self._pick_variant(n, value)
            return value if chosen is None else self.complete(value, chosen, rng, depth + 1)
        if isinstance(value, dict) and (n.properties or n.required):
            self._complete_object(n, value, rng, depth)
        elif isinstance(value, list) and n.items is not None:
            for i, item in enumerate(value):
                value[i] = self.complete(item, n.items, rng, depth + 1)
        return value

    def _complete_object(self, n: Node, value: dict[str, Any], rng: random.Random, depth: int) -> None:
        props = n.properties
        for name in n.required:
            if name not in value:
                value[name] = self.value(props.get(name, {}), rng, depth + 1, name)
        for name, v in value.items():
            # (most values are scalars: the type test comes first, it is cheaper than the lookup)
            if (
                isinstance(v, dict) or (isinstance(v, list) and v and isinstance(v[0], (dict, list)))
            ) and name in props:
                value[name] = self.complete(v, props[name], rng, depth + 1)

    def _pick_variant(self, n: Node, value: Any) -> Any:
        if n.disc_prop and isinstance(value, dict) and value.get(n.disc_prop) in n.disc_map:
            return self._ref(n.disc_map[value[n.disc_prop]])
        best, best_score = None, -1.0
        for v in n.variants:
            vn = self.node(v)
            score = _match(vn, value)
            if score > best_score:
                best, best_score = v, score
        return best


def _constraint_only(n: Node) -> bool:
    """A variant that only adds `required` (and maybe properties) to the object around it."""
    return n.ref_name is None and bool(n.required) and set(n.raw) <= {"required", "properties", "description", "title"}


def fits(sk: Skeleton, n: Node, value: Any, depth: int = 0) -> bool:
    """A quick, shallow check that `value` satisfies node `n` (types, consts, required keys, tag fields)."""
    if depth > 6:
        return True
    if n.has_const:
        return bool(value == n.const)
    if n.enum is not None:
        return value in n.enum
    if value is None:
        return _allows_null(sk, n)
    if n.variants and not (n.properties or n.types):
        return any(fits(sk, sk.node(v), value, depth + 1) for v in n.variants)
    kind = n.types[0] if n.types else ("object" if n.properties or n.required else "")
    if kind == "object":
        if not isinstance(value, dict) or any(r not in value for r in n.required):
            return False
        for name, sub in n.properties.items():
            if name in value and isinstance(sub, dict):
                sn = sk.node(sub)
                if (sn.has_const or sn.enum is not None) and not fits(sk, sn, value[name], depth + 1):
                    return False
        return not (n.additional is False and any(k not in n.properties for k in value))
    checks = {
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
    }
    check = checks.get(kind)
    return True if check is None else bool(check(value))


def _allows_null(sk: Skeleton, n: Node, depth: int = 0) -> bool:
    if n.nullable or (n.has_const and n.const is None) or (n.enum is not None and None in n.enum):
        return True
    if not n.types and not n.variants and not n.has_const and n.enum is None and not n.properties:
        return True  # an unconstrained schema allows anything
    return depth < 8 and any(_allows_null(sk, sk.node(v), depth + 1) for v in n.variants)


def forbidden_null(sk: Skeleton, value: Any, schema: Any, path: str = "", depth: int = 0) -> str | None:
    """The path of the first null in `value` that `schema` does not allow (pydantic's optional fields accept
    null where the spec does not), or None when every null is allowed."""
    if depth > 32:
        return None
    n = sk.node(schema)
    if value is None:
        return None if _allows_null(sk, n) else path or "(body)"
    if n.variants:
        chosen = sk._pick_variant(n, value)
        if chosen is not None:
            found = forbidden_null(sk, value, chosen, path, depth + 1)
            if found is not None:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            sub = n.properties.get(key)
            if sub is None and isinstance(n.additional, dict):
                sub = n.additional
            if sub is not None:
                found = forbidden_null(sk, item, sub, f"{path}.{key}" if path else key, depth + 1)
                if found is not None:
                    return found
    elif isinstance(value, list) and n.items is not None:
        for i, item in enumerate(value):
            found = forbidden_null(sk, item, n.items, f"{path}[{i}]", depth + 1)
            if found is not None:
                return found
    return None


def _match(n: Node, value: Any) -> float:
    """How well a value fits a flattened variant (higher is better; 0: the type does not fit)."""
    if n.has_const:
        return 3.0 if value == n.const else 0.0
    if n.enum is not None:
        return 3.0 if value in n.enum else 0.0
    kind = n.types[0] if n.types else ("object" if n.properties else "")
    if isinstance(value, dict):
        if kind != "object" and not n.variants:
            return 0.0
        for prop, sub in n.properties.items():
            if prop in value and isinstance(sub, dict):
                tag = sub.get("const", sub.get("enum", [None])[0] if isinstance(sub.get("enum"), list) else None)
                if tag is not None and len(sub.get("enum", [tag])) == 1 and value[prop] != tag:
                    return 0.0
        known = sum(1 for k in value if k in n.properties)
        unknown = len(value) - known
        missing = sum(1 for r in n.required if r not in value)
        return 1.0 + known - 0.5 * unknown - 0.25 * missing
    if isinstance(value, list):
        return 1.0 if kind == "array" else 0.0
    if isinstance(value, bool):
        return 1.0 if kind == "boolean" else 0.0
    if isinstance(value, int):
        return 1.0 if kind in ("integer", "number") else 0.0
    if isinstance(value, float):
        return 1.0 if kind == "number" else 0.0
    if isinstance(value, str):
        return 1.0 if kind == "string" else 0.0
    return 0.5


# ---------------------------------------------------------------------- regex
_CACHE: dict[str, Any] = {}
_CATEGORY = {
    sre.CATEGORY_DIGIT: "0123456789",
    sre.CATEGORY_WORD: "abcdefghijklmnopqrstuvwxyz0123456789_",
    sre.CATEGORY_SPACE: " ",
    sre.CATEGORY_NOT_DIGIT: "abcxyz",
    sre.CATEGORY_NOT_WORD: "-.",
    sre.CATEGORY_NOT_SPACE: "abcxyz",
}


def regex_example(pattern: str, rng: random.Random, lo: int = 0, hi: int = 64) -> str | None:
    """A string matching `pattern` (and the length bounds), or None when this small generator cannot make one."""
    try:
        parsed = _CACHE.get(pattern)
        if parsed is None:
            parsed = _CACHE[pattern] = (sre.parse(pattern), re.compile(pattern))
    except (re.error, ValueError, TypeError, OverflowError):
        return None
    tree, compiled = parsed
    for _ in range(5):
        try:
            text = _emit(tree, rng)
        except _Unsupported:
            return None
        if compiled.search(text) and lo <= len(text) <= hi:
            return text
    return None


class _Unsupported(Exception):
    pass


def _emit(tree: Any, rng: random.Random) -> str:
    out = []
    for op, arg in tree:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.NOT_LITERAL:
            out.append("a" if arg != ord("a") else "b")
        elif op is sre.ANY:
            out.append("a")
        elif op is sre.IN:
            out.append(_pick_in(arg, rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = arg
            top = lo + 3 if hi == sre.MAXREPEAT else min(hi, lo + 3)
            out.extend(_emit(sub, rng) for _ in range(rng.randint(lo, max(lo, top))))
        elif op is sre.SUBPATTERN:
            out.append(_emit(arg[-1], rng))
        elif op is sre.BRANCH:
            branches = arg[1]
            out.append(_emit(branches[rng.randrange(len(branches))], rng))
        elif op is sre.AT:
            continue
        elif op is sre.CATEGORY:
            chars = _CATEGORY.get(arg, "a")
            out.append(chars[rng.randrange(len(chars))])
        else:
            raise _Unsupported(str(op))
    return "".join(out)


_ALPHABET = "abcxyzABCXYZ0189_-. :/"
_CATEGORY_TEST = {
    sre.CATEGORY_DIGIT: str.isdigit,
    sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    sre.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
    sre.CATEGORY_SPACE: str.isspace,
    sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
}


def _in_class(items: Any, ch: str) -> bool:
    for op, arg in items:
        if (op is sre.LITERAL and arg == ord(ch)) or (op is sre.RANGE and arg[0] <= ord(ch) <= arg[1]):
            return True
        if op is sre.CATEGORY and _CATEGORY_TEST.get(arg, lambda c: False)(ch):
            return True
    return False


def _pick_in(items: Any, rng: random.Random) -> str:
    if items and items[0][0] is sre.NEGATE:
        for ch in _ALPHABET:
            if not _in_class(items[1:], ch):
                return ch
        raise _Unsupported("negated class excludes the whole alphabet")
    op, arg = items[rng.randrange(len(items))]
    if op is sre.LITERAL:
        return chr(arg)
    if op is sre.RANGE:
        return chr(rng.randint(arg[0], arg[1]))
    if op is sre.CATEGORY:
        chars = _CATEGORY.get(arg, "a")
        return chars[rng.randrange(len(chars))]
    raise _Unsupported(str(op))
