"""Lexical relevance model (Okapi BM25) behind the simulated rerank, ranking and vector-search endpoints.

Text is lowercased, split into word tokens, stripped of a small English stopword list and conservatively stemmed
(plural ``-s``/``-es``/``-ies``, ``-ing``, ``-ed``, a final silent ``-e``, consonant + ``y`` -> ``i``), so
"programming", "programs" and "program" meet.  The passages of one request are the IDF corpus; because a request
often carries only two or three passages, the corpus is padded with ``PRIOR_DOCS`` virtual passages that contain
none of the query terms and the Lucene form of IDF (always positive) is used::

    idf(t)    = ln(1 + (N + P - n_t + 0.5) / (n_t + 0.5))       N passages, P = PRIOR_DOCS, n_t passages with t
    bm25(q,d) = sum_t idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl))     k1 = 1.2, b = 0.75

For absolute judgements (NIM logits, Cohere relevance scores) a score is divided by the score of an ideal passage
of average length containing every query term once (``sum_t idf(t)``), giving a coverage ``c`` that is about 1
for a passage covering the query and 0 for an unrelated one, and mapped to ``logit = 10 * tanh(5 * (c - 0.2))``:
about -7.6 for no overlap, around 0 when a fifth of the query's weight is matched, approaching +10 for full cover.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["K1", "PRIOR_DOCS", "STOPWORDS", "B", "bm25_scores", "logits", "relevance_scores", "stem", "tokenize_terms"]

K1 = 1.2
B = 0.75
PRIOR_DOCS = 10
_THRESHOLD = 0.2
_SLOPE = 5.0
_SCALE = 10.0

_WORD_RE = re.compile(r"[^\W_]+")
SUBJECT_WEIGHT = 2.0

_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before being below between
    both but by can could did do does doing done down during each either few for from further had has have having he
    her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not of
    off on once only or other our ours ourselves out over own same she should so some such than that the their theirs
    them themselves then there these they this those through to too under until up upon us very was we were what
    when where which while who whom why will with would you your yours yourself yourselves s t d ll m re ve
    """
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_VOWELS = frozenset("aeiouy")
_NO_UNDOUBLE = frozenset("lsz")


def _has_vowel(text: str) -> bool:
    return any(ch in _VOWELS for ch in text)


def _undouble(stem: str) -> str:
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS and stem[-1] not in _NO_UNDOUBLE:
        return stem[:-1]
    return stem


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Conservative suffix stripping for a lowercased word (plural, -ing, -ed, final -e, -y -> -i)."""
    w = word
    if len(w) <= 3 or not w.isalpha():
        return w
    # plurals
    if (w.endswith("ies") and len(w) > 4) or w.endswith(("sses", "ches", "shes", "xes", "zzes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    # -ing / -ed (keep a stem of at least three letters that contains a vowel)
    if w.endswith("ing") and len(w) >= 6 and _has_vowel(w[:-3]):
        w = _undouble(w[:-3])
    elif w.endswith("ied") and len(w) > 4:
        w = w[:-2]
    elif w.endswith("eed"):
        pass
    elif w.endswith("ed") and len(w) >= 5 and _has_vowel(w[:-2]):
        w = _undouble(w[:-2])
    # final silent e ("make"/"making", "practice"/"practices") and consonant + y ("library"/"libraries")
    if w.endswith("e") and not w.endswith("ee") and len(w) >= 4:
        w = w[:-1]
    elif w.endswith("y") and len(w) >= 4 and w[-2] not in _VOWELS:
        w = w[:-1] + "i"
    return w


def tokenize_terms(text: str) -> list[str]:
    """Lowercased, stemmed content words of ``text`` (stopwords removed unless nothing else is left)."""
    words = _WORD_RE.findall(text.lower())
    terms = [stem(w) for w in words if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    if not terms:
        terms = [stem(w) for w in words]
    return terms


def _subject_terms(query: str) -> set[str]:
    """Terms the query names with a capital inside the sentence ('best practices for Python programming'): the
    subject of the question, which matters more than its generic words."""
    words = _WORD_RE.findall(query)
    return {stem(w.lower()) for i, w in enumerate(words) if i > 0 and w[:1].isupper() and w.lower() not in STOPWORDS}


def _score(query: str, passages: Sequence[str]) -> tuple[list[float], float]:
    """BM25 scores and the ideal score (sum of query-term IDFs); subject terms count double."""
    q_terms = list(dict.fromkeys(tokenize_terms(query)))
    subject = _subject_terms(query)
    if not passages:
        return [], 0.0
    docs = [Counter(tokenize_terms(p)) for p in passages]
    lengths = [sum(d.values()) for d in docs]
    avgdl = max(1.0, sum(lengths) / len(lengths))
    n_docs = len(docs) + PRIOR_DOCS
    idf: dict[str, float] = {}
    for t in q_terms:
        df = sum(1 for d in docs if t in d)
        idf[t] = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)) * (SUBJECT_WEIGHT if t in subject else 1.0)
    scores: list[float] = []
    for d, dl in zip(docs, lengths, strict=True):
        norm = K1 * (1.0 - B + B * dl / avgdl)
        s = 0.0
        for t in q_terms:
            tf = d.get(t, 0)
            if tf:
                s += idf[t] * tf * (K1 + 1.0) / (tf + norm)
        scores.append(s)
    return scores, sum(idf.values())


def bm25_scores(query: str, passages: Sequence[str]) -> list[float]:
    """Okapi BM25 score of every passage for ``query`` (0.0 when no query term occurs)."""
    return _score(query, passages)[0]


def _to_logit(coverage: float) -> float:
    return _SCALE * math.tanh(_SLOPE * (coverage - _THRESHOLD))


def logits(query: str, passages: Sequence[str]) -> list[float]:
    """NIM-style reranker logits: clearly positive for relevant passages, about -7.6 for unrelated ones."""
    scores, ideal = _score(query, passages)
    if ideal <= 0.0:
        return [_to_logit(0.0)] * len(scores)
    return [_to_logit(s / ideal) for s in scores]


def relevance_scores(query: str, passages: Sequence[str]) -> list[float]:
    """Relevance in [0, 1] (sigmoid of :func:`logits`), as in Cohere/Jina ``relevance_score``."""
    return [1.0 / (1.0 + math.exp(-x)) for x in logits(query, passages)]
