"""names.py: identifiers in every style become snake_case functions and PascalCase classes; route paths and order."""

from __future__ import annotations

import pytest
from fakeai.codegen import names


@pytest.mark.parametrize(
    ("name", "snake", "pascal"),
    [
        ("createChatCompletion", "create_chat_completion", "CreateChatCompletion"),
        ("admin-api-keys-list", "admin_api_keys_list", "AdminApiKeysList"),
        ("Getorganizationspendlimit", "getorganizationspendlimit", "Getorganizationspendlimit"),
        ("list-project-api-keys", "list_project_api_keys", "ListProjectApiKeys"),
        ("beta_createResponse", "beta_create_response", "BetaCreateResponse"),
        ("retrieveHTTPResponse", "retrieve_http_response", "RetrieveHttpResponse"),
        ("getV1Models", "get_v1_models", "GetV1Models"),
        ("Create Speech", "create_speech", "CreateSpeech"),
        ("already_snake_case", "already_snake_case", "AlreadySnakeCase"),
        ("2fa-verify", "op_2fa_verify", "M2faVerify"),
        ("class", "class_", "Class"),
        ("---", "op", "Model"),
    ],
)
def test_snake_and_pascal(name: str, snake: str, pascal: str) -> None:
    assert names.snake(name) == snake
    assert names.pascal(name) == pascal
    assert snake.isidentifier() and pascal.isidentifier()


def test_styles_of_one_name_agree() -> None:
    forms = ["getThing", "get_thing", "get-thing", "GetThing", "Get Thing"]
    assert {names.snake(f) for f in forms} == {"get_thing"}
    assert {names.pascal(f) for f in forms} == {"GetThing"}


@pytest.mark.parametrize(
    ("name", "identifier"),
    [
        ("CreateThing", "CreateThing"),
        ("MessagePhase-2", "MessagePhase2"),
        ("Beta_AgentTagParam", "BetaAgentTagParam"),
        ("thing.v1", "ThingV1"),
        ("9lives", "Schema9lives"),
    ],
)
def test_schema_identifier(name: str, identifier: str) -> None:
    assert names.schema_identifier(name) == identifier


def test_route_path_greedy_parameters() -> None:
    assert names.route_path("/models/{model}", frozenset({"model"})) == "/models/{model:path}"
    assert names.route_path("/models/{model}", frozenset()) == "/models/{model}"
    assert names.route_path("/orgs/{org}/models/{model}", frozenset({"model"})) == "/orgs/{org}/models/{model:path}"


def test_path_sort_key_puts_literals_before_parameters() -> None:
    routes = [
        ("/responses/{id}", "get"),
        ("/responses/compact", "post"),
        ("/responses", "post"),
        ("/responses/{id}/cancel", "post"),
        ("/responses/{id}", "delete"),
        ("/a/{x}/b", "get"),
        ("/a/{x}/{y}", "get"),
        ("/a/lit/{y}", "get"),
    ]
    ordered = sorted(routes, key=lambda r: names.path_sort_key(*r))
    assert ordered == [
        ("/a/lit/{y}", "get"),
        ("/a/{x}/b", "get"),
        ("/a/{x}/{y}", "get"),
        ("/responses", "post"),
        ("/responses/compact", "post"),
        ("/responses/{id}", "delete"),
        ("/responses/{id}", "get"),
        ("/responses/{id}/cancel", "post"),
    ]
