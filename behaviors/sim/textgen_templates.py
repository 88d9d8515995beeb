"""Sentence templates for :mod:`fakeai.behaviors.sim.textgen`: loading the data files and filling slots.

Templates are plain strings with ``{slot}`` markers (``data/textgen.json``, ``data/textgen_code.json``).
They are compiled once into literal/slot pairs; filling draws list-valued slots from an explicit
``random.Random``. Unknown ``{...}`` text (braces in code templates) is left as it is.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, Generic, TypeVar

__all__ = ["Deck", "Template", "cap", "load_code_data", "load_data", "pick", "shuffled_range"]

_SLOT = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}")

Context = Mapping[str, "str | Sequence[str]"]
T = TypeVar("T")


def pick(rng: random.Random, seq: Sequence[str]) -> str:
    """One element of ``seq`` (non-empty), cheaper than ``rng.choice``."""
    return seq[int(rng.random() * len(seq))]


def cap(s: str) -> str:
    """``s`` with its first character upper-cased."""
    return s[:1].upper() + s[1:]


class Template:
    """A compiled template: the leading literal text, then (slot name, literal text after it) pairs."""

    __slots__ = ("head", "rest", "text")

    def __init__(self, text: str, slots: frozenset[str] | None = None) -> None:
        self.text = text
        pairs: list[tuple[str, str]] = []
        head, slot, pos = "", "", 0
        for m in _SLOT.finditer(text):
            if slots is not None and m.group(1) not in slots:
                continue
            if slot:
                pairs.append((slot, text[pos : m.start()]))
            else:
                head = text[pos : m.start()]
            slot, pos = m.group(1), m.end()
        if slot:
            pairs.append((slot, text[pos:]))
        else:
            head = text
        self.head = head
        self.rest = tuple(pairs)

    def fill(self, ctx: Context, rng: random.Random) -> str:
        """The text with every slot replaced; list-valued slots draw a value, avoiding repeats in one fill."""
        if not self.rest:
            return self.head
        out = [self.head]
        append = out.append
        random_ = rng.random
        for slot, lit in self.rest:
            v = ctx[slot]
            if not isinstance(v, str):
                n = len(v)
                choice = v[int(random_() * n)]  # pick(rng, v), inlined
                if choice in out:  # the text so far: literals and values up to this slot
                    choice = v[int(random_() * n)]
                v = choice
            append(v)
            append(lit)
        return "".join(out)


class Deck(Generic[T]):
    """Draws items without repeating one until all have been used (reshuffled from ``rng``)."""

    __slots__ = ("_items", "_order", "_rng")

    def __init__(self, items: Sequence[T], rng: random.Random) -> None:
        self._items = items
        self._rng = rng
        self._order: list[int] = []

    def draw(self) -> T:
        if not self._order:
            self._order = shuffled_range(self._rng, len(self._items))
        return self._items[self._order.pop()]


@cache
def _swaps(n: int) -> tuple[tuple[int, int, int], ...]:
    """(position, bound, bits) of each step of ``Random.shuffle`` on ``n`` items."""
    return tuple((i, i + 1, (i + 1).bit_length()) for i in range(n - 1, 0, -1))


def _fast_shuffle(rng: random.Random, n: int) -> list[int]:
    """``Random.shuffle(list(range(n)))`` with its ``_randbelow`` inlined: the same swaps from the same bits."""
    order = list(range(n))
    getrandbits = rng.getrandbits
    for i, bound, bits in _swaps(n):
        j = getrandbits(bits)
        while j >= bound:
            j = getrandbits(bits)
        order[i], order[j] = order[j], order[i]
    return order


def _agrees() -> bool:
    """Whether this Python's ``Random.shuffle`` is the algorithm :func:`_fast_shuffle` repeats."""
    for seed in range(8):
        a, b = random.Random(seed), random.Random(seed)
        expected = list(range(37))
        a.shuffle(expected)
        if _fast_shuffle(b, 37) != expected or a.random() != b.random():
            return False
    return True


_FAST_SHUFFLE = _agrees()


def shuffled_range(rng: random.Random, n: int) -> list[int]:
    """``list(range(n))`` shuffled by ``rng.shuffle``: the same order, and ``rng`` left in the same state."""
    if _FAST_SHUFFLE and type(rng) is random.Random:
        return _fast_shuffle(rng, n)
    order = list(range(n))
    rng.shuffle(order)
    return order


def _read_json(name: str) -> dict[str, Any]:
    text = (resources.files("fakeai.behaviors.sim") / "data" / name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


# lists in textgen.json that are slot values or finished text; every other list holds templates
_VALUE_LISTS = frozenset(
    [
        "generic_topics",
        "aspects",
        "adjectives",
        "fields",
        "people",
        "examples",
        "verbs",
        "numbers",
        "connectives",
        "step_verbs",
        "step_titles",
        "poem_things",
        "poem_times",
        "name_adjectives",
        "story_names_she",
        "story_names_he",
        "story_places",
        "story_roles",
        "headings",
        "filler",
        "trivial_greetings",
        "trivial_test",
        "reason_trivial",
        "name_notes",
        "code_bullets",
    ]
)


@cache
def load_data() -> dict[str, Any]:
    """``data/textgen.json``, its template lists compiled to Templates."""
    raw = _read_json("textgen.json")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, list) and key not in _VALUE_LISTS:
            out[key] = [Template(v) for v in value]
        elif isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            out[key] = {k: Template(v) for k, v in value.items()}
        else:
            out[key] = value
    out["stopwords"] = frozenset(raw["stopwords"].split())
    out["shape_words"] = frozenset(raw["shape_words"].split())
    out["trailing_adjectives"] = frozenset(raw["trailing_adjectives"].split())
    return out


_CODE_SLOTS = frozenset({"fn", "fnCamel", "Cls", "arg", "doc", "Title"})


@cache
def load_code_data() -> tuple[dict[str, dict[str, Any]], dict[str, list[Template]]]:
    """(languages, compiled code templates per language) from ``data/textgen_code.json``."""
    raw = _read_json("textgen_code.json")
    templates = {lang: [Template(t, _CODE_SLOTS) for t in items] for lang, items in raw["templates"].items()}
    return raw["languages"], templates
