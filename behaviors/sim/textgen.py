"""Readable, varied English that looks like a model's answer, on the topic of the prompt where cheap.

:class:`TextGenerator` returns TOKENS (strings from :mod:`fakeai.behaviors.sim.tokenizer`), so
``len(result)`` is the completion token count and ``"".join(result)`` the text. The answer's shape
follows the prompt (explanation, yes/no, numbered list or steps, summary, name ideas, poem, haiku,
story, fenced code, direct reply to a trivial prompt), its topic is the prompt's most salient noun
phrase (:func:`pick_keywords`), and every random choice comes from the ``random.Random`` passed in:
same prompt and seed, same answer. Templates and word lists live in ``data/textgen*.json``.

Cost: the prompt analysis is cached per prompt; generation is template filling plus one tokenizer pass
over the text, about a microsecond per token.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from fakeai.behaviors.sim.textgen_shapes import (
    Budget,
    Context,
    blocks_for,
    continuation,
    reasoning_blocks,
    reasoning_continuation,
)
from fakeai.behaviors.sim.textgen_templates import cap, load_data, pick
from fakeai.behaviors.sim.textgen_topic import PromptInfo, analyze_prompt, excerpt, pick_keywords
from fakeai.behaviors.sim.tokenizer import Tokenizer, default_tokenizer

__all__ = ["PromptInfo", "TextGenerator", "analyze_prompt", "pick_keywords"]

_INFO_CACHE_LIMIT = 4096
# natural answer lengths in tokens (low, high) before the prompt's length hint is applied
_NATURAL = {
    "explain": (150, 420),
    "yesno": (90, 300),
    "story": (220, 480),
    "list": (150, 400),
    "steps": (150, 400),
    "summary": (60, 180),
    "names": (80, 200),
}
_REASONING = (80, 400)


class TextGenerator:
    """Generates answers and reasoning monologues as token lists. Safe to share between threads."""

    def __init__(self, tokenizer: Tokenizer | None = None) -> None:
        self._tok = tokenizer or default_tokenizer()
        data = load_data()
        self._data = data
        aspects: list[str] = data["aspects"]
        things: list[str] = data["poem_things"]
        self._base: Context = {
            "aspect": aspects,
            "aspect2": aspects,
            "aspect3": aspects,
            "Aspect": [cap(a) for a in aspects],
            "adj": data["adjectives"],
            "field": data["fields"],
            "field2": data["fields"],
            "people": data["people"],
            "people2": data["people"],
            "example": data["examples"],
            "verb": data["verbs"],
            "numbers": data["numbers"],
            "connectives": data["connectives"],
            "Step": data["step_verbs"],
            "thing": things,
            "things": [t + "s" for t in things],
            "Thing": [cap(t) for t in things],
            "time": data["poem_times"],
            "Adj": data["name_adjectives"],
        }
        self._info: dict[str, PromptInfo] = {}

    # ---- public API -------------------------------------------------------------------------------
    def generate(
        self,
        prompt: str,
        rng: random.Random,
        max_tokens: int,
        *,
        min_tokens: int = 0,
        stop_at_natural_end: bool = True,
    ) -> list[str]:
        """Answer tokens: a natural length within [min_tokens, max_tokens], or exactly max_tokens when
        ``stop_at_natural_end`` is False (the answer then goes on with further paragraphs)."""
        if max_tokens <= 0:
            return []
        info = self.analyze(prompt)
        ctx = self._context(info, prompt, rng)
        target = self._natural_target(info, rng)
        budget = Budget()
        natural = blocks_for(info, ctx, rng, budget, target)
        need = max_tokens if not stop_at_natural_end else min(max(min_tokens, 0), max_tokens)
        return self._assemble(natural, continuation(info, ctx, rng), budget, max_tokens, need)

    def reasoning(self, prompt: str, rng: random.Random, max_tokens: int, *, min_tokens: int = 0) -> list[str]:
        """A "thinking" monologue about the prompt: natural length (short for trivial prompts), at most
        ``max_tokens``, at least ``min_tokens``."""
        if max_tokens <= 0:
            return []
        info = self.analyze(prompt)
        ctx = self._context(info, prompt, rng)
        ctx["task"] = self._data["tasks"][info.shape].fill(ctx, rng)
        lo, hi = _REASONING
        target = int((lo + rng.random() * (hi - lo)) * info.length)
        budget = Budget()
        blocks = reasoning_blocks(info, ctx, rng, budget, target)
        more = reasoning_continuation(ctx, rng)
        need = min(max(min_tokens, 0), max_tokens)
        return self._assemble(blocks, more, budget, max_tokens, need)

    def analyze(self, prompt: str) -> PromptInfo:
        """Shape, topic and length hints of ``prompt`` (cached by the part of the prompt that is read)."""
        key = excerpt(prompt)
        info = self._info.get(key)
        if info is None:
            info = analyze_prompt(key)
            if len(self._info) >= _INFO_CACHE_LIMIT:
                self._info.clear()
            self._info[key] = info
        return info

    # ---- internals --------------------------------------------------------------------------------
    def _assemble(
        self, natural: Iterator[str], more: Iterator[str], budget: Budget, max_tokens: int, need: int
    ) -> list[str]:
        tok = self._tok
        split = tok.split
        parts: list[str] = []
        splits: list[list[tuple[str, ...]]] = []  # each part's token groups: the joined text is not split again
        stop = max_tokens + 8
        partial = False  # the last part's split covers only its beginning (enough to pass `stop`)
        for block in natural:
            parts.append(block)
            pieces, partial = tok.split_prefix(block, stop - budget.used)
            splits.append(pieces)
            budget.used += sum(map(len, pieces)) + 1
            if budget.used > stop:
                break
        while need and budget.used < need + 4:
            block = next(more)
            parts.append(block)
            splits.append(pieces := split(block))
            budget.used += sum(map(len, pieces)) + 1
        tokens = tok.tokenize_joined(parts, splits, "\n\n", max_tokens)
        if partial and len(tokens) < max_tokens:  # the beginning of the last part was not enough after all
            splits[-1] = split(parts[-1])
            tokens = tok.tokenize_joined(parts, splits, "\n\n", max_tokens)
        while len(tokens) < need:  # joining merged more separators than estimated
            block = next(more)
            parts.append(block)
            splits.append(split(block))
            tokens = tok.tokenize_joined(parts, splits, "\n\n", max_tokens)
        return tokens[:max_tokens]

    def _natural_target(self, info: PromptInfo, rng: random.Random) -> int:
        lo, hi = _NATURAL.get(info.shape, (120, 300))
        if info.word_limit:
            return max(15, int(info.word_limit * 1.3 * (0.85 + 0.15 * rng.random())))
        return max(30, int((lo + rng.random() * (hi - lo)) * info.length))

    def _context(self, info: PromptInfo, prompt: str, rng: random.Random) -> Context:
        data = self._data
        topic = info.topic or pick(rng, data["generic_topics"])
        topic_low = topic.lower()
        others = [k for k in info.keywords[1:] if k.lower() not in topic_low]
        low = " " + excerpt(prompt).lower() + " "
        if f" the {topic_low}" in low or (topic[:1].islower() and (f" a {topic}" in low or f" an {topic}" in low)):
            topic = "the " + topic  # "why is the sky blue" -> "the sky"
        w = topic
        role = pick(rng, data["story_roles"])
        if info.shape == "story" and info.topic and " " not in info.topic and topic.startswith("the "):
            role = info.topic  # "a story about a robot who ..." -> the robot is the hero
            w = others[0] if others else "the world"
            if w[:1].islower() and any(f" {a} {w.lower()}" in low for a in ("the", "a", "an")):
                w = "the " + w
        name_words = [cap(x) for k in info.keywords for x in k.split() if len(x) > 3] or [cap(topic)]
        ctx: dict[str, Any] = dict(self._base)
        ctx["t"] = topic
        ctx["T"] = cap(topic)
        ctx["t2"] = others or data["aspects"]
        ctx["w"] = w
        ctx["W"] = cap(w)
        ctx["role"] = role
        ctx["prompt_low"] = low
        ctx["lang"] = ""
        ctx["name_words"] = name_words
        ctx.update(_PLURAL if info.plural else _SINGULAR)
        return ctx


# the words that agree with the topic's number
_SINGULAR = {"is": "is", "has": "has", "does": "does", "was": "was", "it": "it", "It": "It", "its": "its", "s": "s"}
_PLURAL = {"is": "are", "has": "have", "does": "do", "was": "were", "it": "they", "It": "They", "its": "their", "s": ""}
