"""Tests for fakeai.behaviors.sim.tokenizer."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest
from fakeai.behaviors.sim import tokenizer as tk_module
from fakeai.behaviors.sim.tokenizer import Tokenizer, count_tokens, decode, default_tokenizer, encode, tokenize

SAMPLES = [
    "",
    "Hello, world! The quick brown fox jumps over the lazy dog.",
    "def add(a, b):\n    return a + b\n\n\n# done\r\n",
    '{"name": "Ada", "age": 36, "tags": ["en", "fr"], "ok": true}',
    "Prices rose 4.2% to $1,249.99 on 2024-03-15 at 14:37:02 UTC.",
    "naïve café, Ünïcödé, 日本語のテキスト, 😀👍🏽, عربى, ΑΒΓ",
    "\t\tindented\n" + " " * 200 + "x" + "\n" * 40,
    "lone surrogate \ud800 and controls \x00\x07\x1b",
    "a" * 5000 + " " + "Z" * 777,
    'IMPORTANT: PLEASE READ THE README.md AND getElementById("x").append(_DIR)',
]


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return default_tokenizer()


@pytest.mark.parametrize("text", SAMPLES)
def test_round_trip_and_consistent_counts(tok: Tokenizer, text: str) -> None:
    pieces = tok.tokenize(text)
    ids = tok.encode(text)
    assert "".join(pieces) == text
    assert tok.decode(ids) == text
    assert len(pieces) == len(ids) == tok.count(text)
    assert all(p for p in pieces)
    assert [tok.token_id(p) for p in pieces] == ids


def test_round_trip_random_text() -> None:
    rng = random.Random(7)
    alphabet = "abcXYZ  \n\t.,;:'\"()[]{}_-=+*/\\0123456789éü日😀\u200b"
    tok = default_tokenizer()
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert tok.decode(tok.encode(text)) == text
        assert "".join(tok.tokenize(text)) == text


def test_fixed_sentence_has_fixed_ids() -> None:
    sentence = "Hello, world! The quick brown fox jumps over the lazy dog."
    assert tokenize(sentence) == [
        "Hello", ",", " world", "!", " The", " quick", " brown", " fox", " jumps", " over", " the", " lazy",
        " dog", ".",
    ]  # fmt: skip
    assert encode(sentence) == [3668, 86363, 1303, 86364, 159, 2743, 40519, 49143, 11781, 661, 157, 42895, 2029, 86362]


def test_ids_do_not_depend_on_hash_seed() -> None:
    sentence = 'Stable ids: naïve café 日本 42 getElementById("x")'
    code = (
        f"from fakeai.behaviors.sim.tokenizer import encode; import sys; sys.stdout.write(repr(encode({sentence!r})))"
    )
    outputs = set()
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        outputs.add(out.stdout)
    assert outputs == {repr(encode(sentence))}


def test_decode_accepts_every_id_in_range(tok: Tokenizer) -> None:
    rng = random.Random(3)
    ids = [0, 1, tok.lead_base - 1, tok.lead_base, tok.codepoint_base - 1, tok.codepoint_base, tok.vocab_size - 1]
    ids += [rng.randrange(tok.vocab_size) for _ in range(2000)]
    ids += list(range(0, 200_000, 997))
    for i in ids:
        text = tok.decode([i])
        assert isinstance(text, str) and text != ""
    assert tok.decode(ids) == "".join(tok.decode([i]) for i in ids)
    # words, not junk, at the bottom of the id range
    assert tok.decode(list(range(1, 60, 6))).split() == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]


@pytest.mark.parametrize("bad", [-1, 10**9])
def test_decode_rejects_ids_out_of_range(tok: Tokenizer, bad: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        tok.decode([5, bad])


def test_token_id_rejects_non_tokens(tok: Tokenizer) -> None:
    with pytest.raises(ValueError, match="not a token"):
        tok.token_id("xq!zz?")


# (text, real cl100k_base count measured with tiktoken 0.14)
REAL_CL100K = [
    ("The mitochondria is the powerhouse of the cell, producing most of the energy a cell needs.", 19),
    ("Can you help me write a cover letter for a junior data analyst position at a healthcare company?", 19),
    ("In 1969, Neil Armstrong became the first person to walk on the Moon, watched by millions of people.", 23),
    ("Customer satisfaction improved steadily as the support team reduced average response times.", 13),
    ("def add(a, b):\n    return a + b\n", 12),
    ('{"name": "Ada", "age": 36, "languages": ["en", "fr"]}', 21),
    ("Please summarize the main arguments of the article in three short bullet points.", 14),
]  # fmt: skip


@pytest.mark.parametrize(("text", "real"), REAL_CL100K)
def test_counts_close_to_real_bpe(text: str, real: int) -> None:
    assert abs(count_tokens(text) - real) <= 3


def test_total_count_within_five_percent_of_real_bpe() -> None:
    ours = sum(count_tokens(t) for t, _ in REAL_CL100K)
    real = sum(n for _, n in REAL_CL100K)
    assert abs(ours - real) / real <= 0.05


def test_common_words_are_single_tokens() -> None:
    for word in [" the", " because", " information", " understanding", " However", "The", " API", " JSON"]:
        assert tokenize(word) == [word]
    assert len(tokenize(" " * 79)) == 1
    assert tokenize("1234567") == ["123", "456", "7"]
    assert tokenize("don't") == ["don", "'t"]


def test_rare_words_split_into_a_few_pieces() -> None:
    pieces = tokenize(" antidisestablishmentarianism")
    assert 2 <= len(pieces) <= 8
    assert pieces[0].startswith(" ")


def test_module_functions_use_the_default_instance() -> None:
    text = "Module level helpers agree with the default tokenizer."
    tok = tk_module.default_tokenizer()
    assert tok is default_tokenizer()
    assert tokenize(text) == tok.tokenize(text)
    assert encode(text) == tok.encode(text)
    assert decode(encode(text)) == text
    assert count_tokens(text) == tok.count(text)


def test_separate_instances_agree() -> None:
    text = "Two separately built tokenizers give the same ids for the same text, 2024."
    assert Tokenizer().encode(text) == default_tokenizer().encode(text)


_PIECES = ["Hello", " world", "!", "...", "**", "#", "x", "ünï", "42", "3.5", "\t", " ", "—", "```", '"quoted"', "'s"]


@pytest.mark.parametrize("seed", range(300))
def test_tokenize_joined_equals_tokenizing_the_joined_text(tok: Tokenizer, seed: int) -> None:
    rng = random.Random(seed)
    parts = ["".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, 8))) for _ in range(rng.randrange(1, 6))]
    sep = rng.choice(["\n\n", "\n"])
    joined = tok.tokenize_joined(parts, [tok.split(p) for p in parts], sep)
    assert joined == tok.tokenize(sep.join(parts))
