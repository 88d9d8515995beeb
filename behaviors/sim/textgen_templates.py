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

__all__ = ["Deck", "Template", "cap", "load_code_data", "load_data", "pick"]

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
    """A compiled template: literal text and slot names, alternating."""

    __slots__ = ("parts", "text")

    def __init__(self, text: str, slots: frozenset[str] | None = None) -> None:
        self.text = text
        parts: list[tuple[str, str]] = []
        pos = 0
        for m in _SLOT.finditer(text):
            if slots is not None and m.group(1) not in slots:
                continue
            parts.append((text[pos : m.start()], m.group(1)))
            pos = m.end()
        parts.append((text[pos:], ""))
        self.parts = tuple(parts)

    def fill(self, ctx: Context, rng: random.Random) -> str:
        """The text with every slot replaced; list-valued slots draw a value, avoiding repeats in one fill."""
        out: list[str] = []
        for lit, slot in self.parts:
            out.append(lit)
            if slot:
                v = ctx[slot]
                if not isinstance(v, str):
                    choice = pick(rng, v)
                    if choice in out:
                        choice = pick(rng, v)
                    v = choice
                out.append(v)
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
            self._order = list(range(len(self._items)))
            self._rng.shuffle(self._order)
        return self._items[self._order.pop()]


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
