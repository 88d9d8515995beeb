"""Simulated content moderation: per-category scores for text and images, in OpenAI's omni-moderation shape.

Text is scored from an original lexicon (``data/moderation_lexicon.json``) in five steps:

1. Tokenise (lower-case words; ``'`` kept inside words) and suppress trigger words that sit next to a benign
   context word ("kill the process", "shoot a photo", "execute the script", "heart attack", ...).
2. Match terms (words, ``prefix*`` stems and phrases). Each term adds its weight to its category's evidence ``S``;
   repeats of the same term add geometrically less. Terms listed in ``needs_target`` ("shoot", "hurt", "hit", ...)
   count only when a person, self or group target follows within ``target_window`` words.
3. Detect relations (harm verb → person / self / group target, hostile verb → group) and whether an intent phrase
   ("I want to", "I'm going to", ...) comes just before the verb; then apply rules that add evidence to
   categories when features, word sets ("@howto", "@minors", ...) or categories co-occur.
4. Map evidence to a score ``S*m / (S*m + 0.3)`` where ``m`` grows with intensifiers, ``!`` and shouting: one term
   of weight above 0.3 crosses the default 0.5 threshold; more and stronger matches approach (never reach) 1.
5. Propagate subcategories to parents (``parent >= factor * child``) and add a deterministic background in
   [1e-6, 1e-4] derived from a hash of the text, so unmatched categories look like a real classifier's output.

Images cannot be inspected: ``score_image`` gives hash-derived scores in [1e-6, 1e-3] for the categories OpenAI
applies to images, raised when the URL or file name contains lexicon words ("gore.png"); data: URLs are never
read as words. Non-image categories are 0.0 there.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

CATEGORIES: tuple[str, ...] = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
#: Categories omni-moderation scores for image inputs (the rest apply to text only).
IMAGE_CATEGORIES: tuple[str, ...] = (
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "violence",
    "violence/graphic",
)
DEFAULT_THRESHOLD = 0.5

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_URL_SPLIT_RE = re.compile(r"[^A-Za-z0-9']+")
_SCALE = 0.3  # evidence giving a score of exactly 0.5
_REPEAT_DECAY = 0.6
_MAX_SCORE = 0.9995

_Word = tuple[str, bool]  # (text, is_prefix)


@dataclass(frozen=True, slots=True)
class _Entry:
    rest: tuple[_Word, ...]  # words after the first
    kind: str  # "cat" (category term) or "set" (member of a named word set)
    name: str
    weight: float
    key: str


def _word(w: str) -> _Word:
    return (w[:-1], True) if w.endswith("*") else (w, False)


def _fits(token: str, word: _Word) -> bool:
    return token.startswith(word[0]) if word[1] else token == word[0]


class _Lexicon:
    """The compiled lexicon: phrase index, benign contexts, relations, rules and propagation."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.exact: dict[str, list[_Entry]] = {}
        self.prefix: dict[str, list[_Entry]] = {}
        for cat, terms in raw["terms"].items():
            for phrase, weight in terms.items():
                self._add(phrase, "cat", cat, float(weight))
        for name, phrases in raw["sets"].items():
            for phrase in phrases:
                self._add(phrase, "set", name, 0.0)
        self.prefix_lens = tuple(sorted({len(p) for p in self.prefix}))
        self.needs_target = frozenset(raw["needs_target"])
        self.target_window = int(raw["target_window"])
        self.intent_window = int(raw["intent_window"])
        self.benign: dict[str, list[tuple[frozenset[str], int]]] = {}
        for rule in raw["benign"]:
            ctx = frozenset(rule["context"])
            for w in rule["words"]:
                self.benign.setdefault(w, []).append((ctx, int(rule["window"])))
        self.relations = [(r["name"], r["verbs"], r["targets"], int(r["window"])) for r in raw["relations"]]
        self.rules = [(tuple(r["if"]), tuple(r["add"].items())) for r in raw["rules"]]
        self.propagate = [(c, p, float(f)) for c, p, f in raw["propagate"]]

    def _add(self, phrase: str, kind: str, name: str, weight: float) -> None:
        words = [_word(w) for w in phrase.split()]
        entry = _Entry(tuple(words[1:]), kind, name, weight, phrase)
        first, is_prefix = words[0]
        (self.prefix if is_prefix else self.exact).setdefault(first, []).append(entry)

    def suppressed(self, tokens: list[str]) -> set[int]:
        out: set[int] = set()
        for i, tok in enumerate(tokens):
            for ctx, window in self.benign.get(tok, ()):
                lo, hi = max(0, i - window), i + window + 1
                if any(t in ctx for t in tokens[lo:i]) or any(t in ctx for t in tokens[i + 1 : hi]):
                    out.add(i)
                    break
        return out

    def matches(self, tokens: list[str], skip: set[int]) -> list[tuple[int, int, _Entry]]:
        found: list[tuple[int, int, _Entry]] = []
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if i in skip:
                continue
            candidates = list(self.exact.get(tok, ()))
            for length in self.prefix_lens:
                if length <= len(tok) and tok[:length] in self.prefix:
                    candidates.extend(self.prefix[tok[:length]])
            for e in candidates:
                end = i + 1 + len(e.rest)
                if end <= n and all(_fits(tokens[i + 1 + k], w) for k, w in enumerate(e.rest)):
                    found.append((i, end, e))
        return found


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    path = resources.files("fakeai.behaviors.sim") / "data" / "moderation_lexicon.json"
    return _Lexicon(json.loads(path.read_text(encoding="utf-8")))


def _background(text: str, lo_exp: float, span_exp: float) -> list[float]:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=2 * len(CATEGORIES)).digest()
    units = (int.from_bytes(digest[i : i + 2]) / 65535.0 for i in range(0, len(digest), 2))
    return [10.0 ** (lo_exp + span_exp * u) for u in units]


def _evidence(text: str) -> dict[str, float]:
    """Category → match score in [0, 1) before background (0.0 where nothing matched)."""
    lex = _lexicon()
    tokens = _TOKEN_RE.findall(text.lower().replace("\u2019", "'"))
    found = lex.matches(tokens, lex.suppressed(tokens))
    spans: dict[str, list[tuple[int, int]]] = {}
    for start, end, e in found:
        if e.kind == "set":
            spans.setdefault(e.name, []).append((start, end))
    target_starts = {s for name in ("person", "self", "groups") for s, _ in spans.get(name, ())}

    raw: dict[str, float] = dict.fromkeys(CATEGORIES, 0.0)
    seen: dict[tuple[str, str], int] = {}
    for _, end, e in found:
        if e.kind != "cat":
            continue
        if e.key in lex.needs_target and not any(end <= t < end + lex.target_window for t in target_starts):
            continue
        n = seen.get((e.name, e.key), 0)
        seen[(e.name, e.key)] = n + 1
        raw[e.name] += e.weight * _REPEAT_DECAY**n

    features: set[str] = set()
    intents = spans.get("intent", [])
    for name, verbs, targets, window in lex.relations:
        starts = [s for s, _ in spans.get(targets, ())]
        for vs, ve in spans.get(verbs, ()):
            if any(ve <= t < ve + window for t in starts):
                features.add(name)
                if any(b <= vs and vs - b <= lex.intent_window for _, b in intents):
                    features.add(name + "+intent")

    for conditions, additions in lex.rules:
        if all(
            (c[1:] in features) if c[0] == "#" else (c[1:] in spans) if c[0] == "@" else raw[c] > 0.0
            for c in conditions
        ):
            for cat, amount in additions:
                raw[cat] += amount

    boost = 1.0 + 0.15 * min(len(spans.get("intensifiers", ())), 3)
    boost += 0.1 if "!" in text else 0.0
    letters = [ch for ch in text if ch.isalpha()]
    boost += 0.1 if len(letters) >= 8 and sum(ch.isupper() for ch in letters) > 0.8 * len(letters) else 0.0
    scores = {c: (s * boost) / (s * boost + _SCALE) if s > 0.0 else 0.0 for c, s in raw.items()}
    for child, parent, factor in lex.propagate:
        scores[parent] = max(scores[parent], factor * scores[child])
    return scores


@lru_cache(maxsize=4096)
def _score_tuple(text: str) -> tuple[float, ...]:
    evidence = _evidence(text)
    background = _background(text, -6.0, 2.0)
    return tuple(min(_MAX_SCORE, evidence[c] + bg) for c, bg in zip(CATEGORIES, background, strict=True))


def score_text(text: str) -> dict[str, float]:
    """Every category's score in (0, 1) for ``text``: background ~1e-6..1e-4, above 0.5 where the lexicon matches."""
    return dict(zip(CATEGORIES, _score_tuple(text), strict=True))


def flags(scores: dict[str, float], thresholds: dict[str, float] | None = None) -> dict[str, bool]:
    """Category → flagged, for every category in ``scores``: score above its threshold (default 0.5)."""
    limits = thresholds or {}
    return {c: s > limits.get(c, DEFAULT_THRESHOLD) for c, s in scores.items()}


def score_image(url_or_data: str) -> dict[str, float]:
    """Scores for an image given by URL or data: URL; low and hash-derived unless the URL/filename has lexicon words.

    Every category is present; those outside ``IMAGE_CATEGORIES`` are 0.0.
    """
    background = dict(zip(CATEGORIES, _background(url_or_data, -6.0, 3.0), strict=True))
    evidence: dict[str, float] = {}
    if "://" in url_or_data[:16] and not url_or_data.startswith("data:"):
        parts = urlsplit(url_or_data)
        words = _URL_SPLIT_RE.sub(" ", unquote(f"{parts.netloc} {parts.path} {parts.query}"))
        evidence = _evidence(words)
    return {
        c: min(_MAX_SCORE, evidence.get(c, 0.0) + background[c]) if c in IMAGE_CATEGORIES else 0.0 for c in CATEGORIES
    }
