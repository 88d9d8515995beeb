"""Each normalisation step on small documents: what it changes, what it leaves alone, the notes it returns."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fakeai.codegen import normalize as n
from fakeai.codegen.errors import SpecError

from .support import doc_with, get_op, normalized, ok_response, spec_source

S = "#/components/schemas/"
NULL = {"type": "null"}


def schemas_doc(**schemas: Any) -> dict[str, Any]:
    return {"paths": {}, "components": {"schemas": schemas}}


# ---- drop_pseudo_paths ------------------------------------------------------------------------------------------


def test_drop_pseudo_paths() -> None:
    doc = doc_with({"/responses": {"post": get_op("a")}, "/responses?beta=true": {"post": get_op("b")}})
    assert n.drop_pseudo_paths(doc) == ["dropped pseudo-path /responses?beta=true"]
    assert list(doc["paths"]) == ["/responses"]
    assert n.drop_pseudo_paths(doc) == []


# ---- inline_component_refs ---------------------------------------------------------------------------------------


def test_inline_component_parameters_and_request_bodies() -> None:
    limit = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
    body = {"required": True, "content": {"application/json": {"schema": {"$ref": S + "Obj"}}}}
    doc = doc_with(
        {
            "/a": {
                "post": get_op(
                    "a",
                    parameters=[{"$ref": "#/components/parameters/Limit"}],
                    requestBody={"$ref": "#/components/requestBodies/Body"},
                )
            }
        }
    )
    doc["components"]["parameters"] = {"Limit": limit}
    doc["components"]["requestBodies"] = {"Body": body}
    assert n.inline_component_refs(doc) == ["inlined 2 component parameter/requestBody references"]
    op = doc["paths"]["/a"]["post"]
    assert op["parameters"] == [limit] and op["requestBody"] == body
    assert op["parameters"][0] is not limit  # a copy, not shared with components


def test_path_level_parameters_apply_to_every_operation_and_operation_level_wins() -> None:
    shared = [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "v", "in": "query", "schema": {"type": "string"}},
    ]
    own_v = {"name": "v", "in": "query", "schema": {"type": "integer"}}
    doc = doc_with({"/t/{id}": {"parameters": shared, "get": get_op("g"), "delete": get_op("d", parameters=[own_v])}})
    n.inline_component_refs(doc)
    item = doc["paths"]["/t/{id}"]
    assert "parameters" not in item
    assert item["get"]["parameters"] == shared
    assert item["delete"]["parameters"] == [shared[0], own_v]


# ---- safe_schema_names -------------------------------------------------------------------------------------------


def test_schema_renames_rewrite_every_ref_and_mapping() -> None:
    doc = doc_with(
        {"/a": {"get": {"operationId": "a", "responses": ok_response("Thing-2")}}},
        {
            "Thing-2": {"type": "object", "properties": {"self": {"$ref": S + "Thing-2"}}},
            "beta_item": {"type": "object", "properties": {"kind": {"const": "b"}}},
            "Union": {
                "oneOf": [{"$ref": S + "Thing-2"}, {"$ref": S + "beta_item"}],
                "discriminator": {"propertyName": "kind", "mapping": {"t": S + "Thing-2", "b": S + "beta_item"}},
            },
            "Thing2": {"type": "string"},
        },
    )
    notes = n.safe_schema_names(doc)
    assert notes == ["renamed schema Thing-2 -> Thing22", "renamed schema beta_item -> BetaItem"]
    schemas = doc["components"]["schemas"]
    assert list(schemas) == ["Thing22", "BetaItem", "Union", "Thing2"]  # order kept, the existing Thing2 untouched
    assert schemas["Thing22"]["properties"]["self"] == {"$ref": S + "Thing22"}
    assert schemas["Union"]["oneOf"] == [{"$ref": S + "Thing22"}, {"$ref": S + "BetaItem"}]
    assert schemas["Union"]["discriminator"]["mapping"] == {"t": S + "Thing22", "b": S + "BetaItem"}
    schema = doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": S + "Thing22"}
    assert n.safe_schema_names(doc) == []


# ---- resolve_recursive_refs --------------------------------------------------------------------------------------


def test_recursive_ref_becomes_a_ref_to_the_enclosing_schema() -> None:
    doc = schemas_doc(
        Node={
            "$recursiveAnchor": True,
            "type": "object",
            "properties": {"kids": {"type": "array", "items": {"$recursiveRef": "#"}}},
            "example": {"$recursiveRef": "#"},
        },
        Other={"$dynamicAnchor": "meta", "anyOf": [{"$dynamicRef": "#meta"}, {"type": "string"}]},
    )
    assert n.resolve_recursive_refs(doc) == ["resolved $recursiveRef in Node", "resolved $recursiveRef in Other"]
    node = doc["components"]["schemas"]["Node"]
    assert node["properties"]["kids"]["items"] == {"$ref": S + "Node"}
    assert "$recursiveAnchor" not in node
    assert node["example"] == {"$recursiveRef": "#"}  # data, not schema
    assert doc["components"]["schemas"]["Other"] == {"anyOf": [{"$ref": S + "Other"}, {"type": "string"}]}


# ---- unify_nullable ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param(
            {"type": "string", "nullable": True, "description": "d", "default": "x", "maxLength": 3},
            {"description": "d", "default": "x", "anyOf": [{"type": "string", "maxLength": 3}, NULL]},
            id="3.0-nullable-keeps-annotations-outside",
        ),
        pytest.param(
            {"type": ["string", "null"], "description": "d"},
            {"description": "d", "anyOf": [{"type": "string"}, NULL]},
            id="3.1-type-array",
        ),
        pytest.param(
            {"type": ["string", "integer", "null"]},
            {"anyOf": [{"type": ["string", "integer"]}, NULL]},
            id="type-array-of-two",
        ),
        pytest.param({"type": ["null"]}, {"type": "null"}, id="only-null"),
        pytest.param({"type": ["integer"]}, {"type": "integer"}, id="one-element-type-array"),
        pytest.param(
            {"type": ["string", "null"], "enum": ["a", "b", None]},
            {"anyOf": [{"type": "string", "enum": ["a", "b"]}, NULL]},
            id="enum-with-none",
        ),
        pytest.param(
            {"type": "string", "enum": ["a", None], "nullable": True},
            {"anyOf": [{"type": "string", "enum": ["a"]}, NULL]},
            id="3.0-enum-with-none",
        ),
        pytest.param(
            {"$ref": S + "X", "nullable": True},
            {"anyOf": [{"$ref": S + "X"}, NULL]},
            id="nullable-ref",
        ),
        pytest.param({"type": "string", "nullable": False}, {"type": "string"}, id="nullable-false-dropped"),
        pytest.param({"nullable": True, "description": "any"}, {"description": "any"}, id="nullable-without-type"),
        pytest.param({"anyOf": [{"type": "string"}, NULL]}, {"anyOf": [{"type": "string"}, NULL]}, id="already-anyof"),
    ],
)
def test_unify_nullable(schema: dict[str, Any], expected: dict[str, Any]) -> None:
    doc = schemas_doc(X={"type": "object", "properties": {"p": schema}})
    n.unify_nullable(doc)
    assert doc["components"]["schemas"]["X"]["properties"]["p"] == expected


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        pytest.param(
            {"allOf": [{"$ref": S + "X"}, {"nullable": True}], "description": "d"},
            {"description": "d", "anyOf": [{"$ref": S + "X"}, NULL]},
            id="ref-and-bare-nullable",
        ),
        pytest.param(
            {"allOf": [{"$ref": S + "X"}, {"$ref": S + "Y"}, {"nullable": True}]},
            {"anyOf": [{"allOf": [{"$ref": S + "X"}, {"$ref": S + "Y"}]}, NULL]},
            id="two-members-and-bare-nullable",
        ),
        pytest.param(
            {"type": "object", "allOf": [{"$ref": S + "X"}, {"nullable": True}]},
            {"anyOf": [{"type": "object", "allOf": [{"$ref": S + "X"}]}, NULL]},
            id="typed-node-keeps-allof",
        ),
        pytest.param(
            {"allOf": [{"$ref": S + "X"}, {"nullable": False}]},
            {"allOf": [{"$ref": S + "X"}, {}]},
            id="nullable-false-member",
        ),
    ],
)
def test_unify_nullable_allof_idiom(schema: dict[str, Any], expected: dict[str, Any]) -> None:
    doc = schemas_doc(P={"type": "object", "properties": {"p": schema}})
    n.unify_nullable(doc)
    assert doc["components"]["schemas"]["P"]["properties"]["p"] == expected


def test_unify_nullable_reaches_nested_schemas_and_parameters_but_not_data() -> None:
    inner = {"type": "integer", "nullable": True}
    doc = doc_with(
        {"/a": {"get": get_op("a", parameters=[{"name": "q", "in": "query", "schema": {"type": ["string", "null"]}}])}},
        {
            "X": {
                "type": "object",
                "properties": {"arr": {"type": "array", "items": copy.deepcopy(inner)}},
                "example": {"type": ["string", "null"]},
                "x-meta": {"nullable": True, "type": "string"},
            }
        },
    )
    assert n.unify_nullable(doc) == ["unified 2 nullable schemas as anyOf [X, null]"]
    x = doc["components"]["schemas"]["X"]
    assert x["properties"]["arr"]["items"] == {"anyOf": [{"type": "integer"}, NULL]}
    assert doc["paths"]["/a"]["get"]["parameters"][0]["schema"] == {"anyOf": [{"type": "string"}, NULL]}
    assert x["example"] == {"type": ["string", "null"]}
    assert x["x-meta"] == {"nullable": True, "type": "string"}


def test_property_named_nullable_is_a_property() -> None:
    doc = schemas_doc(X={"type": "object", "properties": {"nullable": {"type": "boolean"}}})
    assert n.unify_nullable(doc) == []
    assert doc["components"]["schemas"]["X"]["properties"] == {"nullable": {"type": "boolean"}}


# ---- add_object_types --------------------------------------------------------------------------------------------


def test_add_object_types() -> None:
    doc = schemas_doc(
        A={"properties": {"x": {"type": "string"}}},
        B={"allOf": [{"$ref": S + "A"}], "properties": {"y": {"type": "string"}}},
        C={"type": "object", "properties": {}},
    )
    assert n.add_object_types(doc) == ["added type: object to 1 schemas with properties"]
    schemas = doc["components"]["schemas"]
    assert schemas["A"]["type"] == "object"
    assert "type" not in schemas["B"]


def test_property_named_properties_gets_no_type_property() -> None:
    doc = schemas_doc(X={"type": "object", "properties": {"properties": {"type": "object"}}})
    n.add_object_types(doc)
    assert doc["components"]["schemas"]["X"]["properties"] == {"properties": {"type": "object"}}


# ---- drop_array_keywords_on_scalars ------------------------------------------------------------------------------


def test_array_keywords_on_a_string_are_dropped() -> None:
    doc = schemas_doc(
        Q={"type": "array", "minItems": 1, "items": {"type": "string", "minItems": 1}},
        N={"type": ["string", "null"], "maxItems": 3},
        A={"type": ["array", "null"], "maxItems": 3},
    )
    assert n.drop_array_keywords_on_scalars(doc) == ["dropped 2 array keywords from schemas that admit no array"]
    schemas = doc["components"]["schemas"]
    assert schemas["Q"] == {"type": "array", "minItems": 1, "items": {"type": "string"}}
    assert "maxItems" not in schemas["N"]
    assert schemas["A"]["maxItems"] == 3


# ---- add_discriminator_mappings ----------------------------------------------------------------------------------


def _union_doc(extra: dict[str, Any] | None = None, **variants: Any) -> dict[str, Any]:
    union = {"oneOf": [{"$ref": S + name} for name in variants], "discriminator": {"propertyName": "type"}}
    return schemas_doc(Union=union, **variants, **(extra or {}))


def test_mapping_computed_from_enum_const_ref_and_allof_tags() -> None:
    doc = _union_doc(
        Cat={"type": "object", "properties": {"type": {"type": "string", "enum": ["cat"]}}},
        Dog={"type": "object", "properties": {"type": {"const": "dog"}}},
        Bird={"type": "object", "properties": {"type": {"$ref": S + "BirdTag"}}},
        Puppy={"allOf": [{"$ref": S + "Dog2"}, {"type": "object"}]},
        extra={
            "Dog2": {"type": "object", "properties": {"type": {"type": "string", "enum": ["puppy", "pup"]}}},
            "BirdTag": {"type": "string", "enum": ["bird"]},
        },
    )
    assert n.add_discriminator_mappings(doc) == ["set discriminator mapping on 'type' (5 tags)"]
    assert doc["components"]["schemas"]["Union"]["discriminator"] == {
        "propertyName": "type",
        "mapping": {"cat": S + "Cat", "dog": S + "Dog", "bird": S + "Bird", "puppy": S + "Puppy", "pup": S + "Puppy"},
    }
    assert n.add_discriminator_mappings(doc) == []  # already right: no note, no change


def test_wrong_mapping_is_replaced() -> None:
    doc = _union_doc(Cat={"type": "object", "properties": {"type": {"const": "cat"}}})
    doc["components"]["schemas"]["Union"]["discriminator"]["mapping"] = {"kitty": S + "Cat"}
    n.add_discriminator_mappings(doc)
    assert doc["components"]["schemas"]["Union"]["discriminator"]["mapping"] == {"cat": S + "Cat"}


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param({"type": "object", "properties": {"type": {"type": "string"}}}, id="untagged"),
        pytest.param({"type": "object", "properties": {"name": {"type": "string"}}}, id="no-tag-property"),
        pytest.param({"type": "object", "properties": {"type": {"enum": [1, 2]}}}, id="non-string-tag"),
    ],
)
def test_discriminator_dropped_when_a_variant_has_no_tag(variant: dict[str, Any]) -> None:
    doc = _union_doc(Cat={"type": "object", "properties": {"type": {"const": "cat"}}}, Other=variant)
    assert n.add_discriminator_mappings(doc) == ["dropped discriminator on 'type': a variant has no enumerable tag"]
    assert "discriminator" not in doc["components"]["schemas"]["Union"]
    assert len(doc["components"]["schemas"]["Union"]["oneOf"]) == 2


def test_discriminator_dropped_for_inline_variant_or_missing_union() -> None:
    doc = schemas_doc(
        U={
            "anyOf": [{"type": "object", "properties": {"type": {"const": "x"}}}],
            "discriminator": {"propertyName": "type"},
        },
        V={"type": "object", "discriminator": {"propertyName": "type"}},
    )
    notes = n.add_discriminator_mappings(doc)
    assert sorted(notes) == [
        "dropped a discriminator on 'type' with no oneOf/anyOf",
        "dropped discriminator on 'type': a variant has no enumerable tag",
    ]
    assert "discriminator" not in doc["components"]["schemas"]["U"]
    assert "discriminator" not in doc["components"]["schemas"]["V"]


def test_conflicting_tags_drop_the_discriminator() -> None:
    doc = _union_doc(
        A={"type": "object", "properties": {"type": {"const": "same"}}},
        B={"type": "object", "properties": {"type": {"const": "same"}}},
    )
    n.add_discriminator_mappings(doc)
    assert "discriminator" not in doc["components"]["schemas"]["Union"]


def test_property_named_discriminator_is_kept() -> None:
    doc = schemas_doc(X={"type": "object", "properties": {"discriminator": {"type": "string"}}})
    n.add_discriminator_mappings(doc)
    assert doc["components"]["schemas"]["X"]["properties"] == {"discriminator": {"type": "string"}}


# ---- hoist_inline_bodies -----------------------------------------------------------------------------------------


def _inline(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {"content": {media: {"schema": schema}}}


def test_hoisting_names_and_collisions() -> None:
    obj = {"type": "object", "properties": {"a": {"type": "string"}}}
    doc = doc_with(
        {
            "/things": {
                "post": {
                    "operationId": "create-thing",
                    "requestBody": _inline(obj),
                    "responses": {
                        "200": {"description": "ok", **_inline({"type": "array", "items": {"type": "string"}})},
                        "201": {"description": "ok", **_inline(obj)},
                        "400": {"$ref": "#/components/responses/BadRequest"},
                    },
                }
            },
            "/upload": {
                "post": {
                    "operationId": "upload",
                    "requestBody": _inline(obj, "multipart/form-data"),
                    "responses": {
                        "200": {
                            "description": "audio or events",
                            "content": {
                                "audio/mpeg": {"schema": {"type": "string", "format": "binary"}},
                                "text/event-stream": {"schema": obj},
                            },
                        }
                    },
                }
            },
            "/speech": {
                "post": {
                    "operationId": "speech",
                    "requestBody": _inline({"type": "string", "format": "binary"}, "audio/wav"),
                    "responses": ok_response("Obj"),
                }
            },
        },
        {"CreateThingRequest": {"type": "string"}},
    )
    notes = n.hoist_inline_bodies(doc)
    assert notes == [
        "hoisted request body of POST /things (application/json) as CreateThingRequest2",
        "hoisted 200 response of POST /things (application/json) as CreateThingResponse",
        "hoisted 201 response of POST /things (application/json) as CreateThingResponse2",
        "hoisted request body of POST /upload (multipart/form-data) as UploadRequest",
    ]
    schemas = doc["components"]["schemas"]
    assert schemas["CreateThingRequest"] == {"type": "string"}  # the existing schema is untouched
    assert schemas["CreateThingRequest2"] == obj and schemas["CreateThingResponse2"] == obj
    assert schemas["CreateThingResponse"] == {"type": "array", "items": {"type": "string"}}
    op = doc["paths"]["/things"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": S + "CreateThingRequest2"}
    assert op["responses"]["400"] == {"$ref": "#/components/responses/BadRequest"}
    upload = doc["paths"]["/upload"]["post"]["responses"]["200"]["content"]
    assert upload["audio/mpeg"]["schema"] == {"type": "string", "format": "binary"}  # raw bytes: no model
    assert upload["text/event-stream"]["schema"] == obj  # SSE envelope: stays inline
    speech = doc["paths"]["/speech"]["post"]["requestBody"]["content"]["audio/wav"]["schema"]
    assert speech == {"type": "string", "format": "binary"}
    assert n.hoist_inline_bodies(doc) == []


# ---- add_error_responses -----------------------------------------------------------------------------------------


def test_add_error_responses_fills_in_what_is_missing() -> None:
    doc = doc_with(
        {"/a": {"get": {"operationId": "a", "responses": {**ok_response("Obj"), "404": {"description": "x"}}}}}
    )
    notes = n.add_error_responses(doc)
    assert notes == [
        "added schema Error",
        "added schema ErrorResponse",
        "added response BadRequest",
        "added response Unauthorized",
        "added response NotFound",
        "added response TooManyRequests",
        "added response InternalServerError",
        "added response ServiceUnavailable",
        "documented 5 missing error responses",
    ]
    responses = doc["paths"]["/a"]["get"]["responses"]
    assert responses["404"] == {"description": "x"}  # documented by the spec: kept
    assert responses["429"] == {"$ref": "#/components/responses/TooManyRequests"}
    assert doc["components"]["schemas"]["ErrorResponse"]["required"] == ["error"]
    assert doc["components"]["responses"]["BadRequest"]["content"]["application/json"]["schema"] == {
        "$ref": S + "ErrorResponse"
    }


def test_add_error_responses_is_idempotent() -> None:
    # crud.yaml documents its errors in the house style: nothing to add, nothing changed.
    doc = spec_source("crud").doc
    before = copy.deepcopy(doc)
    assert n.add_error_responses(doc) == []
    assert doc == before
    # and on a spec that lacked them, a second run adds nothing
    doc = doc_with({"/a": {"get": get_op("a")}})
    n.add_error_responses(doc)
    once = copy.deepcopy(doc)
    assert n.add_error_responses(doc) == []
    assert doc == once


def test_own_error_schema_is_kept() -> None:
    own = {"type": "object", "properties": {"detail": {"type": "string"}}}
    doc = doc_with({"/a": {"get": get_op("a")}}, {"Obj": {"type": "string"}, "Error": own})
    n.add_error_responses(doc)
    assert doc["components"]["schemas"]["Error"] == own


# ---- add_security ------------------------------------------------------------------------------------------------


def test_add_security_when_absent() -> None:
    doc = doc_with({"/a": {"get": get_op("a")}})
    assert n.add_security(doc) == ["added bearer security scheme ApiKeyAuth", "added global security"]
    assert doc["components"]["securitySchemes"] == {"ApiKeyAuth": {"type": "http", "scheme": "bearer"}}
    assert doc["security"] == [{"ApiKeyAuth": []}]
    assert n.add_security(doc) == []


def test_add_security_keeps_declared_schemes_and_global_requirement() -> None:
    doc = doc_with(
        {"/a": {"get": get_op("a", security=[])}, "/b": {"get": get_op("b", security=[{"Admin": []}])}},
        security=[],
    )
    doc["components"]["securitySchemes"] = {"Admin": {"type": "http", "scheme": "bearer"}}
    before = copy.deepcopy(doc)
    assert n.add_security(doc) == []
    assert doc == before


def test_add_security_rejects_an_undefined_scheme() -> None:
    doc = doc_with({"/a": {"post": get_op("a", security=[{"Nope": []}])}})
    with pytest.raises(SpecError, match=r"POST /a: security scheme 'Nope' is not defined"):
        n.add_security(doc)


# ---- the pipeline ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["crud", "openapi30", "quirks", "streaming"])
def test_normalize_is_idempotent_and_pure(case: str) -> None:
    doc = spec_source(case).doc
    before = copy.deepcopy(doc)
    once, notes = n.normalize(doc)
    assert doc == before  # the input is not modified
    assert notes
    twice, again = n.normalize(once)
    assert twice == once
    assert again == []


def test_normalised_document_uses_one_dialect() -> None:
    doc = normalized(spec_source("openapi30").doc)

    def walk(o: Any) -> None:
        if isinstance(o, dict):
            assert "nullable" not in o
            assert not isinstance(o.get("type"), list)
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(doc["components"])
    walk(doc["paths"])


def test_normalised_30_document_is_labelled_31() -> None:
    assert normalized(spec_source("openapi30").doc)["openapi"].startswith("3.1.")


def test_30_exclusive_bounds_become_numbers() -> None:
    doc = doc_with(
        {"/a": {"get": get_op("a")}},
        {"Obj": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0, "exclusiveMinimum": True}}}},
        openapi="3.0.3",
    )
    assert normalized(doc)["components"]["schemas"]["Obj"]["properties"]["n"] == {
        "type": "integer",
        "exclusiveMinimum": 0,
    }
