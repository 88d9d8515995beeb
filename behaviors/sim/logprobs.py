"""Simulated log probabilities of generated tokens, in the shapes OpenAI returns them.

* :func:`token_logprobs` gives Chat Completions' ``choices[].logprobs.content[]`` items (``token``, ``logprob``,
  ``bytes``, ``top_logprobs``); :func:`legacy_logprobs` gives the legacy Completions' ``logprobs`` object
  (``tokens``, ``token_logprobs``, ``top_logprobs`` dicts, ``text_offset``).

Each position gets a made-up next-token distribution: the top token's probability is drawn from a mixture
(55% of the positions near-certain, with a rest mass of 3e-5..0.05; 30% 0.5..0.95, 15% 0.12..0.5), and each
lower rank takes a share of the mass that is left, capped at 0.4..0.97 of the rank above, so ranks decrease
and the probabilities never sum past 1. The generated token is then placed at a rank drawn from that
distribution made sharper or flatter by ``temperature`` (0: always the top rank; 1: the distribution itself),
so at temperature 1 about 81% of tokens are the top rank and logprobs fall ~10% above -1e-4, ~86% within
-1e-4..-3 and ~4% below -3 (0.3% below -6). Listed logprobs are the model's (not temperature-scaled).

The other listed tokens come from the tokenizer's vocabulary: its neighbours in the vocabulary in the same shape
(leading space, case, digits, punctuation - the word list is in rough frequency order, so " the" gets " of",
" and", " to"...), its case and leading-space variants, shorter prefixes (" dolor" -> " dol"), then common
fallbacks. Which of them fill the ranks below, and the shares of the ranks under the generated token, come from
one row of fixed tables chosen by ``rng`` (one draw per token whatever ``top_n`` is), so the generated tokens'
logprobs do not depend on ``top_n``, and the list for a smaller ``top_n`` is the head of the list for a larger
one (short of where the generated token itself sits).

When the generated token falls below the first ``top_n`` ranks it is still listed, in the last place, in place
of rank ``top_n`` (OpenAI may then list ``top_n + 1`` tokens; here there are always exactly ``top_n``).
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Callable, Sequence
from math import log, log1p
from typing import Any

from .tokenizer_vocab import LEADS, Vocabulary, build_vocabulary

__all__ = [
    "MAX_LEGACY_LOGPROBS",
    "MAX_TOP_LOGPROBS",
    "LogprobModel",
    "default_model",
    "legacy_logprobs",
    "token_logprobs",
]

MAX_TOP_LOGPROBS = 20  # Chat Completions' top_logprobs limit
MAX_LEGACY_LOGPROBS = 5  # legacy Completions' logprobs limit
_NEIGHBOURS = 12  # vocabulary neighbours taken on each side
_PICK_WINDOW = 12  # alternatives are picked from the first entries of what is left, favouring the earliest
_POOL_CACHE_LIMIT = 50_000
_FALLBACK = (
    " the", ",", ".", " and", " a", " to", " of", "\n", " in", " is", " that", " for", " it", " with", " as",
    " on", " this", " be", " or", " are", ":", "\n\n", " I", " -", " not", " you", " we", " can", " by", " an",
    " but", " so", "'s", ")", " (", " \"", "\"", "The", "I", "A",
)  # fmt: skip
_TAIL_WEIGHT = 0.35  # weight (divided by the rank) of the mass below a rank when walking the sampled token down
_ROW_BITS = 10  # 1024 precomputed rows of rank shares and of alternative picks
_ROW_MASK = (1 << _ROW_BITS) - 1

Entry = tuple[str, float]


def _shape(t: str) -> int:
    """Class of a token: leading space (+8) and lower / Capitalised / UPPER / digits / spaces / newlines / symbols."""
    space = len(t) > 1 and t[0] == " "
    core = t[1:] if space else t
    if core.isalpha():
        cls = 2 if len(core) > 1 and core.isupper() else 1 if core[0].isupper() else 0
    elif core.isdigit():
        cls = 3
    elif "\n" in core or "\r" in core:
        cls = 5 if core.isspace() else 6
    else:
        cls = 4 if core.isspace() else 7
    return cls + (8 if space else 0)


def _variants(t: str) -> list[str]:
    """Case and leading-space variants of a word token (same-space forms first)."""
    space = len(t) > 1 and t[0] == " "
    core = t[1:] if space else t
    if not core.isalpha():
        return [core] if space else [" " + t]
    cases = [core.lower(), core[:1].upper() + core[1:].lower(), core.upper()]
    same, other = ("", " ") if not space else (" ", "")
    return [same + c for c in cases] + [other + core] + [other + c for c in cases]


class LogprobModel:
    """Alternatives drawn from a vocabulary (default: the tokenizer's); build once, share between threads."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        v = build_vocabulary() if vocabulary is None else vocabulary
        self._ids = v.ids
        self._forms = v.forms
        self._keys = bytearray(len(v.table))
        self._pos = array("i", bytes(4 * len(v.table)))
        self._groups: list[list[str]] = [[] for _ in range(16)]
        for s, i in v.ids.items():  # first occurrences, in table order
            key = _shape(s)
            group = self._groups[key]
            self._keys[i], self._pos[i] = key, len(group)
            group.append(s)
        self._fallback = [t for t in _FALLBACK if t in v.ids]
        need = MAX_TOP_LOGPROBS + _PICK_WINDOW + 1  # every pool is at least this long (the token itself aside)
        if len(self._fallback) < need:  # a small custom vocabulary: pad from its first entries
            self._fallback += [t for t in list(v.ids)[: 2 * need] if t not in self._fallback]
            if len(self._fallback) < need:
                raise ValueError(f"a vocabulary needs at least {need} entries, this one has {len(v.ids)}")
        self._pools: dict[str, tuple[str, ...]] = {}
        # Per-token randomness for the listed alternatives is a row picked from these fixed tables: shares of the
        # mass left taken by each rank below the sampled one, and which pool entries fill the ranks (each
        # drawn from the first _PICK_WINDOW entries not yet taken, favouring the earliest).
        table_rng = random.Random(0x109B)
        self._shares = [[_share(table_rng.random()) for _ in range(MAX_TOP_LOGPROBS)] for _ in range(1 << _ROW_BITS)]
        self._picks: list[list[int]] = []
        for _ in range(1 << _ROW_BITS):
            left = list(range(MAX_TOP_LOGPROBS + _PICK_WINDOW))
            self._picks.append([left.pop(int(table_rng.random() ** 2 * _PICK_WINDOW)) for _ in range(MAX_TOP_LOGPROBS)])

    # ---- public API -------------------------------------------------------------------------------
    def content(
        self, tokens: Sequence[str], rng: random.Random, top_n: int, *, temperature: float = 1.0
    ) -> list[dict[str, Any]]:
        """Chat Completions ``logprobs.content`` items for ``tokens`` (see :func:`token_logprobs`)."""
        _check(top_n, MAX_TOP_LOGPROBS, "top_logprobs", temperature)
        out: list[dict[str, Any]] = []
        for tok in tokens:
            lp, top = self._position(tok, rng, top_n, temperature)
            out.append(
                {
                    "token": tok,
                    "logprob": lp,
                    "bytes": list(tok.encode("utf-8", "surrogatepass")),
                    "top_logprobs": [
                        {"token": t, "logprob": x, "bytes": list(t.encode("utf-8", "surrogatepass"))} for t, x in top
                    ],
                }
            )
        return out

    def legacy(
        self,
        tokens: Sequence[str],
        rng: random.Random,
        n: int,
        text_offset_start: int = 0,
        *,
        temperature: float = 1.0,
    ) -> dict[str, list[Any]]:
        """Legacy Completions ``logprobs`` object for ``tokens`` (see :func:`legacy_logprobs`)."""
        _check(n, MAX_LEGACY_LOGPROBS, "logprobs", temperature)
        lps: list[float] = []
        tops: list[dict[str, float]] = []
        offsets: list[int] = []
        offset = text_offset_start
        for tok in tokens:
            lp, top = self._position(tok, rng, n, temperature)
            lps.append(lp)
            # the sampled token first, then the others by rank (as the legacy API tends to order them)
            tops.append({tok: lp, **dict(e for e in top if e[0] != tok)} if n else {})
            offsets.append(offset)
            offset += len(tok)
        return {"tokens": list(tokens), "token_logprobs": lps, "top_logprobs": tops, "text_offset": offsets}

    def alternatives(self, token: str) -> tuple[str, ...]:
        """Candidate alternatives for ``token``, most plausible first (distinct, never ``token`` itself)."""
        pool = self._pools.get(token)
        if pool is None:
            if len(self._pools) >= _POOL_CACHE_LIMIT:
                self._pools.clear()
            pool = self._pools[token] = self._build_pool(token)
        return pool

    # ---- internals --------------------------------------------------------------------------------
    def _position(self, tok: str, rng: random.Random, top_n: int, temperature: float) -> tuple[float, list[Entry]]:
        """(sampled logprob, top_n entries sorted by logprob, the sampled one included)."""
        lps, m, prev = _sample_path(rng.random, temperature)
        row = rng.getrandbits(2 * _ROW_BITS)  # always drawn, so the next position's draws do not depend on top_n
        lp = lps[-1]
        if top_n == 0:
            return lp, []
        rank, need = len(lps) - 1, top_n - 1
        if rank < top_n:  # ranks below the sampled one continue the distribution with this row's shares
            xs = lps[:rank]
            for f, g in self._shares[row & _ROW_MASK][: need - rank]:
                p = m * f
                if p > prev * g:
                    p = prev * g
                m, prev = m - p, p
                xs.append(log(p))
        else:
            xs = lps[:need]
        pool = self.alternatives(tok)
        others = [(pool[i], x) for i, x in zip(self._picks[row >> _ROW_BITS], xs, strict=False)]
        others.insert(min(rank, need), (tok, lp))
        return lp, others

    def _build_pool(self, tok: str) -> tuple[str, ...]:
        ids = self._ids
        near: list[str] = []
        close: list[str] = []  # case / space variants and prefixes
        if tok in ids:
            near = self._neighbours(ids[tok])
            close = [t for t in _variants(tok) if t in ids]
            space = 1 if tok[:1] == " " else 0
            if tok[space:].isalpha() and len(tok) - space >= 4:
                close += [p for p in (tok[:k] for k in range(len(tok) - 1, space + 1, -1)) if p in ids][:2]
        elif len(tok) > 1 and tok[0] in LEADS and tok[1:] in self._forms:  # a word glued to a symbol: ".append"
            lead, word = tok[0], tok[1:]
            if word in ids:
                near = [lead + w for w in self._neighbours(ids[word]) if w in self._forms]
            close = [t for t in (word, " " + word, lead) if t in ids]
        elif len(tok) == 1:  # a character outside the vocabulary table: nearby code points
            cp = ord(tok)
            for d in range(1, _NEIGHBOURS + 1):
                for c in (cp - d, cp + d):
                    if 0x20 < c < 0x110000 and not 0xD800 <= c < 0xE000 and chr(c).isprintable():
                        near.append(chr(c))
        else:
            close = [t for t in _variants(tok) if t in ids]
        merged: list[str] = []
        for k in range(max(len(near), len(close))):  # interleave: one neighbour, one variant
            merged += near[k : k + 1] + close[k : k + 1]
        pool = dict.fromkeys(merged + self._fallback)
        pool.pop(tok, None)
        return tuple(pool)

    def _neighbours(self, index: int) -> list[str]:
        """Entries of the same shape around ``index``, nearest first; a longer token skips one-letter entries,
        and runs of spaces or newlines keep to the three nearest."""
        key = self._keys[index]
        group, pos = self._groups[key], self._pos[index]
        want = 3 if key & 7 in (4, 5) else 2 * _NEIGHBOURS
        min_len = 2 + (key >> 3) if len(group[pos]) > 1 + (key >> 3) else 0
        out: list[str] = []
        for d in range(1, 4 * _NEIGHBOURS):
            for j in (pos - d, pos + d):
                if 0 <= j < len(group) and len(group[j]) >= min_len:
                    out.append(group[j])
            if len(out) >= want:
                break
        return out[:want]


def _share(u: float) -> tuple[float, float]:
    """(share of the mass left, cap as a ratio to the rank above) of a rank below the second, from one uniform."""
    return 0.12 + 0.33 * u, 0.4 + 0.55 * u


def _sample_path(rnd: Callable[[], float], temperature: float) -> tuple[list[float], float, float]:
    """Logprobs of ranks 0..r where rank r is the sampled token, the mass left below it and its probability."""
    u = rnd()
    if u < 0.55:
        m = 10.0 ** (-4.6 + 3.3 * rnd())  # near-certain
    elif u < 0.85:
        m = 0.05 + 0.45 * rnd()
    else:
        m = 0.5 + 0.38 * rnd()
    prev = 1.0 - m
    lps = [log1p(-m)]
    if temperature == 0.0 or rnd() < prev**temperature:
        return lps, m, prev
    for k in range(1, MAX_TOP_LOGPROBS + 1):
        u = rnd()
        if k < MAX_TOP_LOGPROBS:
            f, g = _share(u) if k > 1 else (0.2 + 0.6 * u, 0.4 + 0.57 * u)
        else:  # a token from the long tail, below every listed rank
            f, g = 0.02 + 0.3 * u, 0.4 + 0.5 * u
        p = min(m * f, prev * g)
        lps.append(log(p))
        m, prev = m - p, p
        if k == MAX_TOP_LOGPROBS or rnd() < (p / (p + _TAIL_WEIGHT / k * m)) ** temperature:
            break
    return lps, m, prev


def _check(n: int, limit: int, name: str, temperature: float) -> None:
    if not 0 <= n <= limit:
        raise ValueError(f"{name} must be within 0..{limit}, got {n}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")


_default: LogprobModel | None = None


def default_model() -> LogprobModel:
    """The shared model over the tokenizer's vocabulary, built on first use (about 0.2 s)."""
    global _default
    if _default is None:
        _default = LogprobModel()
    return _default


def token_logprobs(
    tokens: Sequence[str], rng: random.Random, top_n: int, *, temperature: float = 1.0
) -> list[dict[str, Any]]:
    """Chat Completions ``logprobs.content`` items: one per token, each with exactly ``top_n`` (0..20)
    ``top_logprobs`` sorted by logprob, the token itself among them with its own logprob."""
    return default_model().content(tokens, rng, top_n, temperature=temperature)


def legacy_logprobs(
    tokens: Sequence[str], rng: random.Random, n: int, text_offset_start: int = 0, *, temperature: float = 1.0
) -> dict[str, list[Any]]:
    """Legacy Completions ``logprobs``: ``tokens``, ``token_logprobs``, ``top_logprobs`` (dicts of ``n`` (0..5)
    entries, the token itself first) and ``text_offset`` (character offsets from ``text_offset_start``)."""
    return default_model().legacy(tokens, rng, n, text_offset_start, temperature=temperature)
