"""Deterministic text embeddings that carry lexical meaning, for the simulated embeddings endpoints.

A text is lowercased and split into words.  Its features are the (stemmed) words, the bigrams of adjacent words and
the character 3-5-grams of every content word wrapped in ``<`` ``>`` (so "renewable" and "renewables" mostly
agree); stopwords only add a faint unigram.  Every feature gets a stable 128-bit hash, never Python's salted
``hash``: blake2b of the word, FNV-1a over code points + splitmix64 for character n-grams (vectorised), and a
splitmix64 mix of the two word hashes for a bigram.  A feature is spread into signed entries at *nested* scales:
one entry in ``[0, 64)``, one in ``[0, 128)``, ..., one in ``[0, 8192)``.  The vector of dimension ``dim`` keeps
the entries below ``dim`` and is L2-normalised.  Because the scales nest, every prefix of a vector still sees every
feature (Matryoshka style), so ``truncate(embed(t, 3072), 256)`` is (up to float rounding) ``embed(t, 256)`` and
keeps the meaning, as OpenAI's ``dimensions`` parameter promises.  Dimensions below 64 carry little meaning.

Texts that share words or phrases get a clearly higher cosine than unrelated texts (whose cosine is about 0 with a
spread of about 0.03 at 1536 dimensions).  The entries of each word are cached (up to 16,384 words), so a batch
costs a few numpy calls; the result for a text never depends on the rest of the batch or on the process.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .relevance import STOPWORDS, stem

__all__ = ["MAX_DIM", "embed", "from_base64", "to_base64", "truncate"]

FloatArray = npt.NDArray[np.float32]

_LEVELS = tuple(2**k for k in range(6, 14))  # nested hash scales 64 .. 8192
MAX_DIM = _LEVELS[-1]
_BITS = 14  # 13 position bits (enough for 8192) + 1 sign bit per level
_PER_WORD = 4  # levels drawn from each of the two 64-bit halves of a feature's 128-bit hash

WORD_WEIGHT = 1.0
STOPWORD_WEIGHT = 0.15
BIGRAM_WEIGHT = 0.6
CHAR_WEIGHT = 0.7  # L2 weight of all character n-grams of one word together
_NGRAMS = (3, 4, 5)
_CACHE_LIMIT = 16384

_WORD_RE = re.compile(r"[^\W_]+")
_WORD_LEVEL = np.arange(len(_LEVELS)) // _PER_WORD
_SHIFTS = (np.arange(len(_LEVELS)) % _PER_WORD * _BITS).astype(np.uint64)
_MASKS = np.array([size - 1 for size in _LEVELS], dtype=np.uint64)
_SIGN_BIT = np.uint64(_BITS - 1)
# Larger scales weigh a little more (size ** 0.25): at full width that halves the chance cosine of unrelated texts
# while every word keeps about the same influence, and each prefix still gets every scale's share.
_LEVEL_WEIGHTS = np.array([(size / MAX_DIM) ** 0.25 for size in _LEVELS], dtype=np.float64)
# FNV-1a (64-bit) over code points for character n-grams, finalised with the splitmix64 mixer.
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_HALF_SEEDS = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xD1B54A32D192ED03))

_Entries = tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]
_Cached = tuple[npt.NDArray[np.int32], npt.NDArray[np.float64], int]  # a word's entries and its unigram hash
_U64 = npt.NDArray[np.uint64]
_cache: dict[str, _Cached] = {}


def _blake(features: list[str]) -> _U64:
    """128-bit blake2b hashes of feature strings, shape (F, 2)."""
    digests = b"".join(hashlib.blake2b(f.encode("utf-8", "surrogatepass"), digest_size=16).digest() for f in features)
    return np.frombuffer(digests, dtype="<u8").reshape(len(features), 2)


def _splitmix(h: _U64) -> _U64:
    h = (h ^ (h >> np.uint64(30))) * _MIX1
    h = (h ^ (h >> np.uint64(27))) * _MIX2
    return h ^ (h >> np.uint64(31))


def _ngram_hashes(words: list[str]) -> tuple[_U64, npt.NDArray[np.int64]]:
    """128-bit hashes (G, 2) of the character 3-5-grams of ``<word>`` for every word, and each gram's word index."""
    padded = [f"<{w}>" for w in words]
    lengths = np.array([len(p) for p in padded], dtype=np.int64)
    codes = np.frombuffer("".join(padded).encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64)
    owner = np.repeat(np.arange(len(words), dtype=np.int64), lengths)
    ends = np.cumsum(lengths)[owner]  # exclusive end of each position's word
    pos = np.arange(len(codes), dtype=np.int64)
    hashes: list[_U64] = []
    owners: list[npt.NDArray[np.int64]] = []
    for n in _NGRAMS:
        start = pos[pos + n <= ends]
        h = np.full(len(start), _FNV_OFFSET ^ np.uint64(n), dtype=np.uint64)
        for k in range(n):
            h = (h ^ codes[start + k]) * _FNV_PRIME
        hashes.append(h)
        owners.append(owner[start])
    flat = np.concatenate(hashes)
    halves = np.stack([_splitmix(flat ^ seed) for seed in _HALF_SEEDS], axis=1)
    return halves, np.concatenate(owners)


def _entries(hashes: _U64, weights: npt.NDArray[np.float64]) -> _Entries:
    """Signed nested-scale entries (index, value), len(_LEVELS) per feature, from (F, 2) hashes and F weights."""
    chunks = hashes[:, _WORD_LEVEL] >> _SHIFTS  # (F, levels)
    idx = (chunks & _MASKS).astype(np.int32)
    signs = np.where((chunks >> _SIGN_BIT) & np.uint64(1), -1.0, 1.0)
    return idx.ravel(), (signs * weights[:, None] * _LEVEL_WEIGHTS).ravel()


def _store(out: dict[str, _Cached], keys: list[str], counts: list[int], entries: _Entries, hashes: _U64) -> None:
    idx, val = entries
    stop = 0
    for key, count, key_hash in zip(keys, counts, hashes.tolist(), strict=True):
        start, stop = stop, stop + count * len(_LEVELS)
        out[key] = (idx[start:stop], val[start:stop], key_hash)


def _lookup(needed: set[str]) -> dict[str, _Cached]:
    """Entries of every key of ``needed``: from the cache, hashing the missing ones in a few vectorised passes.

    Works on a private dict, so a concurrent call that clears the shared cache cannot pull entries from under us.
    """
    found: dict[str, _Cached] = {}
    for key in needed:
        hit = _cache.get(key)
        if hit is not None:
            found[key] = hit
    missing = needed.difference(found)
    if not missing:
        return found
    fresh: dict[str, _Cached] = {}
    words = sorted(k for k in missing if not k.startswith("\x00") and k not in STOPWORDS)
    stopwords = sorted(k for k in missing if k in STOPWORDS)
    specials = sorted(k for k in missing if k.startswith("\x00"))
    if stopwords:
        hashes = _blake(["w:" + k for k in stopwords])
        weights = np.full(len(stopwords), STOPWORD_WEIGHT)
        _store(fresh, stopwords, [1] * len(stopwords), _entries(hashes, weights), hashes[:, 0])
    for key in specials:  # symbols only, or "" (a fixed vector): character n-grams of the raw text
        padded = f"<{key}>"
        grams = ["c:" + padded[i : i + n] for n in _NGRAMS for i in range(len(padded) - n + 1)]
        _store(fresh, [key], [len(grams)], _entries(_blake(grams), np.ones(len(grams))), _blake([key])[:, 0])
    if words:
        # per word: its stemmed unigram, then its character n-grams (weight CHAR_WEIGHT / sqrt(#grams))
        unigrams = _blake(["w:" + stem(w) for w in words])
        gram_hashes, gram_owner = _ngram_hashes(words)
        grams_per_word = np.bincount(gram_owner, minlength=len(words))
        order = np.argsort(np.concatenate((np.arange(len(words)), gram_owner)), kind="stable")
        hashes = np.concatenate((unigrams, gram_hashes))[order]
        gram_weights = CHAR_WEIGHT / np.sqrt(grams_per_word)[gram_owner]
        weights = np.concatenate((np.full(len(words), WORD_WEIGHT), gram_weights))[order]
        _store(fresh, words, (grams_per_word + 1).tolist(), _entries(hashes, weights), unigrams[:, 0])
    if len(_cache) + len(fresh) > _CACHE_LIMIT:
        _cache.clear()
    _cache.update(fresh)
    found.update(fresh)
    return found


def _text_keys(text: str) -> list[str]:
    """Cache keys of ``text``: its lowercased words, or one special key if it has none."""
    words: list[str] = _WORD_RE.findall(text.lower())
    if not words:  # punctuation/symbols only: their character n-grams; "" -> a fixed vector
        words = ["\x00" + "".join(text.split()).lower()]
    return words


def _normalise(matrix: npt.NDArray[np.float64]) -> FloatArray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    zero = norms[:, 0] == 0.0
    if zero.any():  # only for tiny dims where no entry landed: a fixed uniform unit vector
        matrix[zero] = 1.0
        norms[zero] = np.sqrt(matrix.shape[1])
    return (matrix / norms).astype(np.float32)


def embed(texts: Sequence[str], dim: int) -> FloatArray:
    """Unit-norm float32 embeddings of shape (len(texts), dim); 1 <= dim <= MAX_DIM."""
    if not 1 <= dim <= MAX_DIM:
        raise ValueError(f"dim must be between 1 and {MAX_DIM}")
    n = len(texts)
    if n == 0:
        return np.zeros((0, dim), dtype=np.float32)
    per_text = [_text_keys(t) for t in texts]
    words = [w for keys in per_text for w in keys]
    cache = _lookup(set(words))
    entries = [cache[w] for w in words]
    n_words = len(words)
    word_row = np.repeat(np.arange(n, dtype=np.int64), [len(keys) for keys in per_text])
    # bigrams of adjacent words of the same text (not two stopwords), hashed from the two unigram hashes
    key_hash = np.fromiter((e[2] for e in entries), dtype=np.uint64, count=n_words)
    is_stop = np.fromiter((w in STOPWORDS for w in words), dtype=bool, count=n_words)
    left = np.flatnonzero((word_row[:-1] == word_row[1:]) & ~(is_stop[:-1] & is_stop[1:]))
    pair = _splitmix(key_hash[left] * _FNV_PRIME ^ key_hash[left + 1])
    pair_hashes = np.stack([_splitmix(pair ^ seed) for seed in _HALF_SEEDS], axis=1)
    pair_idx, pair_val = _entries(pair_hashes, np.full(len(left), BIGRAM_WEIGHT))
    sizes = [len(e[0]) for e in entries]
    idx_all = np.concatenate([e[0] for e in entries] + [pair_idx])
    val_all = np.concatenate([e[1] for e in entries] + [pair_val])
    rows = np.concatenate((np.repeat(word_row, sizes), np.repeat(word_row[left], len(_LEVELS))))
    keep = idx_all < dim
    flat = rows[keep] * dim + idx_all[keep]
    matrix = np.bincount(flat, weights=val_all[keep], minlength=n * dim).astype(np.float64).reshape(n, dim)
    return _normalise(matrix)


def truncate(vectors: npt.ArrayLike, dim: int) -> FloatArray:
    """First ``dim`` components of each vector (1-D or 2-D input), renormalised to unit length, as float32."""
    arr = np.asarray(vectors, dtype=np.float64)
    if not 1 <= dim <= arr.shape[-1]:
        raise ValueError(f"dim must be between 1 and {arr.shape[-1]}")
    out = _normalise(np.array(arr.reshape(-1, arr.shape[-1])[:, :dim]))
    return out.reshape(*arr.shape[:-1], dim)


def to_base64(vec: npt.ArrayLike) -> str:
    """Base64 of the little-endian float32 bytes of ``vec`` (OpenAI ``encoding_format="base64"``)."""
    return base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")


def from_base64(data: str) -> FloatArray:
    """Inverse of :func:`to_base64` (a 1-D float32 array)."""
    return np.frombuffer(base64.b64decode(data), dtype="<f4").astype(np.float32)
