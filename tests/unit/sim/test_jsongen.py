"""Tests for the schema-valid, prompt-aware JSON generator (tool call arguments, structured outputs)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from typing import Any, Literal

import jsonschema
import pytest
from fakeai.behaviors.sim.jsongen import JsonGenerator
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from pydantic import BaseModel

WEATHER = {
    "type": "object",
    "properties": {
        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "The temperature unit"},
    },
    "required": ["location"],
}
GET_WEATHER = {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}
STOCK = {
    "type": "object",
    "properties": {"symbol": {"type": "string", "description": "The stock ticker symbol, e.g. AAPL"}},
    "required": ["symbol"],
}
BMI = {
    "type": "object",
    "properties": {
        "weight_kg": {"type": "number", "description": "Weight in kilograms"},
        "height_m": {"type": "number", "description": "Height in meters"},
    },
    "required": ["weight_kg", "height_m"],
}
PERSON_INFO = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "description": "The person's full name"},
        "age": {"type": "integer", "description": "The person's age in years"},
        "occupation": {"type": "string", "description": "The person's current job"},
        "skills": {"type": "array", "items": {"type": "string"}, "description": "List of the person's skills"},
    },
    "required": ["name", "age", "occupation"],
    "additionalProperties": False,
}
PERSON_EXTRACTION = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "occupation": {"type": "string"},
        "interests": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "occupation", "interests"],
    "additionalProperties": False,
}
MATH_PROBLEM = {
    "type": "object",
    "properties": {"steps": {"type": "array", "items": {"type": "string"}}, "answer": {"type": "number"}},
    "required": ["steps", "answer"],
}


class Address(BaseModel):
    street: str
    city: str
    country: str = "US"


class Employee(BaseModel):
    name: str
    age: int
    occupation: str
    hobbies: list[str]
    email: str | None = None
    level: Literal["junior", "senior", "staff"]
    address: Address
    manager: Employee | None = None


PYDANTIC = Employee.model_json_schema()


def check(value: Any, schema: dict[str, Any]) -> None:
    """Raises unless ``value`` is valid for ``schema`` (formats asserted) according to the jsonschema package."""
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(value)


@pytest.fixture(scope="module")
def gen() -> JsonGenerator:
    return JsonGenerator(fallback=False)


def run(gen: JsonGenerator, schema: Any, prompt: str, seed_: int = 0, entity: str | None = None) -> Any:
    value = gen.generate(schema, prompt=prompt, rng=random.Random(seed_), entity=entity)
    check(value, schema)
    return value


# ---- the seed examples ------------------------------------------------------------------------------------
def test_weather_tool_uses_the_city_in_the_prompt_and_a_us_unit(gen: JsonGenerator) -> None:
    units = []
    for s in range(8):
        args = run(gen, WEATHER, "What's the weather like in San Francisco?", s)
        assert "San Francisco" in args["location"]
        assert args["location"] == "San Francisco, CA"  # the description asks for "city and state"
        units.append(args.get("unit"))
    assert "fahrenheit" in units
    assert set(units) <= {"fahrenheit", None}


def test_parallel_weather_calls_each_get_their_entity(gen: JsonGenerator) -> None:
    prompt = "What's the weather in New York, London, and Tokyo?"
    cities = [
        run(gen, GET_WEATHER, prompt, i, entity=city)["location"]
        for i, city in enumerate(["New York", "London", "Tokyo"])
    ]
    assert cities == ["New York", "London", "Tokyo"]
    assert run(gen, GET_WEATHER, prompt)["location"] == "New York"  # no entity: the first place said
    tokyo = run(gen, WEATHER, prompt, 3, entity="Tokyo")
    assert tokyo["location"].startswith("Tokyo")
    assert tokyo.get("unit", "celsius") == "celsius"


def test_stock_symbol_is_the_ticker_in_the_prompt(gen: JsonGenerator) -> None:
    assert run(gen, STOCK, "What is Apple's stock price (AAPL)?") == {"symbol": "AAPL"}
    assert run(gen, STOCK, "How is Microsoft doing on the market today?") == {"symbol": "MSFT"}


def test_bmi_numbers_come_from_the_units_in_the_prompt(gen: JsonGenerator) -> None:
    for s in range(3):
        args = run(gen, BMI, "Calculate BMI for someone who is 1.75m tall and weighs 70kg", s)
        assert args == {"weight_kg": 70, "height_m": 1.75}
    converted = {"type": "object", "properties": {"height_cm": {"type": "number"}}, "required": ["height_cm"]}
    assert run(gen, converted, "I am 1.75m tall")["height_cm"] == 175


def test_person_info_strict_schema(gen: JsonGenerator) -> None:
    prompt = "Tell me about a software engineer named Alice who is 28 years old."
    seen_skills = False
    for s in range(6):
        out = run(gen, PERSON_INFO, prompt, s)
        assert set(out) <= set(PERSON_INFO["properties"])
        assert out["name"] == "Alice"
        assert out["age"] == 28
        assert "software engineer" in out["occupation"]
        if "skills" in out:
            seen_skills = True
            assert out["skills"] and all(isinstance(x, str) and x for x in out["skills"])
    assert seen_skills


def test_person_extraction(gen: JsonGenerator) -> None:
    prompt = "Extract information from: John Doe works as a teacher and loves reading and hiking"
    out = run(gen, PERSON_EXTRACTION, prompt)
    assert out == {"name": "John Doe", "occupation": "teacher", "interests": ["reading", "hiking"]}


def test_math_problem_works_out_the_equation(gen: JsonGenerator) -> None:
    out = run(gen, MATH_PROBLEM, "Solve 8x + 7 = -23")
    assert out["answer"] == -3.75
    assert out["steps"] == [
        "Start with the equation 8x + 7 = -23.",
        "Subtract 7 from both sides: 8x = -30.",
        "Divide both sides by 8: x = -3.75.",
    ]
    other = run(gen, MATH_PROBLEM, "How do I plan a vegetable garden?")
    assert len(other["steps"]) >= 2 and all(s.endswith(".") for s in other["steps"])
    assert isinstance(other["answer"], int | float)


def test_pydantic_schema_with_defs_optional_literal_and_recursion(gen: JsonGenerator) -> None:
    prompt = "Tell me about a software engineer named Alice who is 28 years old"
    levels, emails, managers = set(), set(), 0
    for s in range(12):
        out = run(gen, PYDANTIC, prompt, s)
        assert (out["name"], out["age"], out["occupation"]) == ("Alice", 28, "software engineer")
        assert out["hobbies"] and all(isinstance(h, str) for h in out["hobbies"])
        assert set(out["address"]) >= {"street", "city"}
        levels.add(out["level"])
        emails.add(type(out.get("email", "")).__name__)
        if out.get("manager"):
            managers += 1
            assert out["manager"]["name"] != "Alice"  # the prompt's person fills one object
    assert levels <= {"junior", "senior", "staff"} and len(levels) > 1
    assert managers > 0


# ---- more tools ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("schema", "prompt", "expected"),
    [
        (
            {
                "type": "object",
                "properties": {
                    "a": {"type": "number"},
                    "b": {"type": "number"},
                    "operation": {"enum": ["add", "subtract", "multiply", "divide"]},
                },
                "required": ["a", "b", "operation"],
            },
            "What is 15 times 7?",
            {"a": 15, "b": 7, "operation": "multiply"},
        ),
        (
            {
                "type": "object",
                "properties": {
                    "amount": {"type": "number"},
                    "from_currency": {"type": "string"},
                    "to_currency": {"type": "string"},
                },
                "required": ["amount", "from_currency", "to_currency"],
            },
            "Convert 250 USD to EUR",
            {"amount": 250, "from_currency": "USD", "to_currency": "EUR"},
        ),
        (
            {
                "type": "object",
                "properties": {
                    "origin": {"type": "string"},
                    "destination": {"type": "string"},
                    "date": {"type": "string", "format": "date"},
                    "passengers": {"type": "integer", "minimum": 1},
                },
                "required": ["origin", "destination", "date", "passengers"],
                "additionalProperties": False,
            },
            "Book a flight from Paris to Rio de Janeiro on March 5, 2025 for 2 passengers",
            {"origin": "Paris", "destination": "Rio de Janeiro", "date": "2025-03-05", "passengers": 2},
        ),
        (
            {
                "type": "object",
                "properties": {"text": {"type": "string"}, "target_language": {"type": "string"}},
                "required": ["text", "target_language"],
            },
            'Translate "good morning, how are you?" into French',
            {"text": "good morning, how are you?", "target_language": "French"},
        ),
        (
            {
                "type": "object",
                "properties": {
                    "to": {"type": "string", "format": "email"},
                    "attendees": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["to", "attendees"],
            },
            "Invite Alice and Bob, and send the notes to sarah@example.org",
            {"to": "sarah@example.org", "attendees": ["Alice", "Bob"]},
        ),
    ],
)
def test_tool_arguments_come_from_the_prompt(
    gen: JsonGenerator, schema: dict[str, Any], prompt: str, expected: dict[str, Any]
) -> None:
    assert run(gen, schema, prompt) == expected


def test_keyword_and_sentence_properties_talk_about_the_prompt(gen: JsonGenerator) -> None:
    schema = {
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "summary": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
        "required": ["query", "summary", "tags"],
    }
    out = run(gen, schema, "Search the web for recent quantum computing breakthroughs")
    assert "quantum computing" in out["query"]
    assert "quantum computing" in out["summary"].lower() and out["summary"].endswith(".")
    assert any("quantum computing" in t for t in out["tags"])


# ---- structure --------------------------------------------------------------------------------------------
def test_keywords_and_bounds_are_respected(gen: JsonGenerator) -> None:
    schema = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"},
            "when": {"type": "string", "format": "date-time"},
            "id": {"type": "string", "format": "uuid"},
            "ip": {"type": "string", "format": "ipv4"},
            "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "step": {"type": "number", "minimum": 0.3, "maximum": 0.7, "multipleOf": 0.1},
            "even": {"type": "integer", "multipleOf": 7, "minimum": 100, "maximum": 120},
            "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": False},
            "uniq": {"type": "array", "items": {"enum": [1, 2, 3, 4]}, "uniqueItems": True, "minItems": 4},
            "maybe": {"type": ["string", "null"], "maxLength": 4},
            "kind": {"const": "fixed"},
            "shape": {"oneOf": [{"type": "integer"}, {"type": "number", "multipleOf": 0.5}]},
        },
        "required": ["code", "when", "id", "ip", "ratio", "step", "even", "pair", "uniq", "maybe", "kind", "shape"],
        "additionalProperties": False,
    }
    for s in range(10):
        out = run(gen, schema, "Create a record", s)
        assert out["even"] in (105, 112, 119) and out["kind"] == "fixed"
        assert sorted(out["uniq"]) == [1, 2, 3, 4]


def test_recursive_schema_terminates(gen: JsonGenerator) -> None:
    tree = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
                "required": ["value", "children"],
                "additionalProperties": False,
            }
        },
        "$ref": "#/$defs/node",
    }
    depths = []

    def depth(n: dict[str, Any]) -> int:
        return 1 + max((depth(c) for c in n["children"]), default=0)

    for s in range(20):
        depths.append(depth(run(gen, tree, "Build a tree", s)))
    assert max(depths) > 1 and max(depths) < 30


def test_if_then_else_dependent_required_and_pattern_properties(gen: JsonGenerator) -> None:
    postal = {
        "type": "object",
        "properties": {"country": {"enum": ["US", "CA"]}, "postal": {"type": "string"}},
        "required": ["country", "postal"],
        "if": {"properties": {"country": {"const": "US"}}},
        "then": {"properties": {"postal": {"pattern": "^\\d{5}$"}}},
        "else": {"properties": {"postal": {"pattern": "^[A-Z]\\d[A-Z] \\d[A-Z]\\d$"}}},
    }
    headers = {
        "type": "object",
        "patternProperties": {"^x-[a-z]+$": {"type": "string"}},
        "additionalProperties": False,
        "minProperties": 2,
    }
    card = {
        "type": "object",
        "properties": {"card": {"type": "string"}, "billing": {"type": "string"}},
        "dependentRequired": {"card": ["billing"]},
        "required": ["card"],
    }
    countries = {run(gen, postal, "Ship it", s)["country"] for s in range(10)}
    assert countries == {"US", "CA"}
    assert all(k.startswith("x-") for k in run(gen, headers, "Add headers"))
    assert set(run(gen, card, "Pay by card")) == {"card", "billing"}


# ---- many schemas -----------------------------------------------------------------------------------------
_NAMES = ["name", "age", "city", "email", "tags", "count", "price", "id", "status", "notes", "x", "url", "unit"]
_PATTERNS = ["^[A-Z]{3}$", "^\\d{3}-\\d{4}$", "^[a-z][a-z0-9_]{2,10}$", "^(foo|bar|baz)$", "[aeiou]"]
_FORMATS = ["date-time", "date", "time", "email", "uri", "uuid", "ipv4", "ipv6", "hostname"]


@st.composite
def _strings(draw: st.DrawFn) -> dict[str, Any]:
    s: dict[str, Any] = {"type": "string"}
    kind = draw(st.sampled_from(["plain", "len", "pattern", "format", "enum"]))
    if kind == "len":
        s["minLength"] = lo = draw(st.integers(0, 20))
        if draw(st.booleans()):
            s["maxLength"] = lo + draw(st.integers(0, 30))
    elif kind == "pattern":
        s["pattern"] = draw(st.sampled_from(_PATTERNS))
    elif kind == "format":
        s["format"] = draw(st.sampled_from(_FORMATS))
    elif kind == "enum":
        s["enum"] = draw(st.lists(st.text("abcdefgh", min_size=1, max_size=6), min_size=1, max_size=4, unique=True))
    return s


@st.composite
def _numbers(draw: st.DrawFn) -> dict[str, Any]:
    integer = draw(st.booleans())
    s: dict[str, Any] = {"type": "integer" if integer else "number"}
    lo = draw(st.none() | st.integers(-1000, 1000))
    if lo is not None:
        s["exclusiveMinimum" if draw(st.booleans()) else "minimum"] = lo
    if draw(st.booleans()):
        base = lo if lo is not None else draw(st.integers(-1000, 1000))
        s["exclusiveMaximum" if draw(st.booleans()) else "maximum"] = base + draw(st.integers(2, 500))
    if draw(st.integers(0, 3)) == 0:
        s["multipleOf"] = draw(st.sampled_from([2, 3, 5] if integer else [0.5, 0.25, 0.1, 0.01, 2]))
    return s


_SCALARS = st.one_of(
    _strings(),
    _numbers(),
    st.sampled_from([{"type": "boolean"}, {"type": "null"}, {"type": ["string", "null"]}, {}]),
    st.builds(lambda v: {"const": v}, st.integers(-5, 5) | st.text("xyz", max_size=3) | st.booleans()),
    st.builds(lambda v: {"enum": v}, st.lists(st.integers(0, 9) | st.text("ab", max_size=2), min_size=1, max_size=3)),
)


Child = st.SearchStrategy[dict[str, Any]]


@st.composite
def _object(draw: st.DrawFn, child: Child) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(_NAMES), max_size=5, unique=True))
    s: dict[str, Any] = {"type": "object", "properties": {n: draw(child) for n in names}}
    if names:
        s["required"] = draw(st.lists(st.sampled_from(names), unique=True))
    extra = draw(st.sampled_from(["absent", "false", "schema"]))
    if extra != "absent":
        s["additionalProperties"] = False if extra == "false" else draw(_SCALARS)
    return s


@st.composite
def _array(draw: st.DrawFn, child: Child) -> dict[str, Any]:
    s: dict[str, Any] = {"type": "array"}
    if draw(st.integers(0, 4)) == 0:
        s["prefixItems"] = draw(st.lists(child, min_size=1, max_size=3))
    else:
        s["items"] = draw(child)
    if lo := draw(st.integers(0, 3)):
        s["minItems"] = lo
    if draw(st.booleans()):
        s["maxItems"] = lo + draw(st.integers(0, 4))
    return s


@st.composite
def _all_of(draw: st.DrawFn, child: Child) -> dict[str, Any]:  # parts with disjoint properties, so satisfiable
    names = draw(st.lists(st.sampled_from(_NAMES), min_size=2, max_size=5, unique=True))
    half = len(names) // 2
    parts = [{"properties": {n: draw(child) for n in part}} for part in (names[:half], names[half:])]
    parts[0]["type"] = "object"
    parts[0]["required"] = names[:1]
    return {"allOf": parts}


_ONE_OF_TYPES = st.lists(st.sampled_from(["string", "integer", "boolean", "null"]), min_size=2, max_size=3, unique=True)


def _containers(child: Child) -> Child:
    return st.one_of(
        _object(child),
        _array(child),
        st.builds(lambda xs: {"anyOf": xs}, st.lists(child, min_size=1, max_size=3)),
        st.builds(lambda x: {"anyOf": [x, {"type": "null"}]}, child),
        st.builds(lambda ts: {"oneOf": [{"type": t} for t in ts]}, _ONE_OF_TYPES),
        _all_of(child),
    )


_TREE = st.recursive(_SCALARS, _containers, max_leaves=10)


@st.composite
def _schemas(draw: st.DrawFn) -> dict[str, Any]:
    inner = draw(_TREE)
    if draw(st.integers(0, 3)) == 0:
        return {
            "$defs": {"Inner": inner},
            "type": "object",
            "properties": {
                "inner": {"$ref": "#/$defs/Inner"},
                "more": {"type": "array", "items": {"$ref": "#/$defs/Inner"}},
            },
            "required": ["inner"],
        }
    return inner


@seed(20240601)
@settings(
    max_examples=200,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(_schemas())
def test_random_schemas_get_valid_values_from_the_structural_generator(schema: dict[str, Any]) -> None:
    gen = _SHARED
    assert gen.validate_schema(schema) is None
    jsonschema.Draft202012Validator.check_schema(schema)
    for s in range(2):
        value = gen.generate(schema, prompt="Tell me about Alice, 28, who lives in Paris", rng=random.Random(s))
        check(value, schema)


_SHARED = JsonGenerator(fallback=False)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-50, 50)
    | st.floats(-100, 100, allow_nan=False)
    | st.text("abx-09", max_size=5),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from([*_NAMES, "inner", "more"]), c, max_size=4),
    max_leaves=8,
)


@seed(7)
@settings(max_examples=150, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(_schemas(), st.lists(_JSON, min_size=4, max_size=4))
def test_own_validator_agrees_with_the_jsonschema_package(schema: dict[str, Any], values: list[Any]) -> None:
    reference = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    own = _SHARED.generate(schema, prompt="hello", rng=random.Random(0))
    for value in [*values, own]:
        assert _SHARED.is_valid(schema, value) == reference.is_valid(value), json.dumps(value)


# ---- validate_schema --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (
            {"type": "object", "properties": {"age": {"type": 7}}},
            "'type' must be a string or array of strings at properties.age",
        ),
        ({"properties": {"age": {"type": "int"}}}, "unknown type 'int'"),
        ({"type": ["string", "strng"]}, "unknown type 'strng'"),
        ({"properties": {"x": {"$ref": "#/$defs/X"}}}, "unresolvable $ref '#/$defs/X' at properties.x"),
        ({"type": "string", "pattern": "[a-"}, "invalid regular expression '[a-' in 'pattern' at the root"),
        (
            {"properties": {"n": {"type": "integer", "minimum": 10, "maximum": 5}}},
            "'minimum' (10) is greater than 'maximum' (5) at properties.n",
        ),
        ({"items": {"minLength": 5, "maxLength": 2}}, "'minLength' (5) is greater than 'maxLength' (2) at items"),
        (
            {"type": "number", "exclusiveMinimum": 5, "maximum": 5},
            "'exclusiveMinimum' (5) leaves no number below 'maximum' (5)",
        ),
        ({"minLength": -1}, "'minLength' must be a non-negative integer at the root"),
        ({"maxItems": 1.5}, "'maxItems' must be a non-negative integer"),
        ({"multipleOf": 0}, "'multipleOf' must be a number greater than 0"),
        ({"enum": []}, "'enum' must be a non-empty array"),
        ({"anyOf": []}, "'anyOf' must be a non-empty array of schemas"),
        ({"required": "name"}, "'required' must be an array of strings"),
        ({"properties": [{"name": "x"}]}, "'properties' must be an object"),
        ({"patternProperties": {"(": {}}}, "invalid regular expression '(' in 'patternProperties'"),
        ({"prefixItems": [{"type": "string"}, 3]}, "a schema must be an object or a boolean at prefixItems[1]"),
        ({"properties": {"x": {"anyOf": [{"type": "string"}, {"type": "nope"}]}}}, "at properties.x.anyOf[1]"),
        (
            {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"},
            "circular $ref '#/$defs/a' at $defs.a",
        ),
        ("string", "a schema must be an object or a boolean at the root"),
    ],
)
def test_validate_schema_names_the_problem_and_the_place(gen: JsonGenerator, schema: Any, message: str) -> None:
    verdict = gen.validate_schema(schema)
    assert verdict is not None and message in verdict


@pytest.mark.parametrize(
    "schema",
    [
        WEATHER,
        STOCK,
        BMI,
        PERSON_INFO,
        PERSON_EXTRACTION,
        MATH_PROBLEM,
        PYDANTIC,
        {},
        True,
        {"type": "object", "required": ["not_described"]},  # allowed by JSON Schema
        {"definitions": {"t": {"type": "array", "items": {"$ref": "#/definitions/t"}}}, "$ref": "#/definitions/t"},
        {"type": "number", "exclusiveMinimum": True, "minimum": 0},  # draft-04 form
        {"type": "object", "x-custom": {"anything": 1}, "properties": {"a": {"format": "made-up"}}},
    ],
)
def test_validate_schema_accepts_valid_schemas(gen: JsonGenerator, schema: Any) -> None:
    assert gen.validate_schema(schema) is None


# ---- determinism, fallback, robustness ----------------------------------------------------------------------
def test_same_seed_same_value_and_seeds_vary(gen: JsonGenerator) -> None:
    prompt = "Tell me about a software engineer named Alice who is 28 years old"
    first = [json.dumps(gen.generate(PYDANTIC, prompt=prompt, rng=random.Random(s))) for s in range(8)]
    again = [
        json.dumps(JsonGenerator(fallback=False).generate(PYDANTIC, prompt=prompt, rng=random.Random(s)))
        for s in range(8)
    ]
    assert first == again
    assert len(set(first)) > 4


def test_exotic_schema_falls_back_to_a_seeded_hypothesis_example() -> None:
    schema = {
        "type": "object",
        "properties": {"code": {"type": "string", "minLength": 3, "not": {"pattern": "[a-z]"}}},
        "required": ["code"],
        "additionalProperties": False,
    }
    gen = JsonGenerator(fallback_budget=60)
    values = [gen.generate(schema, prompt="Make a code", rng=random.Random(s)) for s in range(3)]
    for value in values:
        check(value, schema)
    assert gen.stats["fallback"] == 3
    again = JsonGenerator(fallback_budget=60).generate(schema, prompt="Make a code", rng=random.Random(0))
    assert again == values[0]


def test_unsatisfiable_schema_returns_the_structural_value_without_raising() -> None:
    gen = JsonGenerator(fallback=False)
    value = gen.generate({"allOf": [{"type": "string"}, {"type": "integer"}]}, prompt="x", rng=random.Random(0))
    assert value is None
    assert gen.stats["unverified"] == 1
    assert gen.generate(False, prompt="x", rng=random.Random(0)) is None


def test_concurrent_use_matches_serial_use() -> None:
    shared = JsonGenerator(fallback=False)
    jobs = [
        (schema, prompt, s)
        for s in range(10)
        for schema, prompt in [
            (PYDANTIC, "Alice is a 28-year-old software engineer"),
            (WEATHER, "Weather in Boston?"),
            (BMI, "70kg, 1.8m"),
        ]
    ]
    expected = [JsonGenerator(fallback=False).generate(sc, prompt=p, rng=random.Random(s)) for sc, p, s in jobs]
    results: dict[int, Any] = {}

    def work(offset: int) -> None:
        for i in range(offset, len(jobs), 4):
            sc, p, s = jobs[i]
            results[i] = shared.generate(sc, prompt=p, rng=random.Random(s))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [results[i] for i in range(len(jobs))] == expected


def test_values_do_not_depend_on_the_process_hash_seed() -> None:
    code = (
        "import json, random, sys\n"
        "from fakeai.behaviors.sim.jsongen import JsonGenerator\n"
        "g = JsonGenerator(fallback=False)\n"
        "jobs = json.loads(sys.stdin.read())\n"
        "print(json.dumps([g.generate(s, prompt=p, rng=random.Random(i)) for i, (s, p) in enumerate(jobs)]))\n"
    )
    jobs = [
        (PYDANTIC, "Tell me about a software engineer named Alice who is 28 years old"),
        (PERSON_INFO, "Tell me about a software engineer named Alice who is 28 years old."),
        (WEATHER, "What's the weather in New York, London, and Tokyo?"),
        (BMI, "I weigh 150 lbs and I am 6 ft tall"),
        (
            {
                "type": "object",
                "properties": {"tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True}},
                "required": ["tags"],
            },
            "Summarize the history of the Roman Empire and its emperors",
        ),
    ] * 3
    outputs = []
    for hash_seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(jobs),
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert outputs[0][3] == {"weight_kg": 68.04, "height_m": 1.83}  # converted from the prompt's units
