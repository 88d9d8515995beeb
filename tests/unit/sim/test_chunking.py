"""Tests for the token-window chunker of vector store ingestion."""

from __future__ import annotations

import itertools
import random

import pytest
from fakeai.behaviors.sim.chunking import AUTO_MAX_TOKENS, AUTO_OVERLAP_TOKENS, chunk_text, words
from fakeai.behaviors.sim.tokenizer import count_tokens

PROSE = "".join(
    f"Sentence {i} says that chunks keep whole words, so a search result never starts inside a word like "
    f"overlapping number {i * 7}. "
    for i in range(60)
)


def spans(text: str, chunks: list[str]) -> list[tuple[int, int]]:
    """Where each chunk sits in the text, found left to right (chunks are substrings, in order)."""
    out, pos = [], 0
    for c in chunks:
        at = text.find(c, pos)
        assert at >= 0, c[:40]
        out.append((at, at + len(c)))
        pos = at + 1
    return out


def test_auto_defaults_are_openais() -> None:
    assert (AUTO_MAX_TOKENS, AUTO_OVERLAP_TOKENS) == (800, 400)


def test_short_text_is_one_trimmed_chunk() -> None:
    assert chunk_text("  one small note \n") == ["one small note"]
    assert chunk_text("") == []
    assert chunk_text(" \n\t ") == []


@pytest.mark.parametrize(("size", "overlap"), [(100, 0), (100, 50), (200, 50), (800, 400)])
def test_chunks_fit_overlap_and_cover_the_text(size: int, overlap: int) -> None:
    chunks = chunk_text(PROSE, size, overlap)
    assert len(chunks) > 1
    assert all(count_tokens(c) <= size for c in chunks)
    where = spans(PROSE, chunks)
    assert where[0][0] == 0 and where[-1][1] == len(PROSE.rstrip())
    for (_, end), (start, _) in itertools.pairwise(where):
        gap = PROSE[end:start]
        assert gap.strip() == ""  # consecutive chunks touch or overlap: nothing is skipped
        if overlap:
            assert start < end and count_tokens(PROSE[start:end]) <= overlap + 1
        else:
            assert start >= end


def test_chunks_break_between_words() -> None:
    vocabulary = {w.strip(".,") for w in PROSE.split()}
    for c in chunk_text(PROSE, 100, 30):
        first, last = c.split()[0].strip(".,"), c.split()[-1].strip(".,")
        assert first in vocabulary and last in vocabulary


def test_a_word_longer_than_a_chunk_is_cut_at_tokens() -> None:
    long_word = "x" * 5000
    assert all(n <= 100 for _, n in words(long_word, 100))
    chunks = chunk_text(long_word, 100, 0)
    assert "".join(chunks) == long_word


def test_random_text_never_exceeds_the_size() -> None:
    rnd = random.Random(7)
    alphabet = "abc defé,.;\n\t  12345 xyzλ😀()[]'"
    for _ in range(100):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 2000)))
        size = rnd.randint(2, 300)
        chunks = chunk_text(text, size, rnd.randint(0, size // 2))
        assert all(count_tokens(c) <= size for c in chunks)
        assert (not text.strip()) == (not chunks)


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        chunk_text("text", 0, 0)
