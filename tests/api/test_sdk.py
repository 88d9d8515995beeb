"""The official openai SDK, sync and async, against a live server on loopback."""

from __future__ import annotations

import asyncio

import openai

from tests.conftest import API_KEY, LiveServer


def test_models_list_and_chat_completion(live_server: LiveServer) -> None:
    client = openai.OpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)
    with client:
        _models_and_chat(client)


def _models_and_chat(client: openai.OpenAI) -> None:
    models = client.models.list()
    assert models.object == "list"
    completion = client.chat.completions.create(
        model="openai/gpt-oss-120b", messages=[{"role": "user", "content": "Hello"}]
    )
    assert completion.object == "chat.completion"
    chunks = list(
        client.chat.completions.create(
            model="openai/gpt-oss-120b", messages=[{"role": "user", "content": "Hello"}], stream=True
        )
    )
    assert chunks and all(c.object == "chat.completion.chunk" for c in chunks)


def test_base_url_without_v1(live_server: LiveServer) -> None:
    with openai.OpenAI(api_key=API_KEY, base_url=live_server.url, max_retries=0) as client:
        assert client.models.list().object == "list"


def test_async_client(live_server: LiveServer) -> None:
    async def run() -> None:
        client = openai.AsyncOpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)
        results = await asyncio.gather(
            *[
                client.chat.completions.create(model="openai/gpt-oss-120b", messages=[{"role": "user", "content": t}])
                for t in ("Python", "Go", "Rust")
            ]
        )
        assert all(r.object == "chat.completion" for r in results)
        await client.close()

    asyncio.run(run())


def test_bad_key_raises_authentication_error(live_server: LiveServer) -> None:
    client = openai.OpenAI(api_key="sk-nope", base_url=live_server.url + "/v1", max_retries=0)
    try:
        with client:
            client.models.list()
    except openai.AuthenticationError as e:
        assert e.status_code == 401
        assert e.code == "invalid_api_key"
    else:
        raise AssertionError("expected AuthenticationError")
