"""The shortcuts of the text generator give exactly what the plain algorithms give (same text, same random state)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import chain

import pytest
from fakeai.behaviors.sim.textgen import TextGenerator
from fakeai.behaviors.sim.textgen_shapes import Budget
from fakeai.behaviors.sim.textgen_templates import Deck, Template, load_code_data, load_data, shuffled_range
from fakeai.behaviors.sim.tokenizer import Tokenizer


class PlainTokenizer(Tokenizer):
    """Splits every text as a whole, one group per pre-token, and never a prefix or a limited join."""

    def split(self, text: str) -> list[tuple[str, ...]]:
        return self._split_all(text)

    def split_prefix(self, text: str, enough: int) -> tuple[list[tuple[str, ...]], bool]:
        return self._split_all(text), False

    def tokenize_joined(
        self, parts: Sequence[str], splits: Sequence[Sequence[tuple[str, ...]]], sep: str, limit: int | None = None
    ) -> list[str]:
        return list(chain.from_iterable(self._split_all(sep.join(parts))))


PROMPTS = [
    "Write a short story about a lighthouse keeper.",
    "Why is the sky blue?",
    "List five ideas for a birthday party.",
    "Explain how transformers work in machine learning, step by step.",
    "hi",
    "Summarize the plot of Hamlet.",
    "Write a haiku about autumn leaves.",
    "Write a python function to reverse a string.",
    "Give me names for a bakery.",
    "Write a poem about the sea.",
    "",
]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_generate_equals_plain_tokenizer(prompt: str) -> None:
    fast, plain = TextGenerator(Tokenizer()), TextGenerator(PlainTokenizer())
    for seed in range(12):
        for max_tokens, kw in [(1, {}), (16, {}), (50, {"stop_at_natural_end": False}), (51, {"min_tokens": 40})]:
            a, b = random.Random(seed), random.Random(seed)
            assert fast.generate(prompt, a, max_tokens, **kw) == plain.generate(prompt, b, max_tokens, **kw)  # type: ignore[arg-type]
            assert a.getstate() == b.getstate()
        for max_tokens in (300, 1200):
            a, b = random.Random(seed), random.Random(seed)
            assert fast.generate(prompt, a, max_tokens) == plain.generate(prompt, b, max_tokens)
            assert fast.reasoning(prompt, a, max_tokens // 4) == plain.reasoning(prompt, b, max_tokens // 4)
            assert a.getstate() == b.getstate()


def test_split_prefix_is_a_prefix_with_enough_tokens() -> None:
    tok = Tokenizer()
    text = "".join(TextGenerator(tok).generate("Why is the sky blue?", random.Random(3), 400))
    full = tok.split(text)
    for enough in range(0, 120, 7):
        groups, partial = tok.split_prefix(text, enough)
        if partial:
            assert groups == full[: len(groups)] and sum(map(len, groups)) >= enough
        else:
            assert groups == full


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 14, 52, 64, 65, 200])
def test_shuffled_range_equals_random_shuffle(n: int) -> None:
    for seed in range(50):
        a, b = random.Random(seed), random.Random(seed)
        expected = list(range(n))
        a.shuffle(expected)
        assert shuffled_range(b, n) == expected
        assert a.getstate() == b.getstate()


def test_deck_with_a_random_subclass_uses_its_shuffle() -> None:
    class Counting(random.Random):
        calls = 0

        def shuffle(self, x: list[object]) -> None:  # type: ignore[override]
            Counting.calls += 1
            super().shuffle(x)

    deck = Deck(["a", "b", "c"], Counting(1))
    assert sorted(deck.draw() for _ in range(3)) == ["a", "b", "c"] and Counting.calls == 1


def _plain_fill(template: Template, ctx: dict[str, object], rng: random.Random) -> str:
    """The straightforward filling: literal, value, literal, ...; a drawn value already in the text is drawn again."""
    out: list[str] = [template.head]
    for slot, lit in template.rest:
        v = ctx[slot]
        if not isinstance(v, str):
            choice = v[int(rng.random() * len(v))]  # type: ignore[index,arg-type]
            if choice in out:
                choice = v[int(rng.random() * len(v))]  # type: ignore[index,arg-type]
            v = choice
        out += [v, lit]
    return "".join(out)


def test_template_parts_and_fill() -> None:
    t = Template("a {x} b {y}{x} {unknown")
    assert (t.head, t.rest, t.text) == ("a ", (("x", " b "), ("y", ""), ("x", " {unknown")), "a {x} b {y}{x} {unknown")
    assert Template("no slots").fill({}, random.Random(1)) == "no slots"
    partial = Template("{a}{b}", frozenset({"b"}))
    assert (partial.head, partial.rest) == ("{a}", (("b", ""),))
    rng_a, rng_b = random.Random(5), random.Random(5)
    templates = [v for vs in load_data().values() if isinstance(vs, list) for v in vs if isinstance(v, Template)]
    templates += [t for ts in load_code_data()[1].values() for t in ts]
    slots = {slot for t in templates for slot, _ in t.rest}
    words = ["alpha", "beta", "gamma", "delta", ""]
    setup = random.Random(9)
    for _ in range(5):
        ctx: dict[str, object] = {s: words[: 1 + setup.randrange(5)] if setup.random() < 0.6 else s for s in slots}
        for t in templates:
            assert t.fill(ctx, rng_a) == _plain_fill(t, ctx, rng_b)
    assert rng_a.getstate() == rng_b.getstate()


@pytest.mark.parametrize("max_tokens", [5, 30, 60])
def test_assemble_when_seams_merge_and_a_prefix_is_not_enough(max_tokens: int) -> None:
    """Twenty "." parts: the estimate counts each with its separator (2 tokens), joining merges them (1 token),
    so the beginning of the long last part read to pass the estimate is short of max_tokens."""
    long = " ".join(["the quick brown fox jumps over the lazy dog"] * 20)
    blocks = ["."] * 20 + [long, "More words here.", "And more."]
    results = []
    for tok in (Tokenizer(), PlainTokenizer()):
        tok.tokenize(long)  # its words are known: the last part is read only in part
        gen = TextGenerator(tok)
        budget = Budget()
        results.append(gen._assemble(iter(blocks), iter(["Further text."] * 50), budget, max_tokens, max_tokens))
    assert results[0] == results[1] and len(results[0]) == max_tokens
