"""JSON values that validate against a user's JSON Schema, filled from the prompt: tool calls, structured outputs.

:class:`JsonGenerator` (one per process, thread-safe) answers ``generate(schema, prompt=..., rng=...)`` for a
tool's ``parameters``, a ``response_format.json_schema.schema`` or a Responses ``text.format`` schema, and
``validate_schema(schema)`` (None, or a message for a 400).

How a value is made:

1. The schema is compiled once (cached under its JSON text) into merged nodes
   (:mod:`~fakeai.behaviors.sim.jsongen_nodes`): ``$ref`` / ``$defs`` / ``definitions`` and ``allOf`` inlined,
   recursive references compiled lazily.
2. The structural generator (:mod:`~fakeai.behaviors.sim.jsongen_struct`) builds a value that fits type,
   enum/const, bounds, multipleOf, lengths, pattern, format, required / additionalProperties (OpenAI strict mode),
   items / prefixItems, anyOf / oneOf, if/then/else ... and fills properties by meaning from the prompt
   (:mod:`~fakeai.behaviors.sim.jsongen_semantic`): ``name`` -> "Alice", ``age`` -> 28, ``location`` -> the
   caller's entity or the place in the prompt, ``weight_kg`` -> 70 from "70kg", ``skills`` -> a list ...
3. The value is checked by jsongen's own validator (:mod:`~fakeai.behaviors.sim.jsongen_validate`); up to three
   structural attempts are made.
4. Still invalid (an exotic schema): one seeded example from hypothesis-jsonschema
   (:mod:`~fakeai.behaviors.sim.jsongen_fallback`) within ``fallback_budget`` seconds.
5. If that fails too (an unsatisfiable schema, or the budget ran out), the last structural value is returned
   anyway: ``generate`` never raises for a valid schema, and the caller gets the closest thing available.

Same schema, prompt, entity and rng state give the same value (except a fallback that ran out of time).
"""

from __future__ import annotations

import json
import random
from typing import Any

from fakeai.behaviors.sim.jsongen_check import check_schema
from fakeai.behaviors.sim.jsongen_compiled import Compiled
from fakeai.behaviors.sim.jsongen_fallback import HypothesisFallback
from fakeai.behaviors.sim.jsongen_prompt import prompt_facts
from fakeai.behaviors.sim.jsongen_semantic import Semantic
from fakeai.behaviors.sim.jsongen_struct import StructGen

__all__ = ["JsonGenerator"]

_ATTEMPTS = 3
_STRUCTURAL_ERRORS = (RecursionError, ValueError, TypeError, KeyError, IndexError, OverflowError, ZeroDivisionError)


def _key(schema: Any) -> str:
    return json.dumps(schema, separators=(",", ":"), ensure_ascii=False, default=repr)


def _prune(value: Any, compiled: Compiled) -> Any:
    """Drop undeclared top-level properties of a fallback object while it stays valid (hypothesis adds many)."""
    if not isinstance(value, dict):
        return value
    declared = compiled.root.prop_raws
    for key in [k for k in value if k not in declared]:
        trial = {k: v for k, v in value.items() if k != key}
        if compiled.validator.valid(trial):
            value = trial
    return value


class JsonGenerator:
    """Schema-valid, prompt-aware JSON values. Share one instance; all methods are thread-safe."""

    def __init__(self, *, fallback: bool = True, fallback_budget: float = 0.2, cache_limit: int = 1024) -> None:
        self._compiled: dict[str, Compiled] = {}
        self._checked: dict[str, str | None] = {}
        self._limit = cache_limit
        self._fallback = HypothesisFallback() if fallback else None
        self._budget = fallback_budget
        self.stats = {"structural": 0, "fallback": 0, "unverified": 0}  # how values were produced (approximate)

    def warm_up(self) -> None:
        """Import the fallback's libraries now (takes about half a second) instead of on the first exotic schema."""
        if self._fallback is not None:
            self._fallback.warm_up()

    def compiled(self, schema: Any) -> Compiled:
        """The cached compiled form of ``schema`` (built on first use)."""
        return self._compile(_key(schema), schema)

    def _compile(self, key: str, schema: Any) -> Compiled:
        compiled = self._compiled.get(key)
        if compiled is None:
            private = json.loads(key) if isinstance(schema, dict | bool) else schema
            compiled = Compiled(private)
            if len(self._compiled) >= self._limit:
                self._compiled.clear()
            compiled = self._compiled.setdefault(key, compiled)
        return compiled

    def generate(self, schema: Any, *, prompt: str, rng: random.Random, entity: str | None = None) -> Any:
        """A value valid for ``schema``, filled from ``prompt``; ``entity`` goes to the best-fitting string property."""
        key = _key(schema)
        compiled = self._compile(key, schema)
        sem = Semantic(prompt_facts(prompt or ""), rng, entity or None)
        gen = StructGen(compiled, sem, rng)
        valid = compiled.validator.valid
        value: Any = None
        for _ in range(_ATTEMPTS):
            try:
                value = gen.value(compiled.root)
            except _STRUCTURAL_ERRORS:
                value = None
                continue
            if valid(value):
                self.stats["structural"] += 1
                return value
        if self._fallback is not None:
            ok, got = self._fallback.draw(key, compiled.doc.root, rng.getrandbits(63), valid, self._budget)
            if ok:
                self.stats["fallback"] += 1
                return _prune(got, compiled)
        self.stats["unverified"] += 1
        return value

    def is_valid(self, schema: Any, value: Any) -> bool:
        """Whether ``value`` validates against ``schema`` (jsongen's own validator)."""
        return self.compiled(schema).validator.valid(value)

    def validate_schema(self, schema: Any) -> str | None:
        """None when ``schema`` is a usable JSON Schema, else a short message naming the problem and its place."""
        key = _key(schema)
        if key in self._checked:
            return self._checked[key]
        try:
            verdict = check_schema(schema)
        except RecursionError:
            verdict = "schema nested too deeply"
        if len(self._checked) >= self._limit:
            self._checked.clear()
        self._checked[key] = verdict
        return verdict
