"""Tests for fakeai.behaviors.sim.textgen."""

from __future__ import annotations

import random
import re

import pytest
from fakeai.behaviors.sim.textgen import TextGenerator, pick_keywords
from fakeai.behaviors.sim.tokenizer import default_tokenizer, tokenize


@pytest.fixture(scope="module")
def gen() -> TextGenerator:
    return TextGenerator()


def text_of(gen: TextGenerator, prompt: str, seed: int = 1, max_tokens: int = 800, **kw: object) -> str:
    return "".join(gen.generate(prompt, random.Random(seed), max_tokens, **kw))  # type: ignore[arg-type]


PROMPTS = [
    "What is artificial intelligence?",
    "Explain how photosynthesis works in plants.",
    "Write a poem about the ocean at night.",
    "List the steps to bake sourdough bread.",
    "Tell me a story about a dragon who is afraid of heights.",
    "Write a Python function that merges two sorted lists.",
    "Is coffee bad for you?",
    "hi",
    "",
]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_same_seed_same_answer_and_tokens_are_tokenizer_tokens(gen: TextGenerator, prompt: str) -> None:
    a = gen.generate(prompt, random.Random(42), 600)
    b = gen.generate(prompt, random.Random(42), 600)
    assert a == b
    assert 0 < len(a) <= 600
    assert tokenize("".join(a)) == a  # the answer re-tokenizes to itself: len(a) is its token count


@pytest.mark.parametrize("prompt", [p for p in PROMPTS if p not in ("hi", "")])
def test_different_seeds_give_different_text(gen: TextGenerator, prompt: str) -> None:
    texts = {text_of(gen, prompt, seed) for seed in range(5)}
    assert len(texts) >= 4


@pytest.mark.parametrize("max_tokens", [1, 2, 7, 64, 500, 3000])
@pytest.mark.parametrize("prompt", ["What is artificial intelligence?", "Say hello", "Write a haiku about snow"])
def test_ignore_eos_fills_exactly_max_tokens(gen: TextGenerator, prompt: str, max_tokens: int) -> None:
    toks = gen.generate(prompt, random.Random(5), max_tokens, stop_at_natural_end=False)
    assert len(toks) == max_tokens
    text = "".join(toks)
    if max_tokens >= 500:  # goes on with readable sentences past the natural end
        assert text.count(". ") >= 10
        assert re.search(r"\b(the|and|to|of)\b", text)


def test_natural_answers_vary_in_length_and_respect_max(gen: TextGenerator) -> None:
    lengths = [len(gen.generate("What is artificial intelligence?", random.Random(s), 2000)) for s in range(20)]
    assert all(40 <= n <= 2000 for n in lengths)
    assert max(lengths) - min(lengths) > 60
    assert all(len(gen.generate("What is artificial intelligence?", random.Random(s), 50)) <= 50 for s in range(10))


def test_min_tokens_floor(gen: TextGenerator) -> None:
    short = gen.generate("hi", random.Random(1), 500)
    assert len(short) < 40
    floored = gen.generate("hi", random.Random(1), 500, min_tokens=300)
    assert 300 <= len(floored) <= 500
    assert "".join(floored).startswith("".join(short))
    assert len(gen.generate("hi", random.Random(1), 100, min_tokens=300)) == 100  # max_tokens wins


def test_zero_max_tokens_is_empty(gen: TextGenerator) -> None:
    assert gen.generate("What is AI?", random.Random(1), 0) == []
    assert gen.reasoning("What is AI?", random.Random(1), 0) == []


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("What is artificial intelligence?", "artificial intelligence"),
        ("Explain how photosynthesis works in plants.", "photosynthesis"),
        ("Why are black holes black?", "black holes"),
        ("Why is the sky blue?", "the sky"),
        ("Tell me about the history of the Roman Empire", "Roman Empire"),
    ],
)
def test_keywords_of_the_prompt_appear_in_the_answer(gen: TextGenerator, prompt: str, expected: str) -> None:
    for seed in range(3):
        text = text_of(gen, prompt, seed)
        assert text.lower().count(expected.lower()) >= 2
        assert text[0].isupper()


def test_plural_topic_agrees(gen: TextGenerator) -> None:
    text = " ".join(text_of(gen, "Why are black holes black?", s) for s in range(6))
    assert "Black holes are" in text or "black holes are" in text
    assert not re.search(r"(^|[.!?,]\s+)[Bb]lack holes (is|has|does|was|rewards|shows)\b", text)


def test_list_shape(gen: TextGenerator) -> None:
    text = text_of(gen, "List 5 tips for improving sleep quality.")
    items = re.findall(r"^(\d+)\. \*\*", text, re.M)
    assert items == ["1", "2", "3", "4", "5"]
    steps = text_of(gen, "What are the steps to change a flat tire?")
    assert len(re.findall(r"^\d+\. ", steps, re.M)) >= 3


def test_poem_and_haiku_shapes(gen: TextGenerator) -> None:
    poem = text_of(gen, "Write a poem about the ocean at night.")
    lines = [line for line in poem.splitlines() if line.strip() and not line.startswith("**")]
    assert len(lines) >= 8
    assert max(len(line) for line in lines) < 60
    assert "ocean" in poem.lower()
    haiku = text_of(gen, "Write a haiku about autumn leaves")
    assert len(haiku.splitlines()) == 3


def test_code_shape(gen: TextGenerator) -> None:
    text = text_of(gen, "Write a Python function that merges two sorted lists.")
    assert "```python\n" in text and text.count("```") == 2
    assert re.search(r"^def merges_sorted_lists\(|^class ", text, re.M)
    js = text_of(gen, "Can you write a JavaScript function to debounce input events?")
    assert "```javascript\n" in js


def test_story_shape(gen: TextGenerator) -> None:
    text = text_of(gen, "Tell me a story about a dragon who is afraid of heights.", 3)
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 3
    assert "dragon named" in text
    assert re.search(r"\b(had|was|walked|decided|asked|said)\b", text)


@pytest.mark.parametrize(
    ("prompt", "answer"),
    [
        ("Say hello", "Hello!"),
        ("count to 10", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10"),
        ("What is 2+2?", "2 + 2 = 4"),
        ("Reply with only the word OK", "the word OK"),
        ("Say 'banana'", "banana"),
    ],
)
def test_trivial_prompts_get_short_direct_answers(gen: TextGenerator, prompt: str, answer: str) -> None:
    assert text_of(gen, prompt) == answer


def test_greeting_reply(gen: TextGenerator) -> None:
    text = text_of(gen, "Hello!")
    assert text.startswith(("Hello", "Hi", "Hey"))
    assert len(tokenize(text)) < 25


def test_empty_huge_and_non_english_prompts(gen: TextGenerator) -> None:
    huge = "Please review the quarterly budget report. " + "The committee discussed revenue forecasts. " * 20000
    text = text_of(gen, huge, max_tokens=300)
    assert 0 < len(tokenize(text)) <= 300
    assert "budget" in text.lower() or "revenue" in text.lower() or "committee" in text.lower()
    for prompt in [
        "",
        "   ",
        "量子コンピュータとは何ですか？",
        "¿Qué es la inteligencia artificial?",
        "🙂🙂🙂",
        "\x00\n\t",
    ]:
        toks = gen.generate(prompt, random.Random(9), 200)
        assert 0 < len(toks) <= 200
        assert toks == gen.generate(prompt, random.Random(9), 200)


def test_reasoning_monologue(gen: TextGenerator) -> None:
    prompt = "Explain how photosynthesis works in plants."
    toks = gen.reasoning(prompt, random.Random(4), 1000)
    text = "".join(toks)
    assert toks == gen.reasoning(prompt, random.Random(4), 1000)
    assert 40 <= len(toks) <= 1000
    assert text.startswith(("Okay", "Alright", "The user", "Hmm"))
    assert "photosynthesis" in text
    assert len(gen.reasoning(prompt, random.Random(4), 30)) == 30
    assert len(gen.reasoning("hi", random.Random(4), 1000)) < 40
    assert len(gen.reasoning("hi", random.Random(4), 1000, min_tokens=200)) >= 200


def test_pick_keywords() -> None:
    assert pick_keywords("What is artificial intelligence?") == ["artificial intelligence"]
    assert pick_keywords("Explain how photosynthesis works in plants.") == ["photosynthesis", "plants"]
    assert pick_keywords("What's the weather like in Paris today?")[0] == "Paris"
    assert pick_keywords("Tell me a story about a dragon who is afraid of heights.")[0] == "dragon"
    assert pick_keywords("Find flights from New York to London next Friday", 2) == ["New York", "London"]
    assert pick_keywords("How does a TCP handshake work?") == ["TCP handshake"]
    assert pick_keywords("Why is the sky blue?") == ["sky"]
    assert pick_keywords("") == [] and pick_keywords("the of and", 3) == []
    assert pick_keywords("alpha beta gamma delta epsilon zeta eta theta iota kappa", 0) == []


def test_generated_text_is_counted_like_tokenizer_counts(gen: TextGenerator) -> None:
    toks = gen.generate("Compare electric cars and hybrid cars.", random.Random(2), 400)
    assert default_tokenizer().count("".join(toks)) == len(toks)
