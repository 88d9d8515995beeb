"""Embeddings through the openai SDK against a live server: meaning, dimensions, encodings, input forms, errors."""

from __future__ import annotations

import base64

import httpx
import numpy as np
import openai
import pytest
from fakeai.behaviors.sim.tokenizer import count_tokens, encode

from tests.conftest import API_KEY, AUTH, LiveServer


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)


def _vectors(client: openai.OpenAI, texts: list[str], **kw: object) -> np.ndarray:
    resp = client.embeddings.create(model="text-embedding-3-small", input=texts, encoding_format="float", **kw)  # type: ignore[arg-type]
    return np.array([d.embedding for d in resp.data])


def test_texts_sharing_words_are_closer(client: openai.OpenAI) -> None:
    v = _vectors(
        client,
        [
            "The cat sat on the warm mat by the fire.",
            "A cat was sitting on a mat near the fire.",
            "Quarterly revenue grew faster than analysts expected.",
        ],
    )
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > 0.3
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_same_text_same_vector_whatever_the_batch(client: openai.OpenAI) -> None:
    alone = _vectors(client, ["renewable energy"])[0]
    batched = _vectors(client, ["solar power", "renewable energy"])[1]
    assert np.allclose(alone, batched)


@pytest.mark.parametrize(
    ("model", "dims"),
    [
        ("text-embedding-3-small", 1536),
        ("text-embedding-3-large", 3072),
        ("text-embedding-ada-002", 1536),
        ("sentence-transformers/all-mpnet-base-v2", 768),
        ("BAAI/bge-m3", 1024),
        ("qwen3-embedding-0.6b", 1024),
        ("my-own-embedder-v1", 1536),
    ],
)
def test_model_dimensions_from_the_catalog(client: openai.OpenAI, model: str, dims: int) -> None:
    resp = client.embeddings.create(model=model, input="Hello, world!", encoding_format="float")
    assert len(resp.data[0].embedding) == dims
    assert resp.model == model


def test_dimensions_truncates_and_renormalises(client: openai.OpenAI) -> None:
    full = _vectors(client, ["Machine learning is fascinating."])[0]
    short = _vectors(client, ["Machine learning is fascinating."], dimensions=256)[0]
    assert short.shape == (256,)
    assert np.linalg.norm(short) == pytest.approx(1.0, abs=1e-5)
    assert np.allclose(short, full[:256] / np.linalg.norm(full[:256]), atol=1e-6)


def test_dimensions_above_the_model_or_for_ada_is_a_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as e:
        client.embeddings.create(model="text-embedding-3-small", input="hi", dimensions=2000)
    assert e.value.param == "dimensions"
    assert "1536" in e.value.message
    with pytest.raises(openai.BadRequestError) as e:
        client.embeddings.create(model="text-embedding-ada-002", input="hi", dimensions=512)
    assert e.value.param == "dimensions"


def test_base64_is_little_endian_float32(client: openai.OpenAI, live_server: LiveServer) -> None:
    body = {"model": "text-embedding-3-small", "input": ["hello world", "goodbye"]}
    floats = httpx.post(f"{live_server.url}/v1/embeddings", json=body, headers=AUTH).json()
    raw = httpx.post(
        f"{live_server.url}/v1/embeddings", json={**body, "encoding_format": "base64"}, headers=AUTH
    ).json()
    for f, b in zip(floats["data"], raw["data"], strict=True):
        assert isinstance(b["embedding"], str)
        decoded = np.frombuffer(base64.b64decode(b["embedding"]), dtype="<f4")
        assert np.array_equal(decoded, np.array(f["embedding"], dtype=np.float32))
    # The SDK asks for base64 by default and decodes it itself; explicitly asking for base64 returns the string.
    default = client.embeddings.create(model="text-embedding-3-small", input=["hello world", "goodbye"])
    assert np.allclose(default.data[0].embedding, floats["data"][0]["embedding"])
    explicit = client.embeddings.create(model="text-embedding-3-small", input="hello world", encoding_format="base64")
    assert isinstance(explicit.data[0].embedding, str)


def test_token_arrays_embed_like_their_text(client: openai.OpenAI) -> None:
    text = "Solar panels convert sunlight to electricity"
    ids = encode(text)
    from_text = _vectors(client, [text])[0]
    one = client.embeddings.create(model="text-embedding-3-small", input=ids, encoding_format="float")
    many = client.embeddings.create(
        model="text-embedding-3-small", input=[ids, encode("wind power")], encoding_format="float"
    )
    assert len(one.data) == 1 and len(many.data) == 2
    assert np.allclose(one.data[0].embedding, from_text, atol=1e-6)
    assert np.allclose(many.data[0].embedding, from_text, atol=1e-6)
    assert one.usage.prompt_tokens == len(ids)


def test_usage_counts_tokens(client: openai.OpenAI) -> None:
    texts = ["The quick brown fox jumps over the lazy dog.", "Another sentence."]
    resp = client.embeddings.create(model="text-embedding-3-small", input=texts, encoding_format="float")
    expected = sum(count_tokens(t) for t in texts)
    assert resp.usage.prompt_tokens == expected == resp.usage.total_tokens
    assert [d.index for d in resp.data] == [0, 1]


def test_empty_input_is_a_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as e:
        client.embeddings.create(model="text-embedding-3-small", input="")
    assert e.value.param == "input"
    with pytest.raises(openai.BadRequestError) as e:
        client.embeddings.create(model="text-embedding-3-small", input=["fine", ""])
    assert e.value.param == "input[1]"


def test_input_longer_than_the_model_is_a_400(client: openai.OpenAI) -> None:
    long_text = "word " * 9000
    with pytest.raises(openai.BadRequestError) as e:
        client.embeddings.create(model="text-embedding-3-small", input=long_text)
    assert e.value.param == "input" and e.value.code == "context_length_exceeded"
    # vLLM's truncate_prompt_tokens keeps the last N tokens instead
    resp = client.embeddings.create(
        model="text-embedding-3-small", input=long_text, extra_body={"truncate_prompt_tokens": 100}
    )
    assert resp.usage.prompt_tokens == 100


def test_a_batch_of_2048_inputs(client: openai.OpenAI) -> None:
    texts = [f"short input number {i} about topic {i % 37}" for i in range(2048)]
    resp = client.embeddings.create(model="text-embedding-3-small", input=texts)
    assert len(resp.data) == 2048
    assert [d.index for d in resp.data[:3]] == [0, 1, 2]
    assert len(resp.data[-1].embedding) == 1536
