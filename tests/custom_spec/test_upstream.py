"""`fakeai serve --spec openai-openapi.yaml`: every operation of the upstream spec answers schema-valid.

Needs ../shared/specs/openai-openapi.yaml (skipped, saying so, where that file is absent). Requests are built
from the spec itself (the structural generator draws a valid body and the required parameters), sent through
the app, and each 2xx answer is validated against the documented response schema: JSON with jsonschema, SSE
event by event, binary bodies for being non-empty.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections import Counter
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from fakeai import spec_loader
from fakeai.app import create_app
from fakeai.skeleton import Skeleton
from tests.conftest import AUTH, UPSTREAM_SPEC, make_settings

pytestmark = pytest.mark.skipif(not UPSTREAM_SPEC.exists(), reason=f"upstream spec not found at {UPSTREAM_SPEC}")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    cache = tmp_path_factory.mktemp("spec-cache")
    t0 = time.perf_counter()
    pkg = spec_loader.load_custom(UPSTREAM_SPEC, cache)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    spec_loader.load_custom(UPSTREAM_SPEC, cache)
    cached = time.perf_counter() - t0
    print(f"\nupstream spec: {len(pkg.operations)} operations; compile cold {cold:.1f}s, cached {cached:.2f}s")
    with TestClient(create_app(make_settings(), spec=pkg)) as client:
        yield pkg, client


def validator(doc: dict[str, Any], ref: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**doc, "$ref": ref})


def build_request(pkg: Any, op: Any, sk: Skeleton, rng: random.Random) -> dict[str, Any]:
    path = re.sub(r"\{([^}]+)\}", lambda m: "gpt-4o" if m.group(1) == "model" else f"{m.group(1)}_1", op.path)
    kwargs: dict[str, Any] = {"headers": dict(AUTH)}
    if op.params_model:
        model = pkg.model(op.params_model)
        query = {}
        for p in op.params:
            if p.location == "query" and p.required:
                schema = model.model_json_schema()["properties"][p.name]
                query[p.name] = sk.value({**schema, "$defs": {}}, rng) if "$ref" not in json.dumps(schema) else "1"
        kwargs["params"] = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in query.items()}
    json_body = next((b for b in op.bodies if "json" in b.media), None)
    form_body = next((b for b in op.bodies if b.media.startswith("multipart/")), None)
    body = json_body or form_body
    if body is not None and body.schema:
        value = sk.value(sk.resolve(body.schema), rng)
        for key in ("stream",):
            if isinstance(value, dict) and key in value:
                value[key] = False
        if body is json_body:
            kwargs["json"] = value
        else:
            data, files = {}, {}
            schema = sk.node(sk.resolve(body.schema))
            for k, v in (value or {}).items():
                prop = schema.properties.get(k, {})
                if isinstance(prop, dict) and prop.get("format") == "binary":
                    files[k] = ("upload.bin", b"RIFF....WAVEfmt ", "application/octet-stream")
                elif isinstance(v, dict | list):
                    data[k] = json.dumps(v)
                else:
                    data[k] = str(v).lower() if isinstance(v, bool) else str(v)
            kwargs["data"], kwargs["files"] = data, files or None
    elif op.bodies and op.bodies[0].media == "application/sdp":
        kwargs["content"] = b"v=0\r\n"
        kwargs["headers"]["content-type"] = "application/sdp"
    return {"method": op.method, "url": "/v1" + path, **kwargs}


def test_every_upstream_operation_answers_schema_valid(served: Any) -> None:
    """Operations answered by the filler must answer 2xx; those fakeai's behaviours serve may also give a documented
    4xx for the made-up ids and contents of these requests (404 for an unknown file id, 400 for a batch upload that
    is not JSONL) — as long as that answer is OpenAI's error envelope. Never a 5xx."""
    pkg, client = served
    sk = Skeleton(pkg.spec)
    served_by = client.app.state.dispatcher.handlers
    answered: Counter[str] = Counter()
    refused: list[str] = []
    failures: list[str] = []
    for op in pkg.operations:
        rng = random.Random(op.operation_id)
        req = build_request(pkg, op, sk, rng)
        resp = client.request(**req)
        if resp.status_code in (400, 404) and served_by[op.operation_id].behaviour is not None:
            err = resp.json().get("error", {})
            if set(err) == {"message", "type", "param", "code"}:
                refused.append(f"{op.operation_id}: {resp.status_code} {err['message'][:80]}")
                answered.update(op.tags or ["(untagged)"])
                continue
        if not 200 <= resp.status_code < 300:
            failures.append(f"{op.operation_id}: {resp.status_code} {resp.text[:200]}")
            continue
        ctype = resp.headers.get("content-type", "").split(";")[0]
        media = {m.media: m for m in op.success.media}
        m = media.get(ctype)
        if m is None and op.success.media:
            failures.append(f"{op.operation_id}: answered {ctype!r}, documented {list(media)}")
            continue
        if m is not None and m.kind == "json" and m.schema:
            errors = sorted(validator(pkg.spec, m.schema).iter_errors(resp.json()), key=lambda e: e.path)
            if errors:
                failures.append(f"{op.operation_id}: {errors[0].message[:200]} at {list(errors[0].path)}")
                continue
        elif m is not None and m.kind == "sse" and m.schema:
            v = validator(pkg.spec, m.schema)
            events = [line[6:] for line in resp.text.splitlines() if line.startswith("data: ")]
            bad = [e for e in events if e != "[DONE]" and not v.is_valid(json.loads(e))]
            if not events or bad:
                failures.append(f"{op.operation_id}: SSE events invalid: {bad[:1]}")
                continue
        elif m is not None and m.kind in ("binary", "text") and not resp.content:
            failures.append(f"{op.operation_id}: empty {m.media} body")
            continue
        answered.update(op.tags or ["(untagged)"])
    assert not failures, f"{len(failures)} of {len(pkg.operations)} failed:\n" + "\n".join(failures)
    tags = {t for op in pkg.operations for t in (op.tags or ["(untagged)"])}
    assert set(answered) == tags
    print(f"{len(pkg.operations)} upstream operations answered schema-valid, across {len(tags)} tags;")
    print(f"{len(refused)} of them, served by behaviours, refused these made-up requests with a documented 4xx:")
    print("\n".join("  " + r for r in refused))
