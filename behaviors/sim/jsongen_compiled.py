"""One schema compiled for jsongen: its :class:`SchemaDoc`, :class:`Validator` and memoised :class:`Node` s.

Nodes are keyed by the identities of the subschemas they merge (plus the branch points already resolved), so
the schema is kept as a private copy for the lifetime of the :class:`Compiled`; branch schemas made up here (for
``if``/``then``/``else`` and ``dependentSchemas``) are kept alive for the same reason. Memo writes are single
``dict.setdefault`` calls, so sharing one instance between threads is safe.
"""

from __future__ import annotations

from typing import Any

from fakeai.behaviors.sim.jsongen_nodes import Choice, Node
from fakeai.behaviors.sim.jsongen_refs import REF_KEYS, UNRESOLVED, SchemaDoc, subschemas
from fakeai.behaviors.sim.jsongen_regex import compile_pattern
from fakeai.behaviors.sim.jsongen_validate import Validator

__all__ = ["Compiled"]

_NODE_LIMIT = 20000  # nodes memoised per schema (more are built but not kept)


class Compiled:
    """One schema ready for generation: its document, validator and memoised nodes."""

    def __init__(self, schema: Any) -> None:
        self.doc = SchemaDoc(schema)
        self.validator = Validator(self.doc)
        self._nodes: dict[Any, Node] = {}
        self._choices: dict[int, list[Choice]] = {}
        self._keep: list[Any] = []  # synthetic branch schemas (their ids are node keys)
        self._has_ref: dict[int, bool] = {}
        self.root = self.node((schema,))

    def node(self, raws: tuple[Any, ...], resolved: frozenset[int] = frozenset()) -> Node:
        """The node of the conjunction ``raws`` (branch points of the schemas in ``resolved`` already chosen)."""
        key = (tuple(id(r) for r in raws), resolved)
        node = self._nodes.get(key)
        if node is None:
            node = Node(self, raws, resolved)
            if len(self._nodes) < _NODE_LIMIT:
                node = self._nodes.setdefault(key, node)
        return node

    def flatten(self, raws: tuple[Any, ...]) -> tuple[list[dict[str, Any]], bool]:
        """The dict schemas of a conjunction with ``$ref`` targets and ``allOf`` members inlined (and whether a
        ``false`` schema is among them)."""
        flat: list[dict[str, Any]] = []
        seen: set[int] = set()
        impossible = False
        stack = list(reversed(raws))
        while stack:
            s = stack.pop()
            if s is False:
                impossible = True
            if not isinstance(s, dict) or id(s) in seen:
                continue
            seen.add(id(s))
            flat.append(s)
            pending = [self.doc.resolve(s[k]) for k in REF_KEYS if k in s]
            all_of = s.get("allOf")
            pending += all_of if isinstance(all_of, list) else []
            stack += [p for p in reversed(pending) if p is not UNRESOLVED]
        return flat, impossible

    def choices_of(self, s: dict[str, Any]) -> list[Choice]:
        """The branch points a schema holds: anyOf, oneOf, if (then / not-if + else), dependentSchemas."""
        got = self._choices.get(id(s))
        if got is not None:
            return got
        out: list[Choice] = []
        for kind in ("anyOf", "oneOf"):
            if isinstance(s.get(kind), list) and s[kind]:
                out.append((id(s), kind, s[kind]))
        if "if" in s:
            yes = {"allOf": [s["if"], s.get("then", True)]}
            no = {"allOf": [{"not": s["if"]}, s.get("else", True)]}
            out.append((id(s), "if", [yes, no]))
        for key in ("dependentSchemas", "dependencies"):
            deps = s.get(key)
            for name, dep in deps.items() if isinstance(deps, dict) else ():
                if not isinstance(dep, list):
                    branches = [{"required": [name], "allOf": [dep]}, {"not": {"required": [name]}}]
                    out.append((id(s), "dep:" + name, branches))
        self._keep += [b for _, kind, branches in out if kind not in ("anyOf", "oneOf") for b in branches]
        return self._choices.setdefault(id(s), out)

    def pattern(self, pattern: str, name: str) -> bool:
        """Whether ``pattern`` (JSON Schema regex, search semantics) matches ``name``."""
        rx = compile_pattern(pattern)
        return rx is not None and rx.search(name) is not None

    def has_ref(self, s: Any, depth: int = 0) -> bool:
        """Whether a subschema contains a ``$ref`` (a branch without one ends a recursion)."""
        if not isinstance(s, dict) or depth > 50:
            return False
        hit = self._has_ref.get(id(s))
        if hit is None:
            hit = any(k in s for k in REF_KEYS) or any(self.has_ref(sub, depth + 1) for _, _, sub in subschemas(s))
            self._has_ref[id(s)] = hit
        return hit
