"""fakeai.skeleton: schema-valid values for every component schema, completion, null checks, regex examples."""

from __future__ import annotations

import copy
import random
import re
from pathlib import Path
from typing import Any

import fakeai.generated
import orjson
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from fakeai.skeleton import Skeleton, forbidden_null, regex_example

SPEC: dict[str, Any] = orjson.loads((Path(fakeai.generated.__file__).parent / "spec.json").read_bytes())
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
SEEDS = (0, 1, 2)
_REGISTRY = Registry().with_resource("urn:fakeai:spec", DRAFT202012.create_resource(SPEC))
_VALIDATORS: dict[str, Draft202012Validator] = {}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def validator(name: str) -> Draft202012Validator:
    v = _VALIDATORS.get(name)
    if v is None:
        v = _VALIDATORS[name] = Draft202012Validator(
            {"$ref": f"urn:fakeai:spec#/components/schemas/{name}"}, registry=_REGISTRY
        )
    return v


def problems(name: str, value: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:160]}" for e in validator(name).iter_errors(value)]


@pytest.fixture(scope="module")
def sk() -> Skeleton:
    return Skeleton(SPEC)


def test_spec_has_component_schemas() -> None:
    assert len(SCHEMAS) > 100
    assert "CreateChatCompletionRequest" in SCHEMAS


def test_every_component_schema_gives_valid_values(sk: Skeleton) -> None:
    failures = []
    for name, schema in SCHEMAS.items():
        for seed in SEEDS:
            errs = problems(name, sk.value(schema, random.Random(seed)))
            if errs:
                failures.append(f"{name} (seed {seed}): {errs[0]}")
    assert not failures, "\n".join(failures)


def test_values_through_a_ref_are_valid_too(sk: Skeleton) -> None:
    failures = [name for name in SCHEMAS for seed in SEEDS if problems(name, sk.value(ref(name), random.Random(seed)))]
    assert not failures, failures


def test_same_seed_same_value() -> None:
    a, b = Skeleton(SPEC), Skeleton(SPEC)  # a fresh generator too: no hidden state decides the value
    for name, schema in SCHEMAS.items():
        for seed in SEEDS:
            assert a.value(schema, random.Random(seed)) == b.value(schema, random.Random(seed)), name
            assert a.value(schema, random.Random(seed)) == a.value(schema, random.Random(seed)), name


def test_different_seeds_give_different_values(sk: Skeleton) -> None:
    varying = [
        name
        for name, schema in SCHEMAS.items()
        if len({orjson.dumps(sk.value(schema, random.Random(s))) for s in range(5)}) > 1
    ]
    assert len(varying) > len(SCHEMAS) // 2, varying
    for name in ("CreateChatCompletionRequest", "CreateChatCompletionResponse", "Batch"):
        assert name in varying


def test_value_does_not_modify_the_spec(sk: Skeleton) -> None:
    before = orjson.dumps(SPEC)
    for schema in SCHEMAS.values():
        sk.value(schema, random.Random(7))
    assert orjson.dumps(SPEC) == before


# ---------------------------------------------------------------------- a small document for exact checks

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Outer": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "count": {"type": "integer", "minimum": 3, "maximum": 9},
                    "note": {"type": "string"},
                    "inner": {"$ref": "#/components/schemas/Inner"},
                    "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Inner"}},
                    "pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                    "maybe": {"anyOf": [{"$ref": "#/components/schemas/Inner"}, {"type": "null"}]},
                },
                "required": ["name", "count", "inner"],
            },
            "Inner": {
                "type": "object",
                "properties": {"x": {"type": "string"}, "y": {"type": "integer"}, "z": {"type": "boolean"}},
                "required": ["x", "y"],
            },
            "Pet": {
                "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
                },
            },
            "Cat": {
                "type": "object",
                "properties": {"kind": {"type": "string", "enum": ["cat"]}, "lives": {"type": "integer"}},
                "required": ["kind", "lives"],
            },
            "Dog": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": ["dog"]},
                    "bark": {"type": "string", "enum": ["woof", "yap"]},
                    "owner": {"$ref": "#/components/schemas/Inner"},
                },
                "required": ["kind", "bark", "owner"],
            },
            "Based": {
                "allOf": [
                    {"$ref": "#/components/schemas/Inner"},
                    {"type": "object", "properties": {"extra": {"type": "number"}}, "required": ["extra"]},
                ]
            },
        }
    }
}


def dref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


@pytest.fixture
def small() -> Skeleton:
    return Skeleton(copy.deepcopy(DOC))


def test_small_doc_values_are_valid(small: Skeleton) -> None:
    reg = Registry().with_resource("urn:doc", DRAFT202012.create_resource(DOC))
    for name in DOC["components"]["schemas"]:
        v = Draft202012Validator({"$ref": f"urn:doc#/components/schemas/{name}"}, registry=reg)
        for seed in range(10):
            value = small.value(dref(name), random.Random(seed))
            assert not list(v.iter_errors(value)), (name, value)


def test_allof_merges_required_fields(small: Skeleton) -> None:
    v = small.value(dref("Based"), random.Random(0))
    assert {"x", "y", "extra"} <= set(v)
    assert isinstance(v["x"], str)
    assert isinstance(v["y"], int)
    assert isinstance(v["extra"], float)


def test_complete_adds_exactly_the_missing_required_fields(small: Skeleton) -> None:
    value = {"name": "kept", "note": None}
    out = small.complete(value, dref("Outer"), random.Random(0))
    assert out is value  # completed in place
    assert set(out) == {"name", "note", "count", "inner"}
    assert out["name"] == "kept"
    assert out["note"] is None  # present values are never touched, even a null
    assert 3 <= out["count"] <= 9
    assert {"x", "y"} <= set(out["inner"])


def test_complete_nested_objects_and_arrays(small: Skeleton) -> None:
    value = {
        "name": "n",
        "count": "not-an-int",  # wrong type, but present: kept as it is
        "inner": {"z": True},
        "rows": [{"x": "has-x"}, {"y": 5}, {"x": "a", "y": 1, "z": False}],
        "maybe": {"y": 2},
    }
    out = small.complete(value, dref("Outer"), random.Random(1))
    assert set(out) == {"name", "count", "inner", "rows", "maybe"}
    assert out["count"] == "not-an-int"
    assert set(out["inner"]) == {"x", "y", "z"}
    assert out["inner"]["z"] is True
    assert [set(r) for r in out["rows"]] == [{"x", "y"}, {"x", "y"}, {"x", "y", "z"}]
    assert out["rows"][0]["x"] == "has-x"
    assert out["rows"][1]["y"] == 5
    assert out["rows"][2] == {"x": "a", "y": 1, "z": False}
    assert set(out["maybe"]) == {"x", "y"}
    assert out["maybe"]["y"] == 2


def test_complete_follows_the_discriminator(small: Skeleton) -> None:
    value = {
        "name": "n",
        "count": 4,
        "inner": {"x": "a", "y": 1},
        "pets": [{"kind": "dog"}, {"kind": "cat"}, {"kind": "dog", "owner": {}}],
    }
    out = small.complete(value, dref("Outer"), random.Random(2))
    dog, cat, dog2 = out["pets"]
    assert set(dog) == {"kind", "bark", "owner"}
    assert dog["kind"] == "dog"
    assert dog["bark"] in ("woof", "yap")
    assert {"x", "y"} <= set(dog["owner"])
    assert set(cat) == {"kind", "lives"}
    assert isinstance(cat["lives"], int)
    assert set(dog2["owner"]) == {"x", "y"}  # the present (empty) owner is completed, not replaced


def test_complete_leaves_none_and_scalars_alone(small: Skeleton) -> None:
    assert small.complete(None, dref("Outer"), random.Random(0)) is None
    assert small.complete("text", dref("Outer"), random.Random(0)) == "text"
    full = small.value(dref("Outer"), random.Random(3))
    snapshot = copy.deepcopy(full)
    assert small.complete(full, dref("Outer"), random.Random(4)) == snapshot  # nothing missing: nothing changes


def test_complete_is_deterministic(small: Skeleton) -> None:
    a = small.complete({"pets": [{"kind": "dog"}]}, dref("Outer"), random.Random(5))
    b = small.complete({"pets": [{"kind": "dog"}]}, dref("Outer"), random.Random(5))
    assert a == b


def test_complete_chat_request_in_the_real_spec(sk: Skeleton) -> None:
    value = {
        "messages": [
            {"role": "user"},
            {"role": "assistant", "content": None},
            {"role": "tool", "content": "result"},
        ],
        "response_format": {"type": "json_schema"},
        "temperature": 0.5,
    }
    out = sk.complete(value, ref("CreateChatCompletionRequest"), random.Random(0))
    assert set(out) == {"messages", "response_format", "temperature", "model"}
    assert isinstance(out["model"], str)
    assert out["temperature"] == 0.5
    user, assistant, tool = out["messages"]
    assert set(user) == {"role", "content"}
    assert assistant == {"role": "assistant", "content": None}
    assert set(tool) == {"role", "content", "tool_call_id"}
    assert tool["content"] == "result"
    assert out["response_format"]["type"] == "json_schema"
    assert set(out["response_format"]) == {"type", "json_schema"}
    assert "name" in out["response_format"]["json_schema"]
    assert problems("CreateChatCompletionRequest", out) == []


def _top_level_required(sk: Skeleton, name: str) -> tuple[str, ...]:
    n = sk.node(SCHEMAS[name])
    return n.required if not n.variants else ()


def test_complete_restores_removed_required_fields_for_every_object_schema(sk: Skeleton) -> None:
    failures = []
    checked = set()
    for name, schema in SCHEMAS.items():
        required = _top_level_required(sk, name)
        if not required:
            continue
        for seed in SEEDS:
            full = sk.value(schema, random.Random(seed))
            if not isinstance(full, dict):
                continue
            checked.add(name)
            kept = {k: v for i, (k, v) in enumerate(full.items()) if k not in required or i % 2}
            snapshot = copy.deepcopy(kept)
            out = sk.complete(kept, schema, random.Random(seed + 100))
            if set(out) != set(snapshot) | set(required):
                failures.append(f"{name}: keys {sorted(out)} != {sorted(set(snapshot) | set(required))}")
            elif any(out[k] != v for k, v in snapshot.items()):
                failures.append(f"{name}: a present value changed")
            elif errs := problems(name, out):
                failures.append(f"{name}: {errs[0]}")
    assert not failures, "\n".join(failures)
    assert len(checked) > 100, len(checked)


# ---------------------------------------------------------------------- forbidden_null


def test_schema_facts_behind_the_null_checks() -> None:
    req = SCHEMAS["CreateChatCompletionRequest"]["allOf"][1]
    assert "model" in req["required"]
    assert not any(v.get("type") == "null" for v in SCHEMAS["ModelIdsShared"]["anyOf"])
    assert {"type": "null"} in req["properties"]["max_completion_tokens"]["anyOf"]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"model": None, "messages": [{"role": "user", "content": "hi"}]}, "model"),
        ({"model": "m", "messages": None}, "messages"),
        ({"model": "m", "messages": [{"role": "user", "content": None}]}, "messages[0].content"),
        (
            {
                "model": "m",
                "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u", "name": None}],
            },
            "messages[1].name",
        ),
        ({"model": "m", "messages": [{"role": "user", "content": [None]}]}, "messages[0].content[0]"),
        (
            {
                "model": "m",
                "messages": [{"role": "user", "content": "x"}],
                "response_format": {"type": "json_schema", "json_schema": {"name": None}},
            },
            "response_format.json_schema.name",
        ),
    ],
)
def test_forbidden_null_finds_the_null(sk: Skeleton, body: dict[str, Any], path: str) -> None:
    assert forbidden_null(sk, body, ref("CreateChatCompletionRequest")) == path


@pytest.mark.parametrize(
    "body",
    [
        {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        {"model": "m", "messages": [{"role": "assistant", "content": None, "refusal": None, "audio": None}]},
        {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_completion_tokens": None},
        {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": None, "stop": None, "audio": None},
        {
            "model": "m",
            "messages": [{"role": "user", "content": "x"}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "n", "strict": None}},
        },
    ],
)
def test_forbidden_null_accepts_allowed_nulls(sk: Skeleton, body: dict[str, Any]) -> None:
    assert forbidden_null(sk, body, ref("CreateChatCompletionRequest")) is None


def test_forbidden_null_on_a_whole_body(small: Skeleton) -> None:
    assert forbidden_null(small, None, dref("Outer")) == "(body)"
    assert forbidden_null(small, None, {}) is None  # an unconstrained schema allows null
    assert forbidden_null(small, {"maybe": None}, dref("Outer")) is None
    assert forbidden_null(small, {"rows": [{"x": "a"}, {"x": None}]}, dref("Outer")) == "rows[1].x"
    assert forbidden_null(small, {"pets": [{"kind": "dog", "owner": {"y": None}}]}, dref("Outer")) == "pets[0].owner.y"
    assert forbidden_null(small, {"unknown": None}, dref("Outer")) is None  # undeclared keys are not judged here


# ---------------------------------------------------------------------- regex_example

PATTERNS = [
    r"^abc$",
    r"^[a-z]+$",
    r"^\d{3}-\d{4}$",
    r"^(cat|dog|bird)s?$",
    r"^[A-Z][a-z]{2,5}$",
    r"^(ab)+c$",
    r"^x{3}$",
    r"^[\w-]{1,10}$",
    r"^\s*\S+$",
    r"^sk-[A-Za-z0-9]{8,}$",
    r"^a.b$",
    r"^(?:foo|bar)-\d+$",
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}$",
    r"^ba*?c$",
    r"^\D\W$",
    r"^ftjob-[a-zA-Z0-9]{24}$",
    r"[0-9]",  # unanchored: JSON Schema patterns search
    r"^file-[^\s,]{4}$",  # a negated class of categories and literals
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_regex_example_matches(pattern: str) -> None:
    outs = [regex_example(pattern, random.Random(seed)) for seed in range(8)]
    for out in outs:
        assert out is not None
        assert re.search(pattern, out), out
    assert outs == [regex_example(pattern, random.Random(seed)) for seed in range(8)]  # deterministic per seed


def test_regex_example_varies_with_the_seed() -> None:
    assert len({regex_example(r"^[a-z]{4,8}$", random.Random(s)) for s in range(10)}) > 5
    assert {regex_example(r"^(cat|dog|bird)$", random.Random(s)) for s in range(40)} == {"cat", "dog", "bird"}


def test_regex_example_respects_length_bounds() -> None:
    for seed in range(10):
        out = regex_example(r"^[a-z]{1,6}$", random.Random(seed), lo=3, hi=4)
        assert out is None or 3 <= len(out) <= 4
    assert regex_example(r"^abc$", random.Random(0), lo=5) is None  # impossible: None, never a wrong string


def test_regex_example_gives_none_for_what_it_cannot_make() -> None:
    assert regex_example(r"^(a)\1$", random.Random(0)) is None  # back-reference
    assert regex_example(r"[", random.Random(0)) is None  # not a regex


@pytest.mark.parametrize("pattern", [r"^[^/]+$", r"^[^a-z]+$", r"^id-[^0-9a-f]{3}$"])
def test_regex_example_negated_classes(pattern: str) -> None:
    out = regex_example(pattern, random.Random(0))
    assert out is not None
    assert re.search(pattern, out)
