"""Reranking through the openai SDK's raw requests: NIM /ranking, Cohere/Jina/vLLM /rerank and /v2/rerank, TEI."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from tests.conftest import API_KEY, LiveServer

NIM = "nvidia/nv-rerankqa-mistral-4b-v3"  # max_input_tokens 512


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)


def post(client: openai.OpenAI, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, cast_to=object, body=body)


def passages(*texts: str) -> list[dict[str, str]]:
    return [{"text": t} for t in texts]


def test_nim_ranking_puts_the_relevant_passages_first(client: openai.OpenAI) -> None:
    data = post(
        client,
        "/ranking",
        {
            "model": NIM,
            "query": {"text": "What is machine learning?"},
            "passages": passages(
                "Machine learning is a subset of artificial intelligence.",
                "The weather today is sunny and warm.",
                "Machine learning algorithms learn from data to make predictions.",
            ),
        },
    )
    ranks = data["rankings"]
    assert sorted(r["index"] for r in ranks) == [0, 1, 2]
    assert ranks[-1]["index"] == 1  # the weather passage is last
    logits = [r["logit"] for r in ranks]
    assert logits == sorted(logits, reverse=True)
    assert logits[0] > 2.0 > -2.0 > logits[-1]


def test_nim_ranking_seed_examples(client: openai.OpenAI) -> None:
    # seed 000 "Multiple Passages": Python passages above JavaScript and Paris
    texts = [
        "Python uses indentation to define code blocks instead of braces.",
        "Use list comprehensions for concise and readable code.",
        "JavaScript is a popular programming language for web development.",
        "Follow PEP 8 style guide for consistent Python code formatting.",
        "Virtual environments help isolate project dependencies in Python.",
        "Type hints improve code documentation and catch errors early.",
        "The capital of France is Paris.",
        "Use meaningful variable names to make code self-documenting.",
    ]
    data = post(
        client,
        "/ranking",
        {"model": NIM, "query": {"text": "best practices for Python programming"}, "passages": passages(*texts)},
    )
    order = [r["index"] for r in data["rankings"]]
    # a lexical model: passages sharing query words (Python, programming) above those sharing none
    assert set(order[:4]) == {0, 2, 3, 4}
    assert set(order[4:]) == {1, 5, 6, 7}
    # seed 000 "Interpreting Logit Scores": the deep learning framework passage first
    data = post(
        client,
        "/ranking",
        {
            "model": NIM,
            "query": {"text": "deep learning frameworks"},
            "passages": passages(
                "PyTorch is a popular deep learning framework developed by Facebook.",
                "TensorFlow is Google's open-source machine learning framework.",
                "Keras provides a high-level API for building neural networks.",
                "NumPy is used for numerical computing in Python.",
                "Pandas is a data manipulation library.",
            ),
        },
    )
    assert data["rankings"][0]["index"] == 0


def test_nim_truncate_none_refuses_and_end_cuts(client: openai.OpenAI) -> None:
    long_passage = "machine learning " * 400  # about 800 tokens, over the model's 512
    body = {"model": NIM, "query": {"text": "machine learning"}, "passages": passages("short one", long_passage)}
    with pytest.raises(openai.BadRequestError) as e:
        post(client, "/ranking", {**body, "truncate": "NONE"})
    assert e.value.param == "passages[1]"
    assert "512" in e.value.message
    with pytest.raises(openai.BadRequestError):
        post(client, "/ranking", body)  # NONE is the default
    data = post(client, "/ranking", {**body, "truncate": "END"})
    assert data["rankings"][0]["index"] == 1


def test_cohere_rerank_shape_top_n_and_documents(client: openai.OpenAI, live_server: LiveServer) -> None:
    body = {
        "model": "rerank-v3.5",
        "query": "What is the capital of France?",
        "documents": ["Berlin is in Germany.", {"text": "Paris is the capital of France."}, "Bananas are yellow."],
        "top_n": 2,
    }
    data = post(client, "/rerank", body)
    assert data["model"] == "rerank-v3.5" and data["id"]
    assert next(r["index"] for r in data["results"]) == 1
    assert len(data["results"]) == 2
    assert data["results"][0]["document"] == {"text": "Paris is the capital of France."}
    scores = [r["relevance_score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert data["usage"]["total_tokens"] > 0
    bare = post(client, "/rerank", {**{k: v for k, v in body.items() if k != "top_n"}, "return_documents": False})
    assert len(bare["results"]) == 3 and all("document" not in r for r in bare["results"])
    # also at the root (/rerank) and at /v2/rerank, with the default model when none is given
    root = httpx.post(f"{live_server.url}/rerank", json=body, headers={"Authorization": f"Bearer {API_KEY}"}).json()
    assert root["results"][0]["index"] == 1
    v2 = httpx.post(
        f"{live_server.url}/v2/rerank",
        json={"query": body["query"], "documents": ["Bananas are yellow.", "Paris is the capital of France."]},
        headers={"Authorization": f"Bearer {API_KEY}"},
    ).json()
    assert v2["results"][0]["index"] == 1 and v2["model"] == "BAAI/bge-reranker-v2-m3"


def test_tei_rerank_shape(client: openai.OpenAI) -> None:
    body = {"query": "What is Deep Learning?", "texts": ["Deep Learning is a branch of ML.", "Cheese is tasty."]}
    data = post(client, "/rerank", body)
    assert isinstance(data, list)
    assert [d["index"] for d in data] == [0, 1]
    assert 0.5 < data[0]["score"] <= 1 and 0 <= data[1]["score"] < 0.5
    assert "text" not in data[0]
    raw = post(client, "/rerank", {**body, "raw_scores": True, "return_text": True})
    assert raw[0]["score"] > 2 and raw[1]["score"] < -2
    assert raw[0]["text"] == "Deep Learning is a branch of ML."


def test_tei_truncation(client: openai.OpenAI) -> None:
    long_text = "cheese " * 9000  # over the default reranker's 8192 tokens
    body = {"query": "cheese", "texts": ["nothing here", long_text]}
    with pytest.raises(openai.BadRequestError) as e:
        post(client, "/rerank", body)
    assert e.value.param == "texts[1]"
    data = post(client, "/rerank", {**body, "truncate": True, "truncation_direction": "Left"})
    assert data[0]["index"] == 1
