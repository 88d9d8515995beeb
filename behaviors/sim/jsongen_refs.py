"""Walking a JSON Schema's subschemas and resolving its local ``$ref`` s (shared by the jsongen modules).

:class:`SchemaDoc` wraps one root schema: it indexes ``$id`` / ``$anchor`` / ``$dynamicAnchor`` and resolves
``#``, ``#/json/pointer``, ``#anchor`` and ``<$id of an embedded schema>#...`` references (results cached).
Remote references are not fetched: they resolve to :data:`UNRESOLVED`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urljoin

__all__ = [
    "IN_PLACE_KEYS",
    "REF_KEYS",
    "UNRESOLVED",
    "SchemaDoc",
    "join_path",
    "subschemas",
]

# keywords whose value is one subschema
SCHEMA_KEYS = (
    "additionalProperties",
    "additionalItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
)
SCHEMA_LIST_KEYS = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_MAP_KEYS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
REF_KEYS = ("$ref", "$dynamicRef", "$recursiveRef")
# subschemas that apply to the same instance as their parent (a cycle through only these never ends)
IN_PLACE_KEYS = frozenset({"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependencies"})

UNRESOLVED: Any = object()  # what SchemaDoc.resolve returns for a reference it cannot follow


def join_path(parent: str, child: str) -> str:
    """``properties.age`` style location of a subschema (``""`` is the root)."""
    if not parent:
        return child
    return parent + child if child.startswith("[") else parent + "." + child


def subschemas(schema: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(keyword, relative path, subschema) for every direct subschema of ``schema`` (well-formed parts only)."""
    for key in SCHEMA_KEYS:
        if key in schema:
            yield key, key, schema[key]
    items = schema.get("items")
    if isinstance(items, list):
        for i, sub in enumerate(items):
            yield "items", f"items[{i}]", sub
    elif "items" in schema:
        yield "items", "items", items
    for key in SCHEMA_LIST_KEYS:
        value = schema.get(key)
        if isinstance(value, list):
            for i, sub in enumerate(value):
                yield key, f"{key}[{i}]", sub
    for key in SCHEMA_MAP_KEYS:
        value = schema.get(key)
        if isinstance(value, dict):
            for name, sub in value.items():
                yield key, f"{key}.{name}", sub
    deps = schema.get("dependencies")
    if isinstance(deps, dict):
        for name, sub in deps.items():
            if not isinstance(sub, list):
                yield "dependencies", f"dependencies.{name}", sub


class SchemaDoc:
    """One root schema with its identifiers indexed; ``resolve`` follows local references."""

    __slots__ = ("_anchors", "_base", "_cache", "_ids", "root")

    def __init__(self, root: Any) -> None:
        self.root = root
        self._anchors: dict[str, Any] = {}
        self._ids: dict[str, Any] = {}
        self._cache: dict[str, Any] = {}
        base = root.get("$id") if isinstance(root, dict) else None
        self._base = base.split("#", 1)[0] if isinstance(base, str) else ""
        self._index(root, 0)

    def _index(self, schema: Any, depth: int) -> None:
        if not isinstance(schema, dict) or depth > 200:
            return
        for key in ("$anchor", "$dynamicAnchor"):
            anchor = schema.get(key)
            if isinstance(anchor, str):
                self._anchors.setdefault(anchor, schema)
        sid = schema.get("$id") or schema.get("id")
        if isinstance(sid, str):
            if sid.startswith("#"):
                self._anchors.setdefault(sid[1:], schema)
            else:
                plain = sid.split("#", 1)[0]
                self._ids.setdefault(plain, schema)
                self._ids.setdefault(urljoin(self._base, plain), schema)
        for _, _, sub in subschemas(schema):
            self._index(sub, depth + 1)

    def resolve(self, ref: Any) -> Any:
        """The subschema ``ref`` points at, or :data:`UNRESOLVED`."""
        if not isinstance(ref, str):
            return UNRESOLVED
        hit = self._cache.get(ref, None)
        if hit is not None:
            return hit
        found = self._resolve(ref)
        if found is not UNRESOLVED:
            self._cache[ref] = found
        return found

    def _resolve(self, ref: str) -> Any:
        base, _, frag = ref.partition("#")
        if base:
            doc = self._ids.get(base)
            if doc is None:
                doc = self._ids.get(urljoin(self._base, base))
            if doc is None and base in (self._base, urljoin(self._base, base)) and self._base:
                doc = self.root
            if doc is None:
                return UNRESOLVED
        else:
            doc = self.root
        if not frag:
            return doc
        if not frag.startswith("/"):
            return self._anchors.get(unquote(frag), UNRESOLVED)
        node = doc
        for raw in frag[1:].split("/"):
            token = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                return UNRESOLVED
        return node
