"""The structural generator: a value for a :class:`~fakeai.behaviors.sim.jsongen_nodes.Node`, built to fit.

Branches of ``anyOf`` / ``oneOf`` / ``if`` are picked first (null branches rarely, branches without ``$ref``
once deep), then the type; scalars try the prompt's semantic value for the property name and keep it if it
validates, else build one from the bounds (numbers, lengths, ``pattern``, ``format``). Objects carry their
required properties and most optional ones near the top (fewer deeper down, none past ``_SOFT_DEPTH``);
arrays get a few items, or the prompt's list (skills, interests, steps ...). A value is not guaranteed valid:
:class:`~fakeai.behaviors.sim.jsongen.JsonGenerator` checks it.
"""

from __future__ import annotations

import random
from typing import Any

from fakeai.behaviors.sim.jsongen_compiled import Compiled
from fakeai.behaviors.sim.jsongen_concepts import concept, name_tokens
from fakeai.behaviors.sim.jsongen_formats import generate_format, slug
from fakeai.behaviors.sim.jsongen_nodes import Node
from fakeai.behaviors.sim.jsongen_numbers import number_in_bounds
from fakeai.behaviors.sim.jsongen_regex import generate_matching
from fakeai.behaviors.sim.jsongen_semantic import Semantic
from fakeai.behaviors.sim.jsongen_validate import json_equal, json_key

__all__ = ["StructGen"]

_SOFT_DEPTH = 4  # deeper than this: no optional properties, minimal arrays, non-recursive branches
_HARD_DEPTH = 24  # deeper than this: the simplest value of the type
_LIST_CONCEPTS = frozenset({"skills", "interests", "keywords", "steps", "place", "destination", "person", "symbol"})
_NUMERIC = frozenset(
    {"age", "measure", "money", "temperature", "percent", "rating", "count", "year", "month", "lat", "lon", "generic"}
)
_PERSON_FIELDS = frozenset(
    {"age", "email", "phone", "occupation", "first_name", "last_name", "username", "skills", "interests"}
)
_EMPTY: dict[str, Any] = {"null": None, "boolean": False, "integer": 0, "number": 0, "string": "", "array": []}


class StructGen:
    """Generates values for one schema and one call (holds the call's rng and semantic state)."""

    def __init__(self, compiled: Compiled, sem: Semantic, rng: random.Random) -> None:
        self.c = compiled
        self.sem = sem
        self.rng = rng
        self.valid = compiled.validator.valid
        self._objects = 0

    def fits(self, value: Any, node: Node) -> bool:
        return all(self.valid(value, s) for s in node.raws) and not any(json_equal(value, v) for v in node.not_values)

    # ---- dispatch -----------------------------------------------------------------------------------------
    def value(self, node: Node, name: str = "", depth: int = 0, entity: str | None = None) -> Any:
        if depth > _HARD_DEPTH:
            return self._simplest(node)
        if not node.choices:
            return self._plain(node, name, depth, entity)
        out: Any = None
        strict = any(kind != "anyOf" for _, kind, _ in node.choices)  # anyOf branches hold by construction
        for _ in range(3 if strict else 1):
            out = self._plain(self._choose(node, depth), name, depth, entity)
            if not strict or self.fits(out, node):
                break
        return out

    def _choose(self, node: Node, depth: int) -> Node:
        for _ in range(8):
            if not node.choices:
                break
            picked: list[Any] = []
            for _owner, kind, branches in node.choices:
                picked.append(branches[self._branch(node, kind, branches, depth)])
            owners = frozenset(owner for owner, _, _ in node.choices)
            node = self.c.node(node.raws + tuple(picked), node.resolved | owners)
        return node

    def _branch(self, node: Node, kind: str, branches: list[Any], depth: int) -> int:
        if kind.startswith("dep:"):
            return 0 if kind[4:] in node.required or self.rng.random() < 0.3 else 1
        weights = []
        for b in branches:
            t = b.get("type") if isinstance(b, dict) else None
            w = 1.0
            if b is False or (node.types is not None and isinstance(t, str) and not (node.types & {t})):
                w = 0.0
            elif t == "null":
                w = 2.0 if depth > _SOFT_DEPTH else 0.12 if depth == 0 else 0.4
            elif depth > 1 and self.c.has_ref(b):
                w = 0.05 if depth > _SOFT_DEPTH else 0.5
            weights.append(w)
        if not any(weights):
            weights = [1.0] * len(branches)
        return self.rng.choices(range(len(branches)), weights)[0]

    def _kind(self, node: Node, cpt: str, depth: int) -> str:
        types = node.types if node.types is not None else node.inferred or None
        if types is None:
            if cpt in _NUMERIC:
                return "number"
            return "array" if cpt in ("skills", "interests", "steps", "keywords") else "string"
        options = sorted(types - node.not_types) or sorted(types)
        if not options:
            return "null"  # contradictory types: nothing is valid
        if len(options) > 1 and "null" in options and (depth <= _SOFT_DEPTH and self.rng.random() < 0.9):
            options.remove("null")
        if "integer" in options and "number" in options:
            options.remove("number")
        if len(options) > 1:
            preferred = [t for t in options if (t in ("number", "integer")) == (cpt in _NUMERIC)]
            options = preferred or options
        return options[0] if len(options) == 1 else self.rng.choice(options)

    def _plain(self, node: Node, name: str, depth: int, entity: str | None) -> Any:
        if node.impossible:
            return None  # a false schema: nothing is valid
        cpt = concept(name, node.description) if name else ""
        if node.enum is not None:
            values = [v for v in node.enum if not any(json_equal(v, x) for x in node.not_values)] or node.enum
            return self.sem.pick(values, cpt) if values else None
        kind = self._kind(node, cpt, depth)
        if kind == "object":
            return self._object(node, depth)
        if kind == "array":
            return self._array(node, name, cpt, depth)
        if kind == "string":
            return self._string(node, name, cpt, entity)
        if kind in ("number", "integer"):
            return self._number(node, cpt, name, kind == "integer")
        if kind == "boolean":
            return self.rng.random() < 0.5
        return None

    def _simplest(self, node: Node) -> Any:
        if node.enum:
            return node.enum[0]
        types = sorted(node.types or node.inferred or {"null"})
        kind = "null" if "null" in types else types[0]
        return {} if kind == "object" else _EMPTY.get(kind)

    # ---- scalars ------------------------------------------------------------------------------------------
    def _string(self, node: Node, name: str, cpt: str, entity: str | None) -> str:
        toks = name_tokens(name) if name else frozenset()
        if entity is not None:
            shown = self.sem.place_text(self.sem.place, node.description) if cpt == "place" else entity
            for cand in (shown, entity):
                if self.fits(cand, node):
                    return cand
        if cpt:
            got = self.sem.string(cpt, toks, node.description)
            if got is not None and self.fits(got, node):
                return got
        if node.fmt:
            made = generate_format(node.fmt, self.rng, self.sem.topic(), self.sem.person_name())
            for got in (*self.sem.for_format(node.fmt), made):
                if got is not None and self.fits(got, node):
                    return got
        if node.patterns:
            for pattern in node.patterns:
                text = generate_matching(pattern, self.rng, node.min_len, node.max_len)
                if text is not None and self.fits(text, node):
                    return text
        return self._fit_length(node)

    def _fit_length(self, node: Node) -> str:
        """A word or phrase from the prompt (else a filler word) of a length the node allows."""
        lo, hi = node.min_len, node.max_len
        pool = [*self.sem.facts.keywords[:3], *self.sem.data["words"]]
        fitting = [w for w in pool if lo <= len(w) and (hi is None or len(w) <= hi)]
        if fitting:
            keyed = [w for w in fitting[:3] if w in self.sem.facts.keywords]
            return self.rng.choice(keyed if keyed and self.rng.random() < 0.7 else fitting)
        text = self.rng.choice(pool)
        while len(text) < lo:
            text += " " + self.rng.choice(pool)
        if hi is not None and len(text) > hi:
            text = text[:hi].rstrip() or text[:hi]
        return text

    def _number(self, node: Node, cpt: str, name: str, integer: bool) -> int | float:
        if name:
            got = self.sem.number(cpt, name_tokens(name), integer)
            if isinstance(got, float) and integer and got.is_integer():
                got = int(got)
            if got is not None and (not integer or isinstance(got, int)) and self.fits(got, node):
                return got
        out: int | float = 0
        for _ in range(6):
            out = number_in_bounds(node, integer, self.rng)
            if self.fits(out, node):
                break
        return out

    # ---- containers ---------------------------------------------------------------------------------------
    def _array(self, node: Node, name: str, cpt: str, depth: int) -> list[Any]:
        lo, hi = node.min_items, node.max_items
        top = lo + (3 if depth <= _SOFT_DEPTH else 0)
        top = min(hi, max(top, lo)) if hi is not None else top
        count = self.rng.randint(
            max(lo, 1 if depth <= _SOFT_DEPTH else 0), max(top, lo, 1 if depth <= _SOFT_DEPTH else 0)
        )
        count = max(count, min(node.prefix_len(), hi if hi is not None else node.prefix_len()))
        if hi is not None:
            count = min(count, hi)
        out: list[Any] = []
        seen: set[Any] = set()
        if cpt in _LIST_CONCEPTS and node.item(0).types in (None, {"string"}) and not node.prefix_len():
            listed = self.sem.strings(cpt, name_tokens(name)) or []
            for v in listed[: hi if hi is not None else 8]:
                if self.fits(v, node.item(len(out))) and json_key(v) not in seen:
                    out.append(v)
                    seen.add(json_key(v))
            count = max(len(out), lo) if out else count
        singular = name[:-1] if name.endswith("s") and not name.endswith("ss") else name
        tries = 0
        while len(out) < count and tries < count * 3 + 3:
            tries += 1
            v = self.value(node.item(len(out)), singular, depth + 1)
            if node.unique and json_key(v) in seen:
                continue
            out.append(v)
            seen.add(json_key(v))
        for want in node.contains:
            if not any(self.valid(v, want) for v in out):
                pos = len(out) if hi is None or len(out) < hi else max(len(out) - 1, 0)
                v = self.value(self.c.node((*node.item(pos).raws, want)), singular, depth + 1)
                out[pos:] = [v]
        return out

    def _object(self, node: Node, depth: int) -> dict[str, Any]:
        rng = self.rng
        p_optional = 0.8 if depth == 0 else 0.55 if depth <= _SOFT_DEPTH else 0.0
        target = self._entity_target(node) if depth == 0 and self.sem.entity else None
        keys = [k for k in node.required]
        optional = [
            k
            for k in node.prop_raws
            if k not in node.required and k not in node.not_keys and node.allowed(k) and not node.prop(k).dead
        ]
        for k in optional:
            if k == target or rng.random() < p_optional:
                keys.append(k)
        i = 0
        while i < len(keys):
            keys += [d for d in node.deps.get(keys[i], ()) if d not in keys]
            i += 1
        if node.max_props is not None and len(keys) > node.max_props:
            keep = set(node.required)
            drop = [k for k in reversed(keys) if k not in keep][: len(keys) - node.max_props]
            keys = [k for k in keys if k not in drop]
        spare = [k for k in optional if k not in keys]
        while len(keys) < node.min_props and spare:
            keys.append(spare.pop(0))
        extra = max(node.min_props - len(keys), 0)
        if not node.prop_raws and not node.closed and (node.additional or node.pattern_props) and depth <= _SOFT_DEPTH:
            extra = max(extra, rng.randint(1, 2) if node.max_props is None else min(node.max_props, 1))
        for _ in range(extra * 3):
            if extra <= 0:
                break
            name = self._extra_name(node, depth)
            if name is not None and name not in keys and node.allowed(name):
                keys.append(name)
                extra -= 1
        order = {k: i for i, k in enumerate(node.prop_raws)}
        keys.sort(key=lambda k: order.get(k, len(order)))
        self._objects += 1
        serial = self._objects
        personal = any(concept(k) in _PERSON_FIELDS for k in node.prop_raws)
        out: dict[str, Any] = {}
        for k in keys:
            self.sem.owner, self.sem.person_object = serial, personal
            out[k] = self.value(node.prop(k), k, depth + 1, self.sem.entity if k == target else None)
        return out

    def _extra_name(self, node: Node, depth: int) -> str | None:
        for pattern, _ in node.pattern_props:
            got = generate_matching(pattern, self.rng, 1, 40)
            if got is not None:
                return got
        if node.prop_names:
            got = self.value(self.c.node((*node.prop_names, {"type": "string"})), "key", depth + 1)
            return got if isinstance(got, str) else None
        words = [slug(k, "_") for k in self.sem.facts.keywords] + list(self.sem.data["words"])
        return self.rng.choice([w for w in words if w] or ["key"])

    def _entity_target(self, node: Node) -> str | None:
        """The root property that should carry the caller's entity (place, symbol, query ... by name)."""
        entity = self.sem.entity or ""
        ticker = entity.isupper() and len(entity) <= 5
        best, best_score = None, 0.0
        for k in node.prop_raws:
            child = node.prop(k)
            if child.types is not None and "string" not in child.types:
                continue
            c = concept(k, child.description)
            score = {"place": 5, "origin": 4, "destination": 4.5, "symbol": 6 if ticker else 3, "query": 3.5}.get(c, 1)
            score = {"topic": 3, "keywords": 3, "person": 2.5, "company": 2.5, "text": 2}.get(c, score)
            score += 0.5 if k in node.required else 0
            if score > best_score:
                best, best_score = k, score
        return best
