"""Per-word cache for :mod:`fakeai.behaviors.sim.tokenizer`: splitting text at its spaces, looking words up.

The pre-tokenizer regex costs about a quarter of a microsecond per pre-token; ``str.split(" ")`` and one dict
lookup per word cost tens of nanoseconds. The two agree because a space that follows a non-whitespace character
always starts a pre-token, and nothing before that space depends on it (a letter, digit or punctuation run stops
at a space exactly as at the end of the text; whitespace runs cannot reach across the character before it). So
such a space cuts the text into parts that split alone exactly as they do in place: ``tokens(text)`` is the
concatenation of ``tokens(words[0])`` and ``tokens(" " + w)`` for the other words of ``text.split(" ")``.

That holds only when every cut is such a space: no empty word (two spaces in a row) and no word ending in
whitespace, except as the last word. Cached words are never empty nor end in whitespace, so a text whose words
are all cached is safe; others are checked, and an unsafe text is split as a whole, one group per pre-token.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Generic, TypeVar

__all__ = ["WordCache"]

T = TypeVar("T")
_FEW_MISSES = 8  # up to 1 in this many words unknown: split them one by one, else split the text as a whole


class WordCache(Generic[T]):
    """Groups of per-token values (token strings or ids) of a text, one group per space-separated word.

    ``pieces(text)`` gives the text's pre-tokens and each one's values; ``limit`` bounds each cache (it starts
    afresh when full) and ``longest`` the length of a word worth remembering.
    """

    __slots__ = ("_bare", "_limit", "_longest", "_pieces", "_spaced")

    def __init__(self, pieces: Callable[[str], tuple[list[str], list[tuple[T, ...]]]], limit: int, longest: int):
        self._pieces = pieces
        self._limit = limit
        self._longest = longest
        self._spaced: dict[str, tuple[T, ...]] = {}  # word -> values of " " + word
        self._bare: dict[str, tuple[T, ...]] = {"": ()}  # first word -> its values

    def split(self, text: str) -> list[tuple[T, ...]]:
        """Values of ``text`` in groups of whole pre-tokens (per word, or per pre-token for unusual spacing)."""
        if "  " in text or "\n " in text:  # indented text, say: the commonest unsafe cuts, spotted cheaply
            return self._pieces(text)[1]
        words = text.split(" ")
        first = self._bare.get(words[0])
        if first is not None:
            got = [first]
            try:
                got.extend(map(self._spaced.__getitem__, islice(words, 1, None)))
            except KeyError:
                pass
            else:
                return got
        return self._fill(text, words, list(map(self._spaced.get, words)))

    def split_prefix(self, text: str, enough: int) -> tuple[list[tuple[T, ...]], bool]:
        """``(split(text), False)``, or ``(groups, True)`` where the groups cover only the first words of ``text``
        (a prefix of ``split(text)``'s values) and hold at least ``enough`` values.

        The first ``enough + 1`` words are looked up; when they are all cached they hold at least ``enough``
        values (every cached word after the first has at least one), and the cut after the last of them is safe.
        """
        words = text.split(" ")
        if len(words) > enough + 1 >= 1:
            first = self._bare.get(words[0])
            if first is not None:
                got = [first]
                try:
                    got.extend(map(self._spaced.__getitem__, islice(words, 1, enough + 1)))
                except KeyError:
                    pass
                else:
                    return got, True
        return self.split(text), False

    def _fill(self, text: str, words: list[str], got: list[tuple[T, ...] | None]) -> list[tuple[T, ...]]:
        got[0] = self._bare.get(words[0])
        last = len(words) - 1
        missing = [k for k, g in enumerate(got) if g is None]
        for k in missing:
            w = words[k]
            if k < last and (w[-1:].isspace() if w else k > 0):
                return self._pieces(text)[1]  # a cut here would not be a pre-token boundary
        if len(missing) * _FEW_MISSES > len(words) and len(missing) > 1:
            groups = self._grouped(text)
            if len(groups) != len(words):  # cannot happen for a safe text; be correct anyway
                return self._pieces(text)[1]
            got = groups  # type: ignore[assignment]
        else:
            for k in missing:
                values = self._pieces(" " + words[k] if k else words[k])[1]
                got[k] = values[0] if len(values) == 1 else tuple(v for vs in values for v in vs)
        self._remember(words, got, missing)
        return got  # type: ignore[return-value]

    def _grouped(self, text: str) -> list[tuple[T, ...]]:
        """Per-word groups from one pass over the whole text: each word after the first starts with its space."""
        strs, values = self._pieces(text)
        groups: list[tuple[T, ...]] = []
        cur: list[T] = []
        for s, vs in zip(strs, values, strict=True):
            if s[0] == " ":
                groups.append(tuple(cur))
                cur = list(vs)
            else:
                cur.extend(vs)
        groups.append(tuple(cur))
        return groups

    def _remember(self, words: list[str], got: list[tuple[T, ...] | None], missing: list[int]) -> None:
        longest = self._longest
        for k in missing:
            w = words[k]
            if not w or len(w) > longest or w[-1].isspace():
                continue  # empty and whitespace-ending words are never cached (see the module docstring)
            cache = self._spaced if k else self._bare
            if len(cache) >= self._limit:
                cache.clear()
                if k == 0:
                    cache[""] = ()
            cache[w] = got[k]  # type: ignore[assignment]
