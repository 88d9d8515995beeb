"""Tests for the BM25 relevance model."""

from __future__ import annotations

import math

import pytest
from fakeai.behaviors.sim.relevance import bm25_scores, logits, relevance_scores, stem, tokenize_terms

ML_PASSAGES = [
    "Machine learning is a subset of artificial intelligence.",
    "The weather today is sunny and warm.",
    "Machine learning algorithms learn from data to make predictions.",
]

PYTHON_PASSAGES = [
    "Python programming best practices include writing readable code and following PEP 8.",
    "Use virtual environments to manage dependencies in Python projects.",
    "The capital of France is Paris.",
    "JavaScript is widely used for building interactive web pages.",
    "Write unit tests for your Python code and run them often.",
    "Type hints and docstrings make Python programs easier to maintain.",
    "Good programming practices include code review and version control.",
    "Bananas are a good source of potassium.",
]

DL_PASSAGES = [
    "TensorFlow is an end-to-end machine learning platform from Google.",
    "NumPy provides fast n-dimensional arrays for numerical computing in Python.",
    "PyTorch is an open-source deep learning framework developed by Meta.",
    "Keras is a high-level neural network API that runs on top of TensorFlow.",
    "Pandas offers data frames for data analysis and manipulation.",
]


def ranking(scores: list[float]) -> list[int]:
    return sorted(range(len(scores)), key=lambda i: -scores[i])


def test_tokenize_terms_lowercases_drops_stopwords_and_stems() -> None:
    assert tokenize_terms("What is Machine Learning?") == ["machin", "learn"]
    assert tokenize_terms("Programs, programming & the PROGRAM") == ["program", "program", "program"]
    assert tokenize_terms("libraries and a library") == ["librari", "librari"]
    assert tokenize_terms("What is it?") == ["what", "is", "it"]  # only stopwords: keep them rather than nothing
    assert tokenize_terms("") == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("frameworks", "framework"),
        ("stopped", "stop"),
        ("running", "run"),
        ("classes", "class"),
        ("analysis", "analysis"),
        ("string", "string"),  # -ing with no vowel before it is not a suffix
        ("need", "need"),
        ("bus", "bus"),
        ("practices", stem("practice")),
        ("making", stem("make")),
    ],
)
def test_stemming_is_conservative(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_machine_learning_example() -> None:
    scores = logits("What is machine learning?", ML_PASSAGES)
    assert set(ranking(scores)[:2]) == {0, 2}
    assert scores[1] < -2.0
    assert scores[0] > 2.0 and scores[2] > 2.0
    assert all(-10.0 <= s <= 10.0 for s in scores)


def test_python_best_practices_example() -> None:
    scores = logits("best practices for Python programming", PYTHON_PASSAGES)
    order = ranking(scores)
    assert order[0] == 0  # mentions every query term
    python_passages = {0, 1, 4, 5}
    unrelated = {2, 3, 7}  # France, JavaScript, bananas
    assert max(scores[i] for i in unrelated) < min(scores[i] for i in python_passages)
    assert all(scores[i] < -2.0 for i in unrelated)
    assert scores[6] > 2.0  # "good programming practices" is relevant without naming Python


def test_deep_learning_frameworks_example() -> None:
    scores = logits("deep learning frameworks", DL_PASSAGES)
    order = ranking(scores)
    assert order[0] == 2  # PyTorch: "deep learning framework"
    assert order[1] == 0  # TensorFlow: "machine learning platform"
    assert scores[2] > 5.0
    assert all(scores[i] < -2.0 for i in (1, 3, 4))


def test_bm25_scores_are_zero_without_overlap_and_prefer_repetition_and_short_passages() -> None:
    scores = bm25_scores("solar power", ["solar power", "solar solar power plant", "wind farm", ""])
    assert scores[2] == 0.0 and scores[3] == 0.0
    assert scores[0] > 0.0 and scores[1] > 0.0
    longer = bm25_scores("solar", ["solar panels", "solar panels on the roof of a very large old warehouse"])
    assert longer[0] > longer[1]  # length normalisation (b = 0.75)
    rarer = bm25_scores("solar battery", ["solar", "battery", "battery"])
    assert rarer[0] > rarer[1]  # IDF: the rarer term weighs more


def test_small_collections_still_give_positive_idf() -> None:
    # a term present in every passage keeps a positive weight thanks to the virtual prior passages
    scores = bm25_scores("python", ["python tips", "python tricks"])
    assert scores[0] > 0.0 and scores[0] == scores[1]
    assert logits("python", ["python tips"])[0] > 2.0


def test_logits_are_monotone_in_bm25_and_relevance_is_their_sigmoid() -> None:
    query = "best practices for Python programming"
    raw = bm25_scores(query, PYTHON_PASSAGES)
    lg = logits(query, PYTHON_PASSAGES)
    for i in range(len(raw)):
        for j in range(len(raw)):
            if raw[i] < raw[j]:
                assert lg[i] < lg[j]
            elif raw[i] == raw[j]:
                assert lg[i] == lg[j]
    rel = relevance_scores(query, PYTHON_PASSAGES)
    assert rel == pytest.approx([1 / (1 + math.exp(-x)) for x in lg])
    assert all(0.0 <= r <= 1.0 for r in rel)
    assert rel[0] > 0.99 and rel[2] < 0.01


def test_deterministic_and_empty_inputs() -> None:
    assert logits("deep learning frameworks", DL_PASSAGES) == logits("deep learning frameworks", DL_PASSAGES)
    assert bm25_scores("anything", []) == []
    assert logits("anything", []) == []
    assert relevance_scores("", ["text"]) == [pytest.approx(1 / (1 + math.exp(-logits("", ["text"])[0])))]
    assert logits("", ["text"])[0] < -2.0  # an empty query matches nothing
