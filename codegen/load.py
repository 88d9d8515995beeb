"""Load, validate and merge OpenAPI documents.

YAML is read with a loader that keeps every scalar a JSON type (an unquoted date stays a string), so the merged
document can be hashed, dumped to JSON and handed to the other stages unchanged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _JSONSafeLoader(_Base):
    """SafeLoader without the timestamp resolver: `2024-01-01` loads as the string it is in JSON."""


_JSONSafeLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in _Base.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Source:
    """One input document: where it came from, its bytes and its parsed content."""

    name: str
    raw: bytes
    doc: dict[str, Any]


def read(path: Path, name: str | None = None) -> Source:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise SpecError(f"cannot read the document: {e.strerror or e}", source=str(path)) from e
    return parse(raw, name or path.name)


def parse(raw: bytes, name: str) -> Source:
    try:
        is_json = raw.lstrip()[:1] in (b"{", b"[")
        doc = json.loads(raw) if is_json else yaml.load(raw, Loader=_JSONSafeLoader)
    except (yaml.YAMLError, ValueError) as e:
        raise SpecError(f"not valid YAML/JSON: {e}", source=name) from e
    if not isinstance(doc, dict):
        raise SpecError("the document is not a mapping", source=name)
    # JSON round trip: rejects non-JSON scalars early and gives every stage plain dict/list/str/int/float/bool/None.
    try:
        doc = json.loads(json.dumps(doc))
    except (TypeError, ValueError) as e:
        raise SpecError(f"the document holds a value JSON cannot represent: {e}", source=name) from e
    return Source(name=name, raw=raw, doc=doc)


def sha256(sources: list[Source]) -> str:
    h = hashlib.sha256()
    for s in sources:
        h.update(s.raw)
    return h.hexdigest()


def validate(src: Source) -> None:
    """Structural checks the later stages rely on (refs are checked after merging, see check_refs)."""
    doc = src.doc
    version = str(doc.get("openapi", ""))
    if not version.startswith("3."):
        found = f"swagger: {doc['swagger']!r}" if "swagger" in doc else f"openapi: {doc.get('openapi')!r}"
        raise SpecError(f"not an OpenAPI 3.x document ({found})", "/openapi", src.name)
    paths = doc.get("paths", {})
    if not isinstance(paths, dict):
        raise SpecError("`paths` must be a mapping", "/paths", src.name)
    for path, item in paths.items():
        if not isinstance(path, str) or not path.startswith("/"):
            raise SpecError(f"path {path!r} must start with '/'", "/paths", src.name)
        if not isinstance(item, dict):
            raise SpecError("a path item must be a mapping", f"/paths/{path}", src.name)
        for method, op in item.items():
            if method not in METHODS:
                continue
            where = f"{method.upper()} {path}"
            if not isinstance(op, dict):
                raise SpecError("an operation must be a mapping", where, src.name)
            if not isinstance(op.get("responses"), dict) or not op["responses"]:
                raise SpecError("the operation has no responses", where, src.name)
    comps = doc.get("components", {})
    if not isinstance(comps, dict) or not isinstance(comps.get("schemas", {}), dict):
        raise SpecError("`components.schemas` must be a mapping", "/components", src.name)


def check_refs(doc: dict[str, Any], name: str) -> None:
    """Every $ref is local and resolves."""

    def walk(o: Any, ptr: str) -> None:
        if isinstance(o, dict):
            ref = o.get("$ref")
            if isinstance(ref, str):
                if not ref.startswith("#/"):
                    raise SpecError(f"external $ref {ref!r} is not supported", ptr, name)
                if resolve_pointer(doc, ref) is None:
                    raise SpecError(f"$ref {ref!r} does not resolve", ptr, name)
            for k, v in o.items():
                walk(v, f"{ptr}/{pointer_escape(str(k))}")
        elif isinstance(o, list):
            for i, v in enumerate(o):
                walk(v, f"{ptr}/{i}")

    walk(doc, "")


def pointer_escape(segment: str) -> str:
    """A JSON pointer segment (RFC 6901): `~` as `~0`, `/` as `~1`."""
    return segment.replace("~", "~0").replace("/", "~1")


def resolve_pointer(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for seg in ref[2:].split("/"):
        seg = seg.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or seg not in node:
            return None
        node = node[seg]
    return node


def merge(base: Source, extensions: list[Source]) -> dict[str, Any]:
    """Merge extension documents into the base: new paths/methods and new components; a clash is an error."""
    doc = json.loads(json.dumps(base.doc))
    for ext in extensions:
        for path, item in ext.doc.get("paths", {}).items():
            dest = doc.setdefault("paths", {}).setdefault(path, {})
            for key, val in item.items():
                if key in dest and dest[key] != val:
                    what = f"{key.upper()} {path}" if key in METHODS else f"{path} {key}"
                    raise SpecError(f"{what} is defined in both {base.name} and {ext.name}", source=ext.name)
                dest[key] = val
        for kind, entries in ext.doc.get("components", {}).items():
            dest = doc.setdefault("components", {}).setdefault(kind, {})
            for cname, val in (entries or {}).items():
                if cname in dest and dest[cname] != val:
                    raise SpecError(
                        f"components.{kind}.{cname} differs between {base.name} and {ext.name}", source=ext.name
                    )
                dest[cname] = val
        for tag in ext.doc.get("tags", []):
            if tag not in doc.setdefault("tags", []):
                doc["tags"].append(tag)
    return doc
