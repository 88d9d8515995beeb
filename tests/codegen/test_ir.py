"""ir.py: the operation table built from a normalised document (params, security, responses, media kinds)."""

from __future__ import annotations

from typing import Any

import pytest
from fakeai.codegen import ir
from fakeai.codegen.errors import SpecError
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from .support import compile_doc, doc_with, get_op, load_module, normalized, ok_response

S = "#/components/schemas/"


def build(doc: dict[str, Any]) -> dict[str, ir.Operation]:
    return {op.operation_id: op for op in ir.build(normalized(doc))}


def q(name: str, schema: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, **kw}


def test_param_kinds_and_required() -> None:
    params = [
        {"name": "id", "in": "path", "schema": {"type": "string"}},  # path params are required even unsaid
        q("n", {"type": "integer"}, required=True),
        q("tags", {"type": "array", "items": {"type": "string"}}),
        q("meta", {"type": "object", "additionalProperties": {"type": "string"}}, style="deepObject"),
        q("maybe_list", {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]}),
        q("nullable_obj", {"type": ["object", "null"]}),
        q("ref", {"$ref": S + "Filter"}),
        q("either", {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
        q("untyped", {}),
        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},  # not a path/query parameter
    ]
    schemas = {"Obj": {"type": "object"}, "Filter": {"type": "object", "properties": {"a": {"type": "string"}}}}
    op = build(doc_with({"/t/{id}": {"get": get_op("getT", parameters=params)}}, schemas))["getT"]
    assert [(p.name, p.location, p.required, p.kind) for p in op.params] == [
        ("id", "path", True, "scalar"),
        ("n", "query", True, "scalar"),
        ("tags", "query", False, "array"),
        ("meta", "query", False, "object"),
        ("maybe_list", "query", False, "array"),
        ("nullable_obj", "query", False, "object"),
        ("ref", "query", False, "object"),
        ("either", "query", False, "scalar"),
        ("untyped", "query", False, "scalar"),
    ]
    assert op.params_model == "GetTParams"


def test_params_schemas_match_the_table() -> None:
    doc = normalized(
        doc_with(
            {
                "/t/{id}": {
                    "get": get_op("getT", parameters=[{"name": "id", "in": "path", "schema": {"type": "string"}}])
                },
                "/u": {"get": get_op("getU", parameters=[q("n", {"type": "integer"})])},
                "/v": {"get": get_op("getV")},
            },
            {"Obj": {"type": "object"}, "GetTParams": {"type": "string"}},  # a spec schema already takes the name
        )
    )
    schemas = ir.params_schemas(doc)
    assert schemas == {
        "GetTParams2": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
        "GetUParams": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": []},
    }
    table = {op.operation_id: op.params_model for op in ir.build(doc)}
    assert table == {"getT": "GetTParams2", "getU": "GetUParams", "getV": None}


def test_security_tuples() -> None:
    doc = doc_with(
        {
            "/global": {"get": get_op("global")},
            "/own": {"get": get_op("own", security=[{"Admin": []}, {"Key": [], "Admin": []}])},
            "/open": {"get": get_op("open", security=[])},
        },
        security=[{"Key": []}],
    )
    doc["components"]["securitySchemes"] = {"Key": {"type": "http", "scheme": "bearer"}, "Admin": {"type": "apiKey"}}
    ops = build(doc)
    assert ops["global"].security == (("Key",),)
    assert ops["own"].security == (("Admin",), ("Admin", "Key"))  # alternatives; schemes of one requirement sorted
    assert ops["open"].security == ()


def test_success_response_selection() -> None:
    def op_with(*statuses: str) -> dict[str, Any]:
        return {"operationId": "op" + "".join(statuses), "responses": {s: {"description": s} for s in statuses}}

    doc = doc_with(
        {
            "/a": {"get": op_with("201", "200")},
            "/b": {"get": op_with("default", "202")},
            "/c": {"get": op_with("default")},
            "/d": {"get": op_with("2XX", "204")},
        }
    )
    ops = build(doc)
    assert ops["op201200"].success.status == "200"
    assert ops["opdefault202"].success.status == "202"
    assert ops["opdefault"].success.status == "400"  # no 2xx: the first (sorted) response, an added error
    assert ops["op2XX204"].success.status == "204"
    assert [r.status for r in ops["op201200"].responses] == ["200", "201", "400", "401", "404", "429", "500", "503"]


def test_media_kinds_streams_and_multipart() -> None:
    content = {
        "application/json": {"schema": {"$ref": S + "Obj"}},
        "text/event-stream": {"schema": {"$ref": S + "Obj"}},
        "text/plain": {"schema": {"type": "string"}},
        "audio/mpeg": {"schema": {"type": "string", "format": "binary"}},
    }
    form = {"multipart/form-data": {"schema": {"$ref": S + "Obj"}}}
    doc = doc_with(
        {
            "/s": {"post": {"operationId": "s", "responses": {"200": {"description": "x", "content": content}}}},
            "/f": {"post": get_op("f", requestBody={"required": True, "content": form})},
            "/u": {
                "post": get_op(
                    "u",
                    requestBody={"content": {"application/x-www-form-urlencoded": {"schema": {"$ref": S + "Obj"}}}},
                )
            },
            "/j": {"post": get_op("j", requestBody={"content": {"application/json": {"schema": {"$ref": S + "Obj"}}}})},
        }
    )
    ops = build(doc)
    kinds = {m.media: (m.kind, m.model, m.schema) for m in ops["s"].success.media}
    assert kinds == {
        "application/json": ("json", "Obj", S + "Obj"),
        "audio/mpeg": ("binary", None, None),
        "text/event-stream": ("sse", None, S + "Obj"),
        "text/plain": ("text", None, None),
    }
    assert ops["s"].streams and not ops["s"].multipart
    assert ops["f"].multipart and ops["f"].body_required and not ops["f"].streams
    assert ops["f"].bodies == (ir.Body(media="multipart/form-data", model="Obj", schema=S + "Obj"),)
    assert ops["u"].multipart and not ops["u"].body_required
    assert not ops["j"].multipart


def test_streams_only_looks_at_the_success_response() -> None:
    doc = doc_with(
        {
            "/a": {
                "get": {
                    "operationId": "a",
                    "responses": {
                        **ok_response("Obj"),
                        "400": {"description": "x", "content": {"text/event-stream": {"schema": {"$ref": S + "Obj"}}}},
                    },
                }
            }
        }
    )
    assert not build(doc)["a"].streams


@pytest.mark.parametrize(
    ("schema", "payload"),
    [
        pytest.param({"$ref": S + "Chunk"}, S + "Chunk", id="plain-ref"),
        pytest.param(
            {
                "type": "object",
                "properties": {
                    "event": {"type": "string"},
                    "data": {
                        "type": "string",
                        "contentMediaType": "application/json",
                        "contentSchema": {"$ref": S + "Ev"},
                    },
                },
            },
            S + "Ev",
            id="event-record",
        ),
        pytest.param(
            {
                "type": "object",
                "properties": {
                    "data": {
                        "anyOf": [
                            {"type": "string", "contentSchema": {"$ref": S + "Chunk"}},
                            {"const": "[DONE]"},
                        ]
                    }
                },
            },
            S + "Chunk",
            id="event-record-with-done-sentinel",
        ),
        pytest.param(
            {
                "type": "object",
                "properties": {"data": {"oneOf": [{"const": "[DONE]"}, {"contentSchema": {"$ref": S + "C"}}]}},
            },
            S + "C",
            id="oneOf",
        ),
        pytest.param({"type": "object", "properties": {"data": {"type": "string"}}}, None, id="no-content-schema"),
        pytest.param({"type": "string"}, None, id="plain-text"),
        pytest.param({}, None, id="empty"),
    ],
)
def test_sse_payload(schema: dict[str, Any], payload: str | None) -> None:
    assert ir._sse_payload(schema) == payload


def test_build_sorts_literals_first_and_marks_greedy_model() -> None:
    doc = doc_with(
        {
            "/models/{model}": {
                "get": get_op(
                    "retrieveModel", parameters=[{"name": "model", "in": "path", "schema": {"type": "string"}}]
                )
            },
            "/items/{id}": {
                "get": get_op("getItem", parameters=[{"name": "id", "in": "path", "schema": {"type": "string"}}])
            },
            "/items/search": {"get": get_op("searchItems")},
            "/items/{model}/x": {
                "get": get_op("getX", parameters=[{"name": "model", "in": "path", "schema": {"type": "string"}}])
            },
        }
    )
    table = [(op.path, op.route_path) for op in ir.build(normalized(doc))]
    assert table == [
        ("/items/search", "/items/search"),
        ("/items/{id}", "/items/{id}"),
        ("/items/{model}/x", "/items/{model}/x"),  # `model` not at the end: not greedy
        ("/models/{model}", "/models/{model:path}"),
    ]


def test_path_template_must_match_path_parameters() -> None:
    extra = doc_with(
        {"/t": {"get": get_op("t", parameters=[{"name": "id", "in": "path", "required": True, "schema": {}}])}}
    )
    with pytest.raises(SpecError, match=r"GET /t: path parameters \[\] do not match the declared ones \['id'\]"):
        build(extra)


def test_extension_flag_and_summary() -> None:
    doc = doc_with({"/a": {"get": get_op("a", summary="  Two\n  lines  ", tags=["T"], **{"x-fakeai-extension": True})}})
    op = build(doc)["a"]
    assert (op.extension, op.summary, op.tags) == (True, "Two lines", ("T",))


def test_model_names() -> None:
    doc = doc_with(
        {
            "/a": {
                "post": get_op(
                    "a",
                    parameters=[q("n", {"type": "integer"})],
                    requestBody={"content": {"application/json": {"schema": {"$ref": S + "In"}}}},
                )
            }
        },
        {"Obj": {"type": "object"}, "In": {"type": "object"}},
    )
    assert ir.model_names(ir.build(normalized(doc))) == {"Obj", "In", "AParams", "ErrorResponse"}


# ---- known defects -----------------------------------------------------------------------------------------------


def test_greedy_route_does_not_swallow_longer_routes() -> None:
    model = [{"name": "model", "in": "path", "schema": {"type": "string"}}]
    doc = doc_with(
        {
            "/models/{model}": {"get": get_op("retrieveModel", parameters=model)},
            "/models/{model}/versions": {"get": get_op("listModelVersions", parameters=model)},
        }
    )
    routes = load_module("greedy_order.routes", compile_doc(doc, "greedy_order.yaml").files["routes.py"])

    async def dispatch(operation_id: str, request: Request) -> JSONResponse:
        return JSONResponse({"op": operation_id, "params": dict(request.path_params)})

    app = FastAPI()
    app.include_router(routes.build_router(dispatch))
    with TestClient(app) as c:
        assert c.get("/models/org/m").json() == {"op": "retrieveModel", "params": {"model": "org/m"}}
        assert c.get("/models/m/versions").json() == {"op": "listModelVersions", "params": {"model": "m"}}


@pytest.mark.parametrize("operation_id", ["router", "dispatch"])
def test_operation_named_like_a_routes_local(operation_id: str) -> None:
    doc = doc_with({"/a": {"get": get_op(operation_id)}, "/b": {"get": get_op("other")}})
    routes = load_module(f"reserved_{operation_id}.routes", compile_doc(doc).files["routes.py"])

    async def dispatch(op_id: str, request: Request) -> JSONResponse:
        return JSONResponse({"op": op_id})

    app = FastAPI()
    app.include_router(routes.build_router(dispatch))
    with TestClient(app) as c:
        assert c.get("/a").json() == {"op": operation_id}
        assert c.get("/b").json() == {"op": "other"}
