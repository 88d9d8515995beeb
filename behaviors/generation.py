"""Generating one answer: reasoning (for reasoning models), then content, within the token budget.

Shared by chat completions, legacy completions, the Responses API and text generation. max_tokens is honoured
exactly (finish_reason "length" when the natural answer is longer), `ignore_eos` fills the budget, `min_tokens`
is a floor, stop sequences cut the text (finish_reason "stop"), and echo mode answers with the given text.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from fakeai.registry import lifespan
from fakeai.services import Services

from .sim import tokenizer
from .sim.textgen import TextGenerator

_GEN: TextGenerator | None = None
# reasoning length ranges by effort, in tokens
EFFORT = {
    "none": (0, 0),
    "minimal": (12, 30),
    "low": (40, 90),
    "medium": (110, 260),
    "high": (280, 600),
    "xhigh": (500, 900),
}


def generator() -> TextGenerator:
    global _GEN
    if _GEN is None:
        _GEN = TextGenerator()
    return _GEN


@dataclass(slots=True)
class Budget:
    """How many completion tokens one answer may use."""

    limit: int  # the hard cap (the request's max_tokens, or what the model and context allow)
    explicit: bool = False  # the request set max_tokens / max_completion_tokens / max_output_tokens
    min_tokens: int = 0
    ignore_eos: bool = False


@dataclass(slots=True)
class Answer:
    tokens: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    finish_reason: str = "stop"

    @property
    def text(self) -> str:
        return "".join(self.tokens)

    @property
    def reasoning_text(self) -> str:
        return "".join(self.reasoning)

    @property
    def completion_tokens(self) -> int:
        return len(self.tokens) + len(self.reasoning)


def stop_list(stop: Any) -> list[str]:
    if stop is None:
        return []
    if isinstance(stop, str):
        return [stop] if stop else []
    return [s for s in stop if isinstance(s, str) and s]


def cut_at_stop(text: str, stops: list[str]) -> str | None:
    """`text` up to the earliest stop sequence, or None when none occurs."""
    first = min((i for i in (text.find(s) for s in stops) if i >= 0), default=-1)
    return None if first < 0 else text[:first]


def answer(
    prompt: str,
    rng: random.Random,
    budget: Budget,
    *,
    stop: list[str] | None = None,
    echo: str | None = None,
    reasoning_effort: str | None = None,
    reasoning: bool = False,
) -> Answer:
    gen = generator()
    out = Answer()
    remaining = max(0, budget.limit)
    if reasoning and (reasoning_effort or "medium") != "none":
        lo, hi = EFFORT.get(reasoning_effort or "medium", EFFORT["medium"])
        want = rng.randint(lo, hi) if hi else 0
        if want:
            out.reasoning = gen.reasoning(prompt, rng, min(want, remaining))
            remaining -= len(out.reasoning)
    if remaining <= 0:
        out.finish_reason = "length"
        return out
    floor = min(budget.min_tokens, remaining)
    if echo is not None:
        tokens = tokenizer.tokenize(echo)
        if budget.ignore_eos or len(tokens) < floor:
            pad = gen.generate(prompt, rng, remaining, stop_at_natural_end=False)
            tokens = (tokens + pad)[: max(floor, len(tokens)) if not budget.ignore_eos else remaining]
    elif budget.ignore_eos:
        tokens = gen.generate(prompt, rng, remaining, stop_at_natural_end=False)
    else:
        tokens = gen.generate(prompt, rng, remaining + 1, min_tokens=floor)
    if len(tokens) > remaining:
        tokens, out.finish_reason = tokens[:remaining], "length"
    elif budget.ignore_eos and budget.explicit:
        out.finish_reason = "length"
    cut = cut_at_stop("".join(tokens), stop) if stop else None
    if cut is not None:
        tokens, out.finish_reason = tokenizer.tokenize(cut), "stop"
    out.tokens = tokens
    return out


def text_answer(text: str, budget: Budget) -> Answer:
    """A fixed text (JSON for structured outputs, a tool-result summary) within the budget."""
    tokens = tokenizer.tokenize(text)
    if len(tokens) > budget.limit:
        return Answer(tokens=tokens[: max(0, budget.limit)], finish_reason="length")
    return Answer(tokens=tokens)


@lifespan
async def _warm_up(services: Services) -> AsyncIterator[None]:
    """Build the tokenizer's vocabulary and the text generator's tables before the first request needs them
    (a few hundred milliseconds that would otherwise land on someone's time to first token)."""
    generator().generate("warm up", random.Random(0), 8)
    yield
