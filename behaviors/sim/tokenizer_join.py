"""Tokenizing joined texts from the tokens of their parts, for :mod:`fakeai.behaviors.sim.tokenizer`.

Both helpers rest on two facts about the pre-tokenizer (see :mod:`~fakeai.behaviors.sim.tokenizer_words`): a space
after a non-whitespace character is a safe cut (the text on either side splits as it does alone), and where a part
that ends in non-whitespace meets line breaks and then a part that starts with non-whitespace, only the first part's
last pre-token reaches across the seam.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain, islice

__all__ = ["Joiner", "count_and_encode"]

_SHORT = 160  # shorter texts are counted on their own
_SEAM_TOKENS = 16  # longest last group of a part whose split with the separator after it is remembered


class Joiner:
    """``tokenize(sep.join(parts))`` from each part's split, splitting again only each part's last group; with a
    ``limit``, a prefix of it at least ``limit`` tokens long (or all of it)."""

    __slots__ = ("_limit", "_seams", "_split_all", "_tokenize")

    def __init__(
        self, tokenize: Callable[[str], list[str]], split_all: Callable[[str], list[tuple[str, ...]]], limit: int
    ) -> None:
        self._tokenize = tokenize
        self._split_all = split_all
        self._limit = limit
        self._seams: dict[str, dict[tuple[str, ...], tuple[str, ...]]] = {}  # sep -> last group -> its tokens + sep

    def join(
        self, parts: Sequence[str], splits: Sequence[Sequence[tuple[str, ...]]], sep: str, limit: int | None
    ) -> list[str]:
        last = len(parts) - 1
        if sep.strip("\n") or not all(parts) or not all(splits):
            return self._tokenize(sep.join(parts))
        for k in range(last):
            if parts[k][-1].isspace() or parts[k + 1][0].isspace():
                return self._tokenize(sep.join(parts))
        seams = self._seams.get(sep)
        if seams is None or len(seams) >= self._limit:
            self._seams[sep] = seams = {}
        out: list[str] = []
        for k, groups in enumerate(splits):
            if k == last:
                tokens = chain.from_iterable(groups)
                out.extend(tokens if limit is None else islice(tokens, max(0, limit - len(out))))
                break
            out.extend(chain.from_iterable(groups))
            # the last group (whole pre-tokens) split again with the separator after it
            tail = groups[-1]
            del out[len(out) - len(tail) :]
            seam = seams.get(tail)
            if seam is None:
                seam = tuple(chain.from_iterable(self._split_all("".join(tail) + sep)))
                if len(tail) <= _SEAM_TOKENS:
                    seams[tail] = seam
            out += seam
            if limit is not None and len(out) >= limit:
                break
        return out


def count_and_encode(
    count: Callable[[str], int], encode: Callable[[str], list[int]], head: str, text: str
) -> tuple[list[int], int]:
    """``(encode(head + " " + text), count(text))`` with ``text`` split once, for ``head`` ending in non-whitespace.

    With ``text = w0 + rest`` where ``w0`` is its first space-separated word, the spaces before ``w0`` and before
    ``rest`` are safe cuts, so ``count(text) = count(w0) + count(rest)`` and the encoding holds ``count(head)``,
    ``count(" " + w0)`` and ``count(rest)`` ids. (When ``rest`` is empty only the first cut is needed; when ``w0``
    is empty or ends in whitespace the second cut is not safe and ``text`` is counted on its own.)
    """
    ids = encode(f"{head} {text}")
    if len(text) < _SHORT or not head or head[-1].isspace():
        return ids, count(text)  # a short text costs less to count again than the three small counts below
    w0, space, _ = text.partition(" ")
    if space and (not w0 or w0[-1].isspace()):
        return ids, count(text)
    return ids, len(ids) - count(head) - count(" " + w0) + count(w0)
