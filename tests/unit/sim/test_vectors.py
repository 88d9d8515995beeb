"""Tests for the deterministic feature-hashing embeddings."""

from __future__ import annotations

import base64
import subprocess
import sys

import numpy as np
import pytest
from fakeai.behaviors.sim.vectors import MAX_DIM, embed, from_base64, to_base64, truncate

RAG_DOCS = [
    "Renewable energy reduces carbon emissions",
    "Solar panels convert sunlight to electricity",
    "Wind turbines generate clean power",
]
RAG_QUERY = "What are the benefits of renewable energy?"


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.mark.parametrize("dim", [1, 64, 256, 384, 768, 1024, 1536, 3072, 4096, MAX_DIM])
def test_shape_dtype_and_unit_norm(dim: int) -> None:
    vectors = embed(["hello world", "", "Ünïcödé 東京 text", "!!!"], dim)
    assert vectors.shape == (4, dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.all(np.isfinite(vectors))


def test_empty_batch_and_invalid_dims() -> None:
    assert embed([], 16).shape == (0, 16)
    for dim in (0, -3, MAX_DIM + 1):
        with pytest.raises(ValueError):
            embed(["x"], dim)


def test_related_texts_are_closer_than_unrelated_ones() -> None:
    v = embed(
        [
            "The cat sat on the mat",
            "A cat was sitting on a mat",
            "Quarterly revenue grew by ten percent",
            "How do I reset my password?",
            "I forgot my password and need to reset it",
            "Best hiking trails in the Alps",
        ],
        1536,
    )
    assert cos(v[0], v[1]) > 0.35
    assert cos(v[3], v[4]) > 0.35
    for related in (cos(v[0], v[1]), cos(v[3], v[4])):
        for unrelated in (cos(v[0], v[2]), cos(v[0], v[3]), cos(v[2], v[5]), cos(v[4], v[5])):
            assert related > unrelated + 0.25
    assert abs(cos(v[2], v[5])) < 0.15


def test_shared_phrase_beats_shared_single_word() -> None:
    v = embed(["new york city hotels", "hotels in new york city", "new shoes for the city marathon"], 1536)
    assert cos(v[0], v[1]) > cos(v[0], v[2])


def test_morphological_variants_stay_close() -> None:
    v = embed(["renewable energies", "renewable energy", "quantum chromodynamics"], 768)
    assert cos(v[0], v[1]) > 0.6
    assert cos(v[0], v[1]) > cos(v[0], v[2]) + 0.5


@pytest.mark.parametrize("dim", [256, 1024, 1536, 3072])
def test_rag_example_ranks_the_renewable_energy_document_first(dim: int) -> None:
    v = embed([RAG_QUERY, *RAG_DOCS], dim)
    sims = v[1:] @ v[0]
    assert int(np.argmax(sims)) == 0
    assert sims[0] > sims[1] + 0.2 and sims[0] > sims[2] + 0.2


def test_same_text_same_vector_in_any_batch() -> None:
    alone = embed(["the quick brown fox"], 1536)[0]
    batch = embed(["something else entirely", "the quick brown fox", "", "the quick brown fox"], 1536)
    assert np.array_equal(alone, batch[1])
    assert np.array_equal(batch[1], batch[3])
    assert np.array_equal(alone, embed(["The quick, brown fox!"], 1536)[0])  # case and punctuation are ignored
    assert np.array_equal(embed([""], 64)[0], embed(["   "], 64)[0])  # empty text: one fixed unit vector


def test_same_vector_in_another_process() -> None:
    code = (
        "import sys; from fakeai.behaviors.sim.vectors import embed, to_base64;"
        "sys.stdout.write(to_base64(embed(['Wind turbines generate clean power', ''], 384)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout
    here = to_base64(embed(["Wind turbines generate clean power", ""], 384))
    assert out.endswith(here)  # tolerate anything the package itself may print on import


def test_truncate_renormalises_and_matches_a_smaller_embedding() -> None:
    full = embed([RAG_QUERY, *RAG_DOCS], 3072)
    short = truncate(full, 256)
    assert short.shape == (4, 256) and short.dtype == np.float32
    assert np.allclose(np.linalg.norm(short, axis=1), 1.0, atol=1e-5)
    expected = full[:, :256] / np.linalg.norm(full[:, :256], axis=1, keepdims=True)
    assert np.allclose(short, expected, atol=1e-6)
    assert np.allclose(short, embed([RAG_QUERY, *RAG_DOCS], 256), atol=1e-5)  # nested scales: a prefix is an embed
    assert int(np.argmax(short[1:] @ short[0])) == 0  # meaning survives truncation
    one = truncate(full[0], 100)
    assert one.shape == (100,) and np.isclose(np.linalg.norm(one), 1.0, atol=1e-5)
    with pytest.raises(ValueError):
        truncate(full, 4000)


def test_base64_round_trip_through_frombuffer() -> None:
    vec = embed(["round trip"], 1536)[0]
    encoded = to_base64(vec)
    raw = base64.b64decode(encoded)
    assert len(raw) == 4 * 1536
    decoded = np.frombuffer(raw, dtype="<f4")
    assert np.array_equal(decoded, vec)
    assert np.array_equal(from_base64(encoded), vec)
    assert to_base64(np.array([1.0, -2.5], dtype=np.float64)) == base64.b64encode(
        np.array([1.0, -2.5], dtype="<f4").tobytes()
    ).decode("ascii")
