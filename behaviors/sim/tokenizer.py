"""A small BPE-like tokenizer whose token counts track OpenAI's cl100k_base / o200k_base on English text.

Used for every usage figure, for streaming (one streamed delta per token) and for KV-cache prefix matching
(token ids). It is not a real BPE: text is first split by cl100k's pre-tokenizer regex (contractions,
letter runs with an optional leading space or symbol, 1-3 digit groups, punctuation runs, whitespace),
then each piece is cut into the fewest vocabulary entries, ties going to the longer first entry.

Vocabulary (see :mod:`fakeai.behaviors.sim.tokenizer_vocab`): hand-written English words with generated
inflections, in lower/Capitalised (and for common words UPPER) case, with and without a leading space;
word starts and word ends standing in for BPE's subword merges; punctuation runs; all 1-3 digit strings;
whitespace runs. A word glued to a leading symbol (``.append``, ``(self``, ``_id``) is one token with a
computed id. Any other character is a token of its own with id ``codepoint_base + f(codepoint)``, so every
string round-trips and every id in ``[0, vocab_size)`` decodes.

Ids depend only on the data files (no ``hash()``), so they are the same in every process and on every
machine; editing the data files renumbers them (tests pin a few). The split of each distinct pre-token
is cached, and so are the tokens of each space-separated word (:mod:`~fakeai.behaviors.sim.tokenizer_words`),
so text made of words seen before costs a ``str.split`` and a dict lookup per word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain

from fakeai.behaviors.sim.tokenizer_join import Joiner, count_and_encode
from fakeai.behaviors.sim.tokenizer_vocab import LEADS, STRONG_LEADS, Vocabulary, build_vocabulary
from fakeai.behaviors.sim.tokenizer_words import WordCache

__all__ = ["Tokenizer", "count_tokens", "decode", "default_tokenizer", "encode", "tokenize"]

# cl100k_base's pre-tokenizer, written for the standard `re` module (no \p{L}: letters are [^\W\d_]).
# The first branch is a fast path for the commonest piece (a word after a space); it matches nothing
# the cl100k order would give to the contraction branch, so results are the same.
_PRETOKEN = re.compile(
    r" ?[^\W\d_]+"
    r"|'(?i:[sdmt]|ll|ve|re)"
    r"|(?:[^\r\n\w]|_)[^\W\d_]+"
    r"|\d{1,3}"
    r"| ?(?:[^\s\w]|_)+[\r\n]*"
    r"|\s*[\r\n]+"
    r"|\s+(?!\S)"
    r"|\s+"
)
_LETTER_PIECE = re.compile(r"(?:[^\r\n\w]|_)?[^\W\d_]+")
_MAX_SPACES = 79  # longest run of spaces that is one token
_LONG_PIECE = 256  # longer pieces are cut in chunks before segmenting (keeps the work linear)
_CACHE_LIMIT = 100_000  # distinct pieces remembered (then the cache starts afresh)
_SURROGATES = (0xD800, 0xE000)
_N_CODEPOINTS = 0x110000


class Tokenizer:
    """Splits text into tokens (strings), ids and counts. Safe to share between threads (caches are plain dicts)."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        v = build_vocabulary() if vocabulary is None else vocabulary
        self._table = v.table
        self._ids = v.ids
        self._words = v.words
        self._forms = v.forms
        self._core = v.core
        self._max_letters = v.max_letters
        self._max_symbols = v.max_symbols
        self.lead_base = len(v.table)
        self.codepoint_base = self.lead_base + 3 * len(v.words) * len(LEADS)
        self.vocab_size = self.codepoint_base + _N_CODEPOINTS
        self._tokens: dict[str, tuple[str, ...]] = {}
        self._id_cache: dict[str, tuple[int, ...]] = {}
        self._findall = _PRETOKEN.findall
        words = WordCache(self._piece_tokens, _CACHE_LIMIT, _LONG_PIECE)
        self._word_tokens, self._word_prefix = words.split, words.split_prefix
        self._word_ids = WordCache(self._piece_ids, _CACHE_LIMIT, _LONG_PIECE).split
        self._join = Joiner(self.tokenize, self._split_all, _CACHE_LIMIT).join

    # ---- public API -------------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[str]:
        """Token strings whose concatenation is exactly ``text``."""
        return list(chain.from_iterable(self._word_tokens(text)))

    def split(self, text: str) -> list[tuple[str, ...]]:
        """The tokens of ``text`` in groups of whole pre-tokens (one group per space-separated word, or per
        pre-token): ``tokenize`` is their concatenation, ``count`` their total."""
        return self._word_tokens(text)

    def split_prefix(self, text: str, enough: int) -> tuple[list[tuple[str, ...]], bool]:
        """``(split(text), False)``, or ``(groups, True)``: a prefix of ``split(text)`` holding at least ``enough``
        tokens, when that is cheaper (a long text of known words)."""
        return self._word_prefix(text, enough)

    def tokenize_joined(
        self, parts: Sequence[str], splits: Sequence[Sequence[tuple[str, ...]]], sep: str, limit: int | None = None
    ) -> list[str]:
        """``tokenize(sep.join(parts))``, given ``split(part)`` for each part: only the seams are split again.

        ``sep`` must be line breaks. Where a part ends and the next begins with something other than whitespace,
        the only pre-token that reaches across the seam is the part's last one (a letter or digit run stays as it
        is, a punctuation run takes the line breaks): the others, and the next part's, are the same as alone.
        Empty parts and parts with whitespace at a seam (line breaks could merge) fall back to the whole text.
        With ``limit``, it may stop early: a prefix of the full result, at least ``limit`` tokens long if that is.
        """
        return self._join(parts, splits, sep, limit)

    def count_and_encode(self, head: str, text: str) -> tuple[list[int], int]:
        """``(encode(head + " " + text), count(text))``, sharing the work (for "role: content")."""
        return count_and_encode(self.count, self.encode, head, text)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (``len(encode(t)) == count(t)``)."""
        return list(chain.from_iterable(self._word_ids(text)))

    def decode(self, ids: Sequence[int]) -> str:
        """Text of token ids. Every id in ``[0, vocab_size)`` decodes; others raise ValueError."""
        table = self._table
        lead_base, cp_base = self.lead_base, self.codepoint_base
        parts: list[str] = []
        for i in ids:
            if 0 <= i < lead_base:
                parts.append(table[i])
            elif lead_base <= i < cp_base:
                parts.append(self._lead_form(i - lead_base))
            elif cp_base <= i < self.vocab_size:
                parts.append(chr(_codepoint_of(i - cp_base)))
            else:
                raise ValueError(f"token id {i} is outside [0, {self.vocab_size})")
        return "".join(parts)

    def count(self, text: str) -> int:
        """Number of tokens in ``text``."""
        return sum(map(len, self._word_tokens(text)))

    def token_id(self, token: str) -> int:
        """Id of one token string as produced by :meth:`tokenize`; ValueError for anything else."""
        i = self._ids.get(token)
        if i is not None:
            return i
        if len(token) == 1:
            return self.codepoint_base + _index_of(ord(token))
        lead = LEADS.find(token[0])
        form = self._forms.get(token[1:])
        if lead >= 0 and form is not None:
            return self.lead_base + form * len(LEADS) + lead
        raise ValueError(f"not a token: {token!r}")

    # ---- internals --------------------------------------------------------------------------------
    def _lead_form(self, offset: int) -> str:
        form, lead = divmod(offset, len(LEADS))
        word_index, case = divmod(form, 3)
        w = self._words[word_index]
        return LEADS[lead] + (w if case == 0 else w[:1].upper() + w[1:] if case == 1 else w.upper())

    def _split_all(self, text: str) -> list[tuple[str, ...]]:
        """The tokens of each pre-token of ``text``."""
        return self._piece_tokens(text)[1]

    def _piece_tokens(self, text: str) -> tuple[list[str], list[tuple[str, ...]]]:
        """The pre-tokens of ``text`` and the tokens of each."""
        pieces = self._findall(text)
        got = list(map(self._tokens.get, pieces))
        if None in got:
            for k, toks in enumerate(got):
                if toks is None:
                    got[k] = self._split_cached(pieces[k])
        return pieces, got  # type: ignore[return-value]

    def _piece_ids(self, text: str) -> tuple[list[str], list[tuple[int, ...]]]:
        """The pre-tokens of ``text`` and the token ids of each."""
        pieces = self._findall(text)
        cache = self._id_cache
        got = list(map(cache.get, pieces))
        if None in got:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            for k, ids in enumerate(got):
                if ids is None:
                    piece = pieces[k]
                    got[k] = ids = tuple(map(self.token_id, self._split_cached(piece)))
                    if len(piece) <= _LONG_PIECE:
                        cache[piece] = ids
        return pieces, got  # type: ignore[return-value]

    def _split_cached(self, piece: str) -> tuple[str, ...]:
        toks = tuple(self._split(piece))
        cache = self._tokens
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        if len(piece) <= _LONG_PIECE:
            cache[piece] = toks
        return toks

    def _split(self, piece: str) -> list[str]:
        if piece in self._ids:
            return [piece]
        if len(piece) > _LONG_PIECE:
            out: list[str] = []
            for k in range(0, len(piece), _LONG_PIECE):
                out += self._split(piece[k : k + _LONG_PIECE])
            return out
        if piece.strip(" ") == "":
            return [piece[k : k + _MAX_SPACES] for k in range(0, len(piece), _MAX_SPACES)]
        if not _LETTER_PIECE.fullmatch(piece):
            return self._segment(piece, "", self._max_symbols)
        first = piece[0]
        if first.isalpha():
            return self._segment(piece, "", self._max_letters)
        return self._segment(piece[1:], first, self._max_letters)

    def _first_with_lead(self, lead: str, head: str) -> bool:
        """Whether ``lead + head`` is one token."""
        if lead == " ":
            return (" " + head) in self._ids
        form = self._forms.get(head)
        if form is None or lead not in LEADS:
            return False
        return lead in STRONG_LEADS or self._core[form // 3]

    def _segment(self, s: str, lead: str, maxlen: int) -> list[str]:
        """Fewest vocabulary entries covering ``lead + s`` (a lone character always counts as one)."""
        ids = self._ids
        n = len(s)
        big = n + 3
        best = [0] * (n + 1)
        nxt = [n] * (n + 1)
        for i in range(n - 1, 0, -1):
            b, bj = big, i + 1
            for j in range(min(n, i + maxlen), i, -1):
                if best[j] + 1 < b and (j == i + 1 or s[i:j] in ids):
                    b, bj = best[j] + 1, j
            best[i], nxt[i] = b, bj
        if n == 0:
            return [lead] if lead else []
        # the first entry may carry the lead; a lead standing alone costs one token more
        b, bj, glued = big, 1, False
        if lead:
            for j in range(min(n, maxlen), 0, -1):
                if best[j] + 1 < b and self._first_with_lead(lead, s[:j]):
                    b, bj, glued = best[j] + 1, j, True
        extra = 1 if lead else 0
        for j in range(min(n, maxlen), 0, -1):
            if best[j] + 1 + extra < b and (j == 1 or s[:j] in ids):
                b, bj, glued = best[j] + 1 + extra, j, False
        out = [lead + s[:bj]] if glued else ([lead, s[:bj]] if lead else [s[:bj]])
        start = bj
        while start < n:
            j = nxt[start]
            out.append(s[start:j])
            start = j
        return out


def _index_of(cp: int) -> int:
    """Codepoint -> offset in the codepoint id range (surrogates are moved to the very end)."""
    lo, hi = _SURROGATES
    if cp < lo:
        return cp
    if cp < hi:
        return _N_CODEPOINTS - (hi - lo) + (cp - lo)
    return cp - (hi - lo)


def _codepoint_of(index: int) -> int:
    lo, hi = _SURROGATES
    if index < lo:
        return index
    if index >= _N_CODEPOINTS - (hi - lo):
        return lo + index - (_N_CODEPOINTS - (hi - lo))
    return index + (hi - lo)


_default: Tokenizer | None = None


def default_tokenizer() -> Tokenizer:
    """The shared instance, built on first use (about 0.1 s)."""
    global _default
    if _default is None:
        _default = Tokenizer()
    return _default


def tokenize(text: str) -> list[str]:
    """Token strings of ``text`` with the default tokenizer."""
    return default_tokenizer().tokenize(text)


def encode(text: str) -> list[int]:
    """Token ids of ``text`` with the default tokenizer."""
    return default_tokenizer().encode(text)


def decode(ids: Sequence[int]) -> str:
    """Text of token ids with the default tokenizer."""
    return default_tokenizer().decode(ids)


def count_tokens(text: str) -> int:
    """Number of tokens in ``text`` with the default tokenizer."""
    return default_tokenizer().count(text)
