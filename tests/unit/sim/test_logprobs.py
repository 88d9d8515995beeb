"""Tests for fakeai.behaviors.sim.logprobs."""

from __future__ import annotations

import math
import random
import statistics

import pytest
from fakeai.behaviors.sim.logprobs import LogprobModel, default_model, legacy_logprobs, token_logprobs
from fakeai.behaviors.sim.tokenizer import default_tokenizer, tokenize
from fakeai.behaviors.sim.tokenizer_vocab import Vocabulary

TEXT = (
    "The quick brown fox jumps over the lazy dog. Lorem ipsum dolor sit amet, 42 times!\n\n"
    "def add(a, b):\n    return a + b  # naïve café 😀 getElementById(x).append(_DIR)"
)
TOKENS = tokenize(TEXT)


@pytest.mark.parametrize("top_n", [0, 1, 2, 5, 20])
def test_content_items_have_the_chat_shape(top_n: int) -> None:
    items = token_logprobs(TOKENS, random.Random(7), top_n)
    assert [i["token"] for i in items] == TOKENS
    for item in items:
        assert set(item) == {"token", "logprob", "bytes", "top_logprobs"}
        assert item["logprob"] <= 0.0
        assert item["bytes"] == list(item["token"].encode("utf-8"))
        top = item["top_logprobs"]
        assert len(top) == top_n
        for entry in top:
            assert set(entry) == {"token", "logprob", "bytes"}
            assert entry["bytes"] == list(entry["token"].encode("utf-8"))
            assert entry["logprob"] < 0.0
        lps = [e["logprob"] for e in top]
        assert lps == sorted(lps, reverse=True)
        assert len({e["token"] for e in top}) == top_n
        assert sum(math.exp(x) for x in lps) <= 1.0 + 1e-9
        if top_n:
            sampled = [e for e in top if e["token"] == item["token"]]
            assert len(sampled) == 1 and sampled[0]["logprob"] == item["logprob"]


def test_alternatives_are_tokens_of_the_tokenizer() -> None:
    tok = default_tokenizer()
    for item in token_logprobs(TOKENS * 3, random.Random(1), 20):
        for entry in item["top_logprobs"]:
            tok.token_id(entry["token"])  # raises ValueError for a string that is not one token


def test_alternatives_are_plausible() -> None:
    model = default_model()
    assert {" of", " and", " The", "the"} <= set(model.alternatives(" the")[:12])
    assert {",", "!", "?", " ."} <= set(model.alternatives(".")[:8])
    assert {"41", "43"} <= set(model.alternatives("42")[:4])
    assert "😁" in model.alternatives("😀")[:4]
    assert {" Quick", " QUICK", "quick"} <= set(model.alternatives(" quick")[:12])
    assert "append" in model.alternatives(".append")[:8]
    assert " the" not in model.alternatives(" the")


def test_same_rng_same_output_and_seeds_differ() -> None:
    a = token_logprobs(TOKENS, random.Random(3), 5)
    assert a == token_logprobs(TOKENS, random.Random(3), 5)
    assert a != token_logprobs(TOKENS, random.Random(4), 5)


def test_sampled_logprobs_do_not_depend_on_top_n_and_lists_extend() -> None:
    runs = {n: token_logprobs(TOKENS, random.Random(11), n) for n in (0, 3, 20)}
    assert [i["logprob"] for i in runs[0]] == [i["logprob"] for i in runs[3]] == [i["logprob"] for i in runs[20]]
    for small, big in zip(runs[3], runs[20], strict=True):
        top = big["top_logprobs"]
        rank = [e["token"] for e in top].index(big["token"])
        if rank < 3:
            assert small["top_logprobs"] == top[:3]
        else:  # the sampled token takes the last place of the shorter list
            assert small["top_logprobs"] == [*top[:2], top[rank]]
    # the same draws feed the legacy shape
    legacy = legacy_logprobs(TOKENS, random.Random(11), 2)
    assert legacy["token_logprobs"] == [i["logprob"] for i in runs[0]]


def test_temperature_zero_always_samples_the_top_token() -> None:
    items = token_logprobs([" the"] * 2000, random.Random(5), 5, temperature=0.0)
    for item in items:
        top = item["top_logprobs"]
        assert top[0]["token"] == " the"
        assert top[0]["logprob"] > top[1]["logprob"]


def test_logprob_distribution_looks_like_a_model() -> None:
    lps = [i["logprob"] for i in token_logprobs([" x"] * 20000, random.Random(9), 0)]
    typical = sum(-3.0 <= x <= -1e-4 for x in lps) / len(lps)
    low = sum(x < -3.0 for x in lps) / len(lps)
    assert typical > 0.75
    assert 0.005 < low < 0.1
    assert -0.2 < statistics.median(lps) < -1e-4
    hot = [i["logprob"] for i in token_logprobs([" x"] * 20000, random.Random(9), 0, temperature=2.0)]
    cold = [i["logprob"] for i in token_logprobs([" x"] * 20000, random.Random(9), 0, temperature=0.3)]
    assert statistics.mean(hot) < statistics.mean(lps) < statistics.mean(cold)


def test_ranks_follow_temperature() -> None:
    def top1_share(temperature: float) -> float:
        items = token_logprobs(["a"] * 5000, random.Random(2), 3, temperature=temperature)
        return sum(i["top_logprobs"][0]["token"] == "a" for i in items) / len(items)

    assert top1_share(0.0) == 1.0
    assert 0.7 < top1_share(1.0) < 0.9
    assert top1_share(2.0) < top1_share(1.0)


def test_non_ascii_bytes() -> None:
    (item,) = token_logprobs(["é"], random.Random(0), 2)
    assert item["bytes"] == [0xC3, 0xA9]
    assert all(e["bytes"] == list(e["token"].encode()) for e in item["top_logprobs"])


def test_legacy_shape() -> None:
    toks = ["Hello", ",", " world", "!"]
    out = legacy_logprobs(toks, random.Random(6), 3, text_offset_start=10)
    assert set(out) == {"tokens", "token_logprobs", "top_logprobs", "text_offset"}
    assert out["tokens"] == toks
    assert out["text_offset"] == [10, 15, 16, 22]
    for tok, lp, top in zip(toks, out["token_logprobs"], out["top_logprobs"], strict=True):
        assert lp <= 0.0
        assert len(top) == 3
        assert next(iter(top)) == tok and top[tok] == lp
        others = [v for k, v in top.items() if k != tok]
        assert others == sorted(others, reverse=True)
        assert sum(math.exp(v) for v in top.values()) <= 1.0 + 1e-9


def test_legacy_with_zero_alternatives_and_no_tokens() -> None:
    out = legacy_logprobs(["a", "b"], random.Random(0), 0)
    assert out["top_logprobs"] == [{}, {}]
    assert legacy_logprobs([], random.Random(0), 5) == {
        "tokens": [],
        "token_logprobs": [],
        "top_logprobs": [],
        "text_offset": [],
    }
    assert token_logprobs([], random.Random(0), 5) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: token_logprobs(["a"], random.Random(0), 21), "top_logprobs must be within 0..20"),
        (lambda: token_logprobs(["a"], random.Random(0), -1), "top_logprobs must be within 0..20"),
        (lambda: legacy_logprobs(["a"], random.Random(0), 6), "logprobs must be within 0..5"),
        (lambda: token_logprobs(["a"], random.Random(0), 1, temperature=-0.5), "temperature must be >= 0"),
    ],
)
def test_invalid_arguments(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def _vocabulary(table: list[str]) -> Vocabulary:
    ids: dict[str, int] = {}
    for i, s in enumerate(table):
        ids.setdefault(s, i)
    return Vocabulary(table=table, ids=ids, words=[], forms={}, core=[], max_letters=8, max_symbols=1)


def test_custom_vocabulary() -> None:
    table = [f"w{i:02d}" for i in range(40)]
    model = LogprobModel(_vocabulary(table))
    items = model.content(["w05", "zzz"], random.Random(0), 20)
    for item in items:
        assert {e["token"] for e in item["top_logprobs"]} - {item["token"]} <= set(table)
    assert model.alternatives("w05")[:2] == ("w04", "w06")
    with pytest.raises(ValueError, match="at least 33 entries"):
        LogprobModel(_vocabulary(table[:10]))
