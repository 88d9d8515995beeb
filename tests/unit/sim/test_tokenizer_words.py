"""The per-word cache and the joining shortcuts give exactly what splitting the whole text gives."""

from __future__ import annotations

import random
from itertools import chain

import pytest
from fakeai.behaviors.prompt import PER_MESSAGE, REPLY_PRIMING, count_messages
from fakeai.behaviors.sim import tokenizer_join, tokenizer_words
from fakeai.behaviors.sim.textgen import TextGenerator
from fakeai.behaviors.sim.tokenizer import Tokenizer, count_tokens, default_tokenizer, encode

# words, punctuation and every kind of whitespace the regex treats specially (the cuts are at single spaces)
_BITS = [
    "the", "The", " ", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\u00a0", "\u3000", "\x85", "\u2028", ".", ",", "!",
    "...", "'s", "'ll", "don't", "42", "1234", "3.5", "_id", "(x)", "**", "—", "naïve", "日本", "😀", "² ", "a",
    "supercalifragilistic", "-", "#", '"', "```",
]  # fmt: skip


def _reference(tok: Tokenizer, text: str) -> tuple[list[str], list[int]]:
    pieces = tok._split_all(text)
    tokens = list(chain.from_iterable(pieces))
    return tokens, [tok.token_id(t) for t in tokens]


# a space after whitespace is not a safe cut: these split differently word by word than as a whole
_UNSAFE = ["\n \na", "x\n \ry", "a\t \n.", "a  b", " \n1", "a\u3000 \nb"]


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return _UNSAFE + ["".join(rng.choice(_BITS) for _ in range(rng.randrange(0, 40))) for _ in range(n)]


@pytest.mark.parametrize("seed", range(6))
def test_word_cache_equals_whole_text_split(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    if seed % 2:  # also exercise the one-word-at-a-time miss path on texts with many unknown words
        monkeypatch.setattr(tokenizer_words, "_FEW_MISSES", 0)
    tok = Tokenizer()
    texts = _texts(seed, 400)
    for _ in range(2):  # cold caches, then warm ones
        for text in texts:
            tokens, ids = _reference(tok, text)
            assert tok.tokenize(text) == tokens, repr(text)
            assert tok.encode(text) == ids, repr(text)
            assert tok.count(text) == len(tokens)
            groups = tok.split(text)
            assert list(chain.from_iterable(groups)) == tokens


def test_word_cache_starts_afresh_when_full() -> None:
    cache = tokenizer_words.WordCache(default_tokenizer()._piece_tokens, limit=5, longest=256)
    texts = _texts(99, 200)
    for text in texts * 2:
        assert list(chain.from_iterable(cache.split(text))) == default_tokenizer().tokenize(text)
    assert len(cache._spaced) <= 5 and len(cache._bare) <= 5 and cache._bare[""] == ()


def test_word_cache_on_generated_answers() -> None:
    gen = TextGenerator(Tokenizer())
    tok = default_tokenizer()
    prompts = ["Write a short story about a lighthouse keeper.", "List five ideas for a party.", "Why is the sky blue?"]
    for k in range(30):
        text = "".join(gen.generate(prompts[k % 3], random.Random(k), 300, stop_at_natural_end=False))
        assert tok.tokenize(text) == _reference(tok, text)[0]


@pytest.mark.parametrize("seed", range(4))
def test_count_and_encode_equals_separate_count_and_encode(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizer_join, "_SHORT", 0 if seed % 2 else 10**9)  # the shared path, then the plain one
    tok = Tokenizer()
    heads = ["user:", "assistant:", "tool user:", "x", "", "a ", "None:", "日本:", "\n"]
    for k, text in enumerate([*_texts(seed, 300), "", " ", "one", " lead", "two words", "trail ", "a\n b"]):
        head = heads[k % len(heads)]
        assert tok.count_and_encode(head, text) == (tok.encode(f"{head} {text}"), tok.count(text)), (head, text)


def test_count_messages_shares_work_and_agrees() -> None:
    long = " ".join(["The committee discussed the budget, the timeline and 42 other things."] * 30)
    for content in ["hi", long, " " + long, long + "\n", "x\n " + long]:
        for role in ("user", "system"):
            stats = count_messages([{"role": role, "content": content}])
            assert stats.token_ids == encode(f"{role}: {content}")
            assert stats.text_tokens == PER_MESSAGE + count_tokens(role) + count_tokens(content) + REPLY_PRIMING


def test_tokenize_joined_with_a_limit_is_a_long_enough_prefix() -> None:
    tok = Tokenizer()
    rng = random.Random(11)
    for _ in range(300):
        sizes = [rng.randrange(1, 12) for _ in range(rng.randrange(1, 5))]
        parts = ["".join(rng.choice(_BITS[4:]) for _ in range(n)) for n in sizes]
        full = tok.tokenize("\n\n".join(parts))
        limit = rng.randrange(0, len(full) + 3)
        got = tok.tokenize_joined(parts, [tok.split(p) for p in parts], "\n\n", limit)
        assert got == full[: len(got)] and len(got) >= min(limit, len(full))
