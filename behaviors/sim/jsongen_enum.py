"""Which enum member fits the prompt: jsongen's choice for ``enum`` / ``const`` lists.

A member the prompt mentions (as whole words, earliest first) wins; then an operation the prompt implies
("15 times 7" -> ``multiply``); then units by place (``fahrenheit`` / ``imperial`` for a US place, else
``celsius`` / ``metric``); then the prompt's sentiment; else a random member.
"""

from __future__ import annotations

import random
from typing import Any

from fakeai.behaviors.sim.jsongen_formats import slug
from fakeai.behaviors.sim.jsongen_prompt import PromptFacts

__all__ = ["pick_member"]

_IMPERIAL = ("fahrenheit", "imperial", "f", "°f", "us")
_METRIC = ("celsius", "metric", "c", "°c", "si")
_OPERATIONS = (
    ("mul", ("times", "multiplied", "multiply", "product")),
    ("add", ("plus", "sum", "add", "added")),
    ("sum", ("plus", "sum", "add", "added")),
    ("plus", ("plus", "sum", "add", "added")),
    ("sub", ("minus", "subtract", "difference", "subtracted")),
    ("minus", ("minus", "subtract", "difference", "subtracted")),
    ("div", ("divided", "divide", "quotient", "over")),
    ("pow", ("power", "squared", "cubed", "exponent")),
)
_OP_SYMBOLS = {"mul": "*×", "add": "+", "sum": "+", "plus": "+", "div": "÷", "pow": "^"}


def pick_member(values: list[Any], concept: str, facts: PromptFacts, us_place: bool, rng: random.Random) -> Any:
    """The member of ``values`` the prompt points at (``us_place``: the place in play is in the US)."""
    us = us_place
    best, best_pos = None, len(facts.normalized)
    for v in values:
        if isinstance(v, str) and len(v) > 1:
            pos = facts.normalized.find(" " + " ".join(slug(v, " ").split()) + " ")
            if 0 <= pos < best_pos:
                best, best_pos = v, pos
    if best is not None:
        return best
    lows = [v.lower() if isinstance(v, str) else None for v in values]
    for i, low in enumerate(lows):
        for prefix, words in _OPERATIONS:
            if (
                low is not None
                and low.startswith(prefix)
                and (
                    any(f" {w} " in facts.normalized for w in words)
                    or any(c in facts.text for c in _OP_SYMBOLS.get(prefix, ""))
                )
            ):
                return values[i]
    if concept == "unit" or any(v in _IMPERIAL for v in lows):
        for i, v in enumerate(lows):
            if v in (_IMPERIAL if us else _METRIC):
                return values[i]
    if concept == "sentiment" and facts.sentiment in lows:
        return values[lows.index(facts.sentiment)]
    return rng.choice(values)
