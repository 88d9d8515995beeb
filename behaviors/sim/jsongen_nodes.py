"""Schemas prepared for generation: a :class:`Node` is the merged view of a conjunction of subschemas.

``$ref`` s and ``allOf`` members are inlined into the conjunction; keywords are merged (types intersected,
bounds tightened, properties' schemas collected per name, ``required`` united, enum members filtered by every
schema). ``anyOf`` / ``oneOf``, ``if``/``then``/``else`` and ``dependentSchemas`` stay as *choices*: the
generator picks a branch and asks for the node of the conjunction plus that branch. Child nodes (a property's,
the i-th item's) are built on first use, so recursive schemas compile lazily. One
:class:`~fakeai.behaviors.sim.jsongen_compiled.Compiled` per schema holds the nodes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from fakeai.behaviors.sim.jsongen_validate import is_number

if TYPE_CHECKING:
    from fakeai.behaviors.sim.jsongen_compiled import Compiled

__all__ = ["Choice", "Node"]

_OBJ_KEYS = ("properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties")
_ARR_KEYS = ("items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems", "additionalItems")
_STR_KEYS = ("minLength", "maxLength", "pattern", "format")
_NUM_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_KIND_KEYS = (("object", _OBJ_KEYS), ("array", _ARR_KEYS), ("string", _STR_KEYS), ("number", _NUM_KEYS))

Choice = tuple[int, str, list[Any]]  # (id of the schema that holds it, kind, branch schemas)


def _types(t: Any) -> set[str] | None:
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    return None


def _intersect(a: set[str], b: set[str]) -> set[str]:
    out = a & b
    if ("integer" in a and "number" in b) or ("number" in a and "integer" in b):
        out.add("integer")
    return out


class Node:
    """Merged constraints of one conjunction of subschemas (read-only after construction)."""

    def __init__(self, owner: Compiled, raws: tuple[Any, ...], resolved: frozenset[int]) -> None:
        self.owner, self.raws, self.resolved = owner, raws, resolved
        self._children: dict[Any, Node] = {}
        flat, self.impossible = owner.flatten(raws)
        self.types: set[str] | None = None
        self.enum: list[Any] | None = None
        self.lo: float | None
        self.lo_ex: float | None
        self.hi: float | None
        self.hi_ex: float | None
        self.lo = self.lo_ex = self.hi = self.hi_ex = None
        self.mults: list[float] = []
        self.min_len, self.min_items, self.min_props = 0, 0, 0
        self.max_len: int | None
        self.max_items: int | None
        self.max_props: int | None
        self.max_len = self.max_items = self.max_props = None
        self.patterns: list[str] = []
        self.fmt = ""
        self.unique = False
        self.item_rules: list[tuple[list[Any], Any]] = []
        self.contains: list[Any] = []
        self.prop_raws: dict[str, list[Any]] = {}
        self.required: list[str] = []
        # (names, patterns) of each additionalProperties: false (names None: unevaluatedProperties: false)
        self.closed: list[tuple[set[str] | None, list[str]]] = []
        self.additional: list[tuple[set[str], list[str], Any]] = []  # (names, patterns, schema) per schema
        self.pattern_props: list[tuple[str, Any]] = []
        self.prop_names: list[Any] = []
        self.deps: dict[str, list[str]] = {}
        self.choices: list[Choice] = []
        self.not_types: set[str] = set()
        self.not_keys: set[str] = set()
        self.not_values: list[Any] = []
        self.description = ""
        self.inferred: set[str] = set()
        enums: list[list[Any]] = []
        for s in flat:
            self._merge(s, enums)
        self.dead = self.impossible or (self.types is not None and not self.types)  # nothing can be valid
        if enums:
            valid = owner.validator.valid
            self.enum = [v for v in enums[0] if all(valid(v, s) for s in flat)] or list(enums[0])
            self.dead = self.dead or not any(all(valid(v, s) for s in flat) for v in self.enum)

    def _merge(self, s: dict[str, Any], enums: list[list[Any]]) -> None:
        t = _types(s.get("type"))
        if t is not None:
            self.types = t if self.types is None else _intersect(self.types, t)
        if isinstance(s.get("enum"), list):
            enums.append(s["enum"])
        if "const" in s:
            enums.append([s["const"]])
        if not self.description and isinstance(s.get("description"), str):
            self.description = s["description"]
        self.inferred |= {k for k, keys in _KIND_KEYS if any(key in s for key in keys)}
        self._merge_scalar(s)
        self._merge_array(s)
        self._merge_object(s)
        if id(s) not in self.resolved:
            self.choices += self.owner.choices_of(s)
        n = s.get("not")
        if isinstance(n, dict) and n:
            if set(n) <= {"type"}:
                self.not_types |= _types(n.get("type")) or set()
            elif set(n) == {"required"} and isinstance(n["required"], list) and n["required"]:
                self.not_keys.add(str(n["required"][0]))
            elif set(n) <= {"enum", "const"}:
                self.not_values += list(n.get("enum") or []) + ([n["const"]] if "const" in n else [])

    def _merge_scalar(self, s: dict[str, Any]) -> None:
        for key, better in (("minimum", max), ("exclusiveMinimum", max), ("maximum", min), ("exclusiveMaximum", min)):
            v = s.get(key)
            if is_number(v):
                slot = {"minimum": "lo", "exclusiveMinimum": "lo_ex", "maximum": "hi", "exclusiveMaximum": "hi_ex"}[key]
                cur = getattr(self, slot)
                setattr(self, slot, v if cur is None else better(cur, v))
        if s.get("exclusiveMinimum") is True and is_number(s.get("minimum")):
            self.lo_ex = s["minimum"] if self.lo_ex is None else max(self.lo_ex, s["minimum"])
        if s.get("exclusiveMaximum") is True and is_number(s.get("maximum")):
            self.hi_ex = s["maximum"] if self.hi_ex is None else min(self.hi_ex, s["maximum"])
        if is_number(s.get("multipleOf")) and s["multipleOf"] > 0:
            self.mults.append(s["multipleOf"])
        if is_number(s.get("minLength")):
            self.min_len = max(self.min_len, math.ceil(s["minLength"]))
        if is_number(s.get("maxLength")):
            m = math.floor(s["maxLength"])
            self.max_len = m if self.max_len is None else min(self.max_len, m)
        if isinstance(s.get("pattern"), str):
            self.patterns.append(s["pattern"])
        if not self.fmt and isinstance(s.get("format"), str):
            self.fmt = s["format"]

    def _merge_array(self, s: dict[str, Any]) -> None:
        if is_number(s.get("minItems")):
            self.min_items = max(self.min_items, math.ceil(s["minItems"]))
        if is_number(s.get("maxItems")):
            m = math.floor(s["maxItems"])
            self.max_items = m if self.max_items is None else min(self.max_items, m)
        self.unique = self.unique or s.get("uniqueItems") is True
        if "contains" in s:
            self.contains.append(s["contains"])
        items = s.get("items")
        if isinstance(items, list):
            self.item_rules.append((items, s.get("additionalItems", True)))
        elif items is not None or "prefixItems" in s:
            prefix = s.get("prefixItems")
            self.item_rules.append((prefix if isinstance(prefix, list) else [], True if items is None else items))
        for prefix, rest in self.item_rules[-1:]:
            if rest is False:
                self.max_items = len(prefix) if self.max_items is None else min(self.max_items, len(prefix))

    def _merge_object(self, s: dict[str, Any]) -> None:
        props = s.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                self.prop_raws.setdefault(name, []).append(sub)
        patterns = s.get("patternProperties")
        pattern_list = [p for p in patterns if isinstance(p, str)] if isinstance(patterns, dict) else []
        self.pattern_props += [(p, patterns[p]) for p in pattern_list] if isinstance(patterns, dict) else []
        required = s.get("required")
        for name in required if isinstance(required, list) else ():
            if isinstance(name, str) and name not in self.required:
                self.required.append(name)
        names = set(props) if isinstance(props, dict) else set()
        extra = s.get("additionalProperties", True)
        if extra is False:
            self.closed.append((names, pattern_list))
        elif extra is not True:
            self.additional.append((names, pattern_list, extra))
        if s.get("unevaluatedProperties", True) is not True:
            self.closed.append((None, pattern_list))
        if is_number(s.get("minProperties")):
            self.min_props = max(self.min_props, math.ceil(s["minProperties"]))
        if is_number(s.get("maxProperties")):
            m = math.floor(s["maxProperties"])
            self.max_props = m if self.max_props is None else min(self.max_props, m)
        if "propertyNames" in s:
            self.prop_names.append(s["propertyNames"])
        for key in ("dependentRequired", "dependencies"):
            deps = s.get(key)
            for name, dep in deps.items() if isinstance(deps, dict) else ():
                if isinstance(dep, list):
                    self.deps.setdefault(name, []).extend(str(d) for d in dep)

    # ---- children (built on first use) ----------------------------------------------------------------
    def allowed(self, name: str) -> bool:
        """Whether every ``additionalProperties: false`` of the conjunction lets property ``name`` through."""
        rx = self.owner.pattern
        return all(
            name in (self.prop_raws if names is None else names) or any(rx(p, name) for p in pats)
            for names, pats in self.closed
        )

    def prop(self, name: str) -> Node:
        key = ("p", name)
        node = self._children.get(key)
        if node is None:
            raws = list(self.prop_raws.get(name, ()))
            raws += [sub for p, sub in self.pattern_props if self.owner.pattern(p, name)]
            for names, patterns, extra in self.additional:  # each schema's additionalProperties covers the rest
                if name not in names and not any(self.owner.pattern(p, name) for p in patterns):
                    raws.append(extra)
            node = self._children.setdefault(key, self.owner.node(tuple(raws)))
        return node

    def item(self, index: int) -> Node:
        key = ("i", index)
        node = self._children.get(key)
        if node is None:
            raws = [prefix[index] if index < len(prefix) else rest for prefix, rest in self.item_rules]
            node = self._children.setdefault(key, self.owner.node(tuple(raws)))
        return node

    def prefix_len(self) -> int:
        return max((len(prefix) for prefix, _ in self.item_rules), default=0)
