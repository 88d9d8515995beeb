"""Specs that must not compile: each fails with a SpecError whose message names the problem and the place.

The documents are tests/codegen/broken/<case>.yaml; `extension_redefines.yaml` is an extension merged into
specs/minimal.yaml.
"""

from __future__ import annotations

import pytest
from fakeai.codegen import load
from fakeai.codegen.compile import compile_sources
from fakeai.codegen.errors import SpecError

from .support import BROKEN, SPECS

# case -> substrings the message must contain (the problem, and where: a JSON pointer, an operation or a line)
EXPECTED: dict[str, tuple[str, ...]] = {
    "swagger2": ("swagger2.yaml", "/openapi", "not an OpenAPI 3.x document"),
    "paths_not_mapping": ("paths_not_mapping.yaml", "/paths", "`paths` must be a mapping"),
    "no_responses": ("no_responses.yaml", "GET /things", "has no responses"),
    "no_operation_id": ("POST /things", "has no operationId"),
    "duplicate_operation_id": ("GET /things/{id}", "operationId 'getThing' is used twice", "also GET /things)"),
    "python_name_clash": ("GET /things/{id}", "'get_thing'", "Python name 'get_thing'", "getThing also gives"),
    "unresolvable_ref": (
        "unresolvable_ref.yaml",
        "/get/responses/200/content/",
        "$ref '#/components/schemas/Missing' does not resolve",
    ),
    "external_ref": ("external_ref.yaml", "/get/responses/200/content/", "external $ref 'other-file.yaml#/X'"),
    "undeclared_path_param": ("GET /things/{id}", "path parameters ['id'] do not match the declared ones []"),
    "undefined_security_scheme": ("GET /things", "security scheme 'AdminKey' is not defined"),
    "invalid_yaml": ("invalid_yaml.yaml", "not valid YAML/JSON", "line 7"),
    "extension_redefines": (
        "extension_redefines.yaml",
        "GET /ping is defined in both minimal.yaml and extension_redefines.yaml",
    ),
}


def _compile(case: str) -> None:
    if case == "extension_redefines":
        compile_sources(load.read(SPECS / "minimal.yaml"), [load.read(BROKEN / f"{case}.yaml")], draw_examples=False)
    else:
        compile_sources(load.read(BROKEN / f"{case}.yaml"), [], draw_examples=False)


def test_every_broken_document_is_in_the_table() -> None:
    assert sorted(p.stem for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_broken_spec_fails_with_a_clear_message(case: str) -> None:
    with pytest.raises(SpecError) as info:
        _compile(case)
    message = str(info.value)
    missing = [s for s in EXPECTED[case] if s not in message]
    assert not missing, f"{case}: message {message!r} lacks {missing}"
    assert info.value.problem and info.value.problem in message


def test_spec_error_fields() -> None:
    with pytest.raises(SpecError) as info:
        _compile("no_responses")
    e = info.value
    assert (e.source, e.where, e.problem) == ("no_responses.yaml", "GET /things", "the operation has no responses")
    assert str(e) == "no_responses.yaml: GET /things: the operation has no responses"


@pytest.mark.parametrize(
    "case",
    [
        "no_operation_id",
        "duplicate_operation_id",
        "python_name_clash",
        "undeclared_path_param",
        "undefined_security_scheme",
    ],
)
def test_every_message_names_the_document(case: str) -> None:
    with pytest.raises(SpecError) as info:
        _compile(case)
    assert f"{case}.yaml" in str(info.value)


def test_ref_error_place_is_a_json_pointer() -> None:
    with pytest.raises(SpecError) as info:
        _compile("unresolvable_ref")
    assert info.value.where == "/paths/~1things/get/responses/200/content/application~1json/schema"
