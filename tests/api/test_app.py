"""The app around the generated routes: /v1 and root alias, the served spec and docs, behaviours vs filler."""

from __future__ import annotations

import gc
import json
import re

from starlette.testclient import TestClient

from fakeai.app import create_app
from fakeai.spec_loader import load_builtin
from tests.conftest import AUTH, make_settings


def test_api_answers_under_v1_and_at_root(client: TestClient) -> None:
    a = client.get("/v1/models", headers=AUTH)
    b = client.get("/models", headers=AUTH)
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()


def test_model_ids_with_slashes_route(client: TestClient) -> None:
    r = client.get("/v1/models/openai/gpt-oss-120b", headers=AUTH)
    assert r.status_code == 200
    assert r.json()["object"] == "model"


def test_openapi_json_is_the_spec_document(client: TestClient) -> None:
    served = client.get("/openapi.json")
    assert served.status_code == 200
    doc = served.json()
    assert doc == json.loads(load_builtin().spec_bytes)
    assert "/chat/completions" in doc["paths"]
    assert doc["paths"]["/chat/completions"]["post"]["operationId"] == "createChatCompletion"


def test_docs_page(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    assert "swagger" in r.text.lower()
    assert "/openapi.json" in r.text


def test_same_request_same_answer_for_filled_operations(client: TestClient) -> None:
    a = client.get("/v1/organization/users?limit=3", headers=AUTH).json()
    b = client.get("/v1/organization/users?limit=3", headers=AUTH).json()
    c = client.get("/v1/organization/users?limit=4", headers=AUTH).json()
    assert a == b
    assert a != c or a["object"] == "list"


def test_every_operation_has_a_route(client: TestClient) -> None:
    """Each operation's method+path reaches its handler: without a key it is refused (401) or open, never 404/405."""
    for op in load_builtin().operations:
        path = "/v1" + re.sub(r"\{[^}]+\}", "x1", op.path)
        r = client.request(op.method, path)
        expected = {401} if op.security and all(op.security) else {200, 400, 404, 415}
        assert r.status_code in expected, (op.operation_id, r.status_code, r.text[:200])


def test_startup_objects_are_frozen_while_serving() -> None:
    """The spec's ~100k start-up objects are kept out of the cyclic collector's full passes while the app serves
    (each pass would otherwise walk them all), and handed back when it stops."""
    app = create_app(make_settings())
    with TestClient(app) as c:
        assert gc.get_freeze_count() > 50_000
        assert c.get("/v1/models", headers=AUTH).status_code == 200
    assert gc.get_freeze_count() == 0


def test_middleware_added_by_a_user_sees_api_requests() -> None:
    """The fast path runs ahead of FastAPI's stack only while the app has no middleware of the user's."""
    app = create_app(make_settings())
    seen: list[str] = []

    @app.middleware("http")
    async def record(request, call_next):  # type: ignore[no-untyped-def]
        seen.append(request.url.path)
        return await call_next(request)

    with TestClient(app) as c:
        assert c.get("/v1/models", headers=AUTH).status_code == 200
        assert c.get("/models", headers=AUTH).status_code == 200  # the /v1 alias still applies after it
    assert seen == ["/v1/models", "/models"]  # (outermost: it sees the path as sent)
