"""Schema-valid example responses drawn with hypothesis-jsonschema at generate time, stored as data.

Building and drawing Hypothesis strategies for large schemas takes seconds (and fails on recursive refs), so it
never happens on the request path. Here each response schema that is small enough is drawn a few times with a
fixed seed; the runtime picks one example per request (seeded by the request). Schemas that are too large,
recursive or unsatisfiable are left to the runtime's fast structural generator.

Generation works on a *tightened* copy of each schema (readable ASCII strings, short arrays, non-negative
numbers, closed objects): every value valid for the tightened copy is valid for the original.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

from .normalize import SCHEMAS, SUB_LIST, SUB_MAPS, SUB_ONE, subschemas

# Deterministic bound (not a time budget, so the output does not depend on the machine): schemas whose
# inlined size exceeds this many nodes are not drawn.
MAX_NODES = 400
PER_SCHEMA = 3
SEED = 20261122
_DROP = frozenset(
    {"discriminator", "example", "examples", "description", "title", "deprecated", "readOnly", "writeOnly"}
)
_FORMATS_KEPT = frozenset({"date-time", "date", "email", "uri", "uuid"})


def closure(schemas: dict[str, Any], root: str) -> dict[str, Any] | None:
    """The component schemas reachable from `root`, or None when they recurse."""
    out: dict[str, Any] = {}
    stack: list[str] = []

    def visit(name: str) -> bool:
        if name in stack:
            return False
        if name in out:
            return True
        stack.append(name)
        out[name] = schemas[name]
        ok = walk(schemas[name])
        stack.pop()
        return ok

    def walk(o: Any) -> bool:
        if not isinstance(o, dict):
            return True
        ref = o.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMAS) and not visit(ref[len(SCHEMAS) :]):
            return False
        return all(walk(v) for v in subschemas(o))

    return out if visit(root) else None


def size(schemas: dict[str, Any], root: str) -> int:
    """Node count of the schema with every $ref inlined (closure() has ruled out recursion)."""
    memo: dict[str, int] = {}

    def count(o: Any) -> int:
        if not isinstance(o, dict):
            return 0
        ref = o.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMAS):
            name = ref[len(SCHEMAS) :]
            if name not in memo:
                memo[name] = 0
                memo[name] = count(schemas[name])
            return memo[name]
        return 1 + sum(count(v) for v in subschemas(o))

    return count({"$ref": SCHEMAS + root})


def tighten(s: Any, in_allof: bool = False) -> Any:
    """A copy of schema `s` whose every valid value is valid for `s`, shaped for readable, bounded draws."""
    if not isinstance(s, dict):
        return s
    out: dict[str, Any] = {}
    for k, v in s.items():
        if k in _DROP or k.startswith("x-"):
            continue
        if k in SUB_MAPS and isinstance(v, dict):
            out[k] = {name: tighten(sub) for name, sub in v.items()}
        elif k in SUB_ONE:
            out[k] = tighten(v)
        elif k in SUB_LIST and isinstance(v, list):
            out[k] = [tighten(x, k == "allOf") for x in v]
        else:
            out[k] = v
    t = out.get("type")
    if isinstance(out.get("format"), str) and out["format"] not in _FORMATS_KEPT:
        out.pop("format")
    if t == "object" and "additionalProperties" not in out and not in_allof and "properties" in out:
        out["additionalProperties"] = False
    if t == "string" and not any(k in out for k in ("enum", "const", "pattern", "format")):
        lo = int(out.get("minLength", 0))
        out["pattern"] = r"^[a-z][a-z0-9_-]*$" if lo else r"^[a-z0-9_-]*$"
        out["maxLength"] = min(int(out.get("maxLength", 24)), max(lo, 24))
    if t == "array":
        out["maxItems"] = min(int(out.get("maxItems", 2)), max(int(out.get("minItems", 0)), 2))
    if t in ("integer", "number") and "minimum" not in out and "exclusiveMinimum" not in out and "enum" not in out:
        out["minimum"] = 0
        out.setdefault("maximum", 10**9)
    return out


def draw(schemas: dict[str, Any], name: str, n: int = PER_SCHEMA, seed: int = SEED) -> list[Any] | None:
    """Up to n distinct examples of schema `name`, or None when it is too big, recursive or unsatisfiable."""
    comps = closure(schemas, name)
    if comps is None or size(schemas, name) > MAX_NODES:
        return None
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from hypothesis.errors import HypothesisException
    from hypothesis_jsonschema import from_schema

    root = {"$ref": SCHEMAS + name, "components": {"schemas": {k: tighten(v) for k, v in comps.items()}}}
    found: list[Any] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            strategy = from_schema(root, allow_x00=False)  # type: ignore[arg-type]

            @hseed(seed)
            @settings(
                database=None,
                phases=[Phase.generate],
                max_examples=n * 4,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=False,
            )
            @given(strategy)
            def collect(value: Any) -> None:
                if value not in found and len(found) < n:
                    found.append(value)

            collect()
    except (HypothesisException, ValueError, TypeError, RecursionError, KeyError):
        return None
    return found or None


def draw_all(
    schemas: dict[str, Any], names: list[str], budget: float | None = None
) -> tuple[dict[str, list[Any]], dict[str, float]]:
    """Examples for every name that can be drawn, and the seconds each took (for reporting only).

    `budget` (seconds) bounds the total time, smallest schemas first; it makes the result depend on the machine,
    so it is only for compiling `--spec` documents at start-up, never for the checked-in generated/.
    """
    out: dict[str, list[Any]] = {}
    timing: dict[str, float] = {}
    order = sorted(set(names))
    if budget is not None:
        order.sort(key=lambda n: (size(schemas, n) if closure(schemas, n) is not None else 10**9, n))
    start = time.perf_counter()
    for name in order:
        if budget is not None and time.perf_counter() - start > budget:
            break
        t0 = time.perf_counter()
        got = draw(schemas, name)
        timing[name] = time.perf_counter() - t0
        if got:
            out[name] = got
    return out, timing
