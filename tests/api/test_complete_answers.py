"""Behaviours declared `complete=True` skip the filler's completion pass: their answers must already hold every
field the spec requires. Each declared operation is exercised in its variants; the filler must find nothing to add."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from starlette.testclient import TestClient

from fakeai import registry
from tests.conftest import AUTH

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]
PERSON = {
    "type": "json_schema",
    "json_schema": {
        "name": "person",
        "schema": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
            "required": ["name", "age"],
        },
    },
}
USER = [{"role": "user", "content": "Explain how tides work."}]

CASES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "createChatCompletion": [
        ("/v1/chat/completions", {"model": "gpt-4o-mini", "messages": USER, "max_tokens": 20}),
        ("/v1/chat/completions", {"model": "gpt-4o", "messages": USER, "n": 2, "logprobs": True, "top_logprobs": 2}),
        ("/v1/chat/completions", {"model": "gpt-4o", "messages": USER, "tools": TOOLS, "tool_choice": "required"}),
        ("/v1/chat/completions", {"model": "gpt-4o", "messages": USER, "response_format": PERSON}),
        ("/v1/chat/completions", {"model": "o3-mini", "messages": USER, "reasoning_effort": "low"}),
        ("/v1/chat/completions", {"model": "gpt-4o", "messages": USER, "stop": ["."], "store": True, "seed": 3}),
        (
            "/v1/chat/completions",
            {
                "model": "gpt-4o-audio-preview",
                "messages": USER,
                "modalities": ["text", "audio"],
                "audio": {"voice": "alloy", "format": "wav"},
                "max_tokens": 10,
            },
        ),
    ],
    "createCompletion": [
        ("/v1/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi", "max_tokens": 8}),
        ("/v1/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": ["a", "b"], "n": 2, "logprobs": 2}),
        ("/v1/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": "Once", "echo": True, "suffix": "end"}),
    ],
    "createEmbedding": [
        ("/v1/embeddings", {"model": "text-embedding-3-small", "input": "hello"}),
        ("/v1/embeddings", {"model": "text-embedding-3-small", "input": ["a", "b"], "encoding_format": "base64"}),
        ("/v1/embeddings", {"model": "text-embedding-3-large", "input": [[1, 2, 3]], "dimensions": 8}),
    ],
}


def test_every_declared_operation_has_cases(client: TestClient) -> None:  # (the app loads the behaviours)
    declared = {oid for oid, r in registry.registered().items() if r.complete}
    assert declared == set(CASES)


@pytest.mark.parametrize(("oid", "path", "body"), [(oid, p, b) for oid, cases in CASES.items() for p, b in cases])
def test_filler_finds_nothing_to_add(client: TestClient, oid: str, path: str, body: dict[str, Any]) -> None:
    handler = client.app.state.dispatcher.handlers[oid]  # type: ignore[attr-defined]
    assert handler.complete_answers
    r = client.post(path, json=body, headers=AUTH)
    assert r.status_code == 200, r.text
    answer = r.json()
    completed = handler.services.filler.complete(copy.deepcopy(answer), handler.json_media.schema, 0)
    assert completed == answer
