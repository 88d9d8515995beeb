"""Every error is OpenAI's envelope with OpenAI's status code, and `param` names the offending field."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from fakeai.app import create_app
from fakeai.registry import Registered
from tests.conftest import AUTH, make_settings

CHAT = {"model": "openai/gpt-oss-120b", "messages": [{"role": "user", "content": "Hello"}]}


def envelope(resp, status: int, param: str | None = None, code: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert isinstance(err["message"], str) and err["message"]
    assert err["param"] == param
    if code is not None:
        assert err["code"] == code
    return err  # type: ignore[no-any-return]


def test_malformed_json_is_400(client: TestClient) -> None:
    r = client.post("/v1/chat/completions", headers={**AUTH, "content-type": "application/json"}, content=b'{"model": ')
    err = envelope(r, 400)
    assert "could not parse the JSON body" in err["message"]
    assert err["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    ("body", "param", "code", "words"),
    [
        ({"model": "m"}, "messages", "missing_required_parameter", "Missing required parameter: 'messages'"),
        ({**CHAT, "temperature": "hot"}, "temperature", "invalid_type", "expected a number"),
        ({**CHAT, "temperature": 3}, "temperature", "invalid_value", "temperature"),
        ({**CHAT, "n": 1.5}, "n", "invalid_type", "expected an integer"),
        (
            {"model": "m", "messages": [{"role": "user"}]},
            "messages[0].content",
            "missing_required_parameter",
            "content",
        ),
        (
            {"model": "m", "messages": [{"role": "user", "content": 5}]},
            "messages[0].content",
            None,
            "messages[0].content",
        ),
        ({"model": "m", "messages": "hi"}, "messages", "invalid_type", "expected an array"),
        ({**CHAT, "stream_options": None, "stop": None, "model": None}, "model", "invalid_type", "null"),
    ],
)
def test_schema_violation_is_400_naming_the_field(
    client: TestClient, body: dict, param: str, code: str | None, words: str
) -> None:  # type: ignore[type-arg]
    err = envelope(client.post("/v1/chat/completions", headers=AUTH, json=body), 400, param=param, code=code)
    assert err["type"] == "invalid_request_error"
    assert words in err["message"]


def test_body_that_is_not_an_object_is_400(client: TestClient) -> None:
    err = envelope(client.post("/v1/chat/completions", headers=AUTH, json=[1, 2]), 400)
    assert "request body" in err["message"]


def test_unknown_route_is_404(client: TestClient) -> None:
    err = envelope(client.get("/v1/no/such/thing", headers=AUTH), 404)
    assert err["message"] == "Invalid URL (GET /v1/no/such/thing)"


def test_wrong_method_is_405(client: TestClient) -> None:
    r = client.put("/v1/models", headers=AUTH)
    err = envelope(r, 405, code="method_not_allowed")
    assert "PUT" in err["message"]
    assert "GET" in r.headers.get("allow", "")


def test_wrong_content_type_is_415(client: TestClient) -> None:
    r = client.post("/v1/chat/completions", headers={**AUTH, "content-type": "text/plain"}, content=b"hello")
    err = envelope(r, 415, code="unsupported_media_type")
    assert "application/json" in err["message"]


def test_body_over_limit_is_413() -> None:
    with TestClient(create_app(make_settings(max_body_bytes=1000))) as c:
        big = {**CHAT, "messages": [{"role": "user", "content": "x" * 2000}]}
        envelope(c.post("/v1/chat/completions", headers=AUTH, json=big), 413, code="request_too_large")
        # also when the body is streamed without a Content-Length
        chunks = iter([b'{"model": "m", "messages": [{"role": "user", "content": "', b"x" * 1500, b'"}]}'])
        r = c.post("/v1/chat/completions", headers={**AUTH, "content-type": "application/json"}, content=chunks)
        envelope(r, 413, code="request_too_large")
        assert c.post("/v1/chat/completions", headers=AUTH, json=CHAT).status_code == 200


def test_missing_and_bad_keys_are_401(client: TestClient) -> None:
    err = envelope(client.get("/v1/models"), 401, code="invalid_api_key")
    assert "didn't provide an API key" in err["message"]
    err = envelope(
        client.get("/v1/models", headers={"Authorization": "Bearer sk-wrong-key-123456"}), 401, code="invalid_api_key"
    )
    assert "Incorrect API key" in err["message"]
    assert "sk-wrong-key-123456" not in err["message"]  # masked
    envelope(client.get("/v1/models", headers={"Authorization": "Basic abc"}), 401, code="invalid_api_key")


def test_auth_can_be_disabled_and_keys_configured() -> None:
    with TestClient(create_app(make_settings(require_api_key=False))) as c:
        assert c.get("/v1/models").status_code == 200
    with TestClient(create_app(make_settings(api_keys=["k-one", "k-two"]))) as c:
        assert c.get("/v1/models", headers={"Authorization": "Bearer k-two"}).status_code == 200
        assert c.get("/v1/models", headers=AUTH).status_code == 401


def test_health_and_metrics_need_no_key(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/kv-cache-metrics").status_code == 200


def test_unexpected_exception_is_500_envelope_without_stack_trace() -> None:
    app = create_app(make_settings())

    async def explode(req: object, ctx: object) -> None:
        raise RuntimeError("secret internal detail")

    handler = app.state.dispatcher.handlers["listModels"]
    handler.behaviour = Registered("listModels", explode, None)
    with TestClient(app, raise_server_exceptions=False) as c:
        err = envelope(c.get("/v1/models", headers=AUTH), 500)
    assert err["type"] == "server_error"
    assert "secret internal detail" not in err["message"]
    assert "Traceback" not in err["message"]


def test_unknown_fields_accepted_by_default_and_rejected_when_strict(client: TestClient) -> None:
    extras = {**CHAT, "ignore_eos": True, "top_k": 5, "some_vendor_flag": 1}
    assert client.post("/v1/chat/completions", headers=AUTH, json=extras).status_code == 200
    with TestClient(create_app(make_settings(strict_params=True))) as c:
        err = envelope(c.post("/v1/chat/completions", headers=AUTH, json=extras), 400, param="some_vendor_flag")
        assert err["message"] == "Unrecognized request argument supplied: some_vendor_flag"
        assert c.post("/v1/chat/completions", headers=AUTH, json=CHAT).status_code == 200


def test_query_parameter_errors_name_the_parameter(client: TestClient) -> None:
    err = envelope(client.get("/v1/files?limit=lots", headers=AUTH), 400, param="limit")
    assert "limit" in err["message"]
    err = envelope(client.get("/v1/files?order=sideways", headers=AUTH), 400, param="order")


def test_bad_input_never_500s(client: TestClient) -> None:
    bodies = [b"", b"null", b"[]", b'"x"', b"{}", b'{"messages": [null]}', b"\xff\xfe", b'{"model": {"a": []}}']
    for raw in bodies:
        r = client.post("/v1/chat/completions", headers={**AUTH, "content-type": "application/json"}, content=raw)
        assert 400 <= r.status_code < 500, (raw, r.status_code, r.text)
        err = r.json()["error"]
        assert set(err) == {"message", "type", "param", "code"} and err["message"]
