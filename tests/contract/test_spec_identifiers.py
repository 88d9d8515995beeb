"""spec/ identifiers match the upstream OpenAI spec exactly; descriptions are ours.

Compared with ../shared/specs/openai-openapi.yaml when it is present (skipped otherwise): for every operation of
ours that upstream has, the same method, path, parameters (name, location, required) and schema names; for every
component schema of ours that upstream has, properties a subset of upstream's (extras must say
`x-fakeai-extension: true`), the same `required` list, the same enums and consts. Our own operations and
schemas say `x-fakeai-extension: true`. No description may be copied from upstream.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fakeai.codegen import load, names

from tests.conftest import REPO, UPSTREAM_SPEC

METHODS = ("get", "put", "post", "delete", "patch")
needs_upstream = pytest.mark.skipif(not UPSTREAM_SPEC.exists(), reason=f"upstream spec not found at {UPSTREAM_SPEC}")


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    main = load.read(REPO / "spec" / "openapi.yaml")
    ext = load.read(REPO / "spec" / "extensions.yaml")
    return load.merge(main, [ext])


@pytest.fixture(scope="module")
def upstream() -> dict[str, Any]:
    return load.read(Path(UPSTREAM_SPEC)).doc


def strip_null(s: dict[str, Any]) -> dict[str, Any]:
    for key in ("anyOf", "oneOf"):
        if key in s:
            alts = [a for a in s[key] if a != {"type": "null"}]
            if len(alts) < len(s[key]):
                rest = {k: v for k, v in s.items() if k != key}
                return {**rest, **alts[0]} if len(alts) == 1 else {**rest, key: alts}
    t = s.get("type")
    if isinstance(t, list) and "null" in t:
        t2 = [x for x in t if x != "null"]
        return {**s, "type": t2[0] if len(t2) == 1 else t2}
    return {k: v for k, v in s.items() if k != "nullable"}


def refname(s: Any) -> str | None:
    if isinstance(s, dict) and isinstance(s.get("$ref"), str):
        return str(s["$ref"].split("/")[-1])
    return None


def sse_payload(s: dict[str, Any]) -> dict[str, Any]:
    """Our SSE media describe the event record; upstream's the payload: compare the payloads."""
    data = s.get("properties", {}).get("data", {})
    for cand in (data, *data.get("anyOf", [])):
        if isinstance(cand, dict) and "contentSchema" in cand:
            return dict(cand["contentSchema"])
    return s


def flatten_allof(s: dict[str, Any], comps: dict[str, Any]) -> dict[str, Any]:
    if "allOf" not in s:
        return s
    out = {k: v for k, v in s.items() if k != "allOf"}
    props = dict(out.get("properties", {}))
    req = list(out.get("required", []))
    for m in s["allOf"]:
        m2 = flatten_allof(comps[refname(m)] if refname(m) else m, comps)  # type: ignore[index]
        props.update(m2.get("properties", {}))
        req += m2.get("required", [])
    out["properties"], out["required"] = props, sorted(set(req))
    return out


def compare(ours: Any, up: Any, where: str, problems: list[str], depth: int = 0) -> None:
    if depth > 12 or not isinstance(ours, dict) or not isinstance(up, dict):
        return
    o, u = strip_null(ours), strip_null(up)
    if refname(o) or refname(u):
        if refname(o) and refname(u) and refname(o) != refname(u):
            problems.append(f"{where}: refers to {refname(o)}, upstream to {refname(u)}")
        return
    if (
        "enum" in o
        and "enum" in u
        and {x for x in o["enum"] if x is not None} != {x for x in u["enum"] if x is not None}
    ):
        problems.append(f"{where}: enum differs from upstream")
    if "const" in o and "const" in u and o["const"] != u["const"]:
        problems.append(f"{where}: const differs from upstream")
    po, pu = o.get("properties"), u.get("properties")
    if po is not None and pu is not None:
        extra = sorted(
            k for k in set(po) - set(pu) if not (isinstance(po[k], dict) and po[k].get("x-fakeai-extension"))
        )
        if extra:
            problems.append(f"{where}: properties not upstream: {extra}")
        if set(o.get("required", [])) != set(u.get("required", [])):
            problems.append(f"{where}: required {sorted(o.get('required', []))} != {sorted(u.get('required', []))}")
        for k in set(po) & set(pu):
            compare(po[k], pu[k], f"{where}.{k}", problems, depth + 1)
    if "items" in o and "items" in u:
        compare(o["items"], u["items"], f"{where}[]", problems, depth + 1)


def upstream_ops(doc: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        op["operationId"]: (path, m, op)
        for path, item in doc["paths"].items()
        for m, op in item.items()
        if m in METHODS and "?" not in path
    }


@needs_upstream
def test_operations_match_upstream(ours: dict[str, Any], upstream: dict[str, Any]) -> None:
    up = upstream_ops(upstream)
    problems: list[str] = []
    for path, item in ours["paths"].items():
        for m, op in item.items():
            if m not in METHODS:
                continue
            oid, w = op["operationId"], f"{m.upper()} {path} ({op['operationId']})"
            if oid not in up:
                if not op.get("x-fakeai-extension"):
                    problems.append(f"{w}: not upstream and not marked x-fakeai-extension")
                continue
            upath, um, uop = up[oid]
            if (upath, um) != (path, m):
                problems.append(f"{w}: upstream has it at {um.upper()} {upath}")
            uparams = {(p["name"], p["in"]): p for p in uop.get("parameters", []) if "name" in p}
            for p in op.get("parameters", []):
                key = (p["name"], p["in"])
                if key not in uparams:
                    problems.append(f"{w}: parameter {key} not upstream")
                elif bool(p.get("required")) != bool(uparams[key].get("required")):
                    problems.append(f"{w}: parameter {key} required differs")
            mine = {(p["name"], p["in"]) for p in op.get("parameters", [])}
            problems += [
                f"{w}: required parameter {k} missing"
                for k, p in uparams.items()
                if p.get("required") and k not in mine
            ]
            ubody = uop.get("requestBody", {}).get("content", {})
            for ct, media in op.get("requestBody", {}).get("content", {}).items():
                if ct not in ubody:
                    problems.append(f"{w}: request media {ct} not upstream")
                    continue
                mine_name, up_name = refname(media.get("schema")), refname(ubody[ct].get("schema"))
                hoisted = names.pascal(oid) + "Request"  # upstream's inline body gets this name when compiled
                if mine_name != up_name and not (up_name is None and mine_name == hoisted):
                    problems.append(f"{w}: request schema {mine_name} != upstream {up_name}")
            for status, resp in op["responses"].items():
                if not status.startswith("2"):
                    continue
                uresp = uop["responses"].get(status)
                if uresp is None:
                    problems.append(f"{w}: success status {status} not upstream")
                    continue
                for ct, media in resp.get("content", {}).items():
                    if ct not in uresp.get("content", {}):
                        if not media.get("x-fakeai-extension"):
                            problems.append(f"{w}: response media {ct} not upstream")
                        continue
                    mine_schema = sse_payload(media["schema"]) if ct == "text/event-stream" else media["schema"]
                    compare(mine_schema, uresp["content"][ct]["schema"], f"{w} {status} {ct}", problems)
    assert not problems, "\n".join(problems)


@needs_upstream
def test_schemas_match_upstream(ours: dict[str, Any], upstream: dict[str, Any]) -> None:
    mine, theirs = ours["components"]["schemas"], upstream["components"]["schemas"]
    problems: list[str] = []
    for name, schema in mine.items():
        if name not in theirs:
            if not schema.get("x-fakeai-extension"):
                problems.append(f"schema {name}: not upstream and not marked x-fakeai-extension")
            continue
        compare(flatten_allof(schema, mine), flatten_allof(theirs[name], theirs), f"schema {name}", problems)
    assert not problems, "\n".join(problems)


def _descriptions(o: Any, out: set[str]) -> None:
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("description", "summary") and isinstance(v, str) and len(v) > 40:
                out.add(" ".join(v.split()))
            else:
                _descriptions(v, out)
    elif isinstance(o, list):
        for v in o:
            _descriptions(v, out)


@needs_upstream
def test_no_description_copied_from_upstream(ours: dict[str, Any], upstream: dict[str, Any]) -> None:
    mine: set[str] = set()
    theirs: set[str] = set()
    _descriptions(ours, mine)
    _descriptions(upstream, theirs)
    copied = sorted(mine & theirs)
    assert not copied, f"{len(copied)} descriptions identical to upstream's, e.g. {copied[:3]}"


def test_every_operation_documents_errors_and_security(ours: dict[str, Any]) -> None:
    problems = []
    for path, item in ours["paths"].items():
        for m, op in item.items():
            if m in METHODS:
                missing = [c for c in ("400", "401", "404", "429", "500") if c not in op["responses"]]
                if missing or "security" not in op or not op.get("summary"):
                    problems.append(f"{m.upper()} {path}: missing {missing or ''} security/summary")
    assert not problems, "\n".join(problems)


def test_no_stray_keys_from_unquoted_commas() -> None:
    """A comma inside a flow mapping (`{description: a, b}`) silently makes a key `b` with a null value."""
    import yaml

    stray = []

    def walk(o: Any, path: str) -> None:
        if isinstance(o, dict):
            for k, v in o.items():
                if v is None and isinstance(k, str) and (" " in k or k.endswith(".")):
                    stray.append(f"{path}/{k}")
                walk(v, f"{path}/{k}")
        elif isinstance(o, list):
            for i, v in enumerate(o):
                walk(v, f"{path}/{i}")

    for name in ("openapi.yaml", "extensions.yaml"):
        walk(yaml.safe_load((REPO / "spec" / name).read_text()), name)
    assert not stray, "\n".join(stray)
