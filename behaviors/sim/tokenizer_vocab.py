"""Builds the vocabulary of :mod:`fakeai.behaviors.sim.tokenizer` from its hand-written data files.

``data/tokenizer_words.txt`` holds English words by section: ``plain`` words are used as they are,
``nouns`` also get a plural, ``verbs`` -s/-ed/-ing forms, ``adjectives`` an -ly adverb, ``upper`` marks
words that are often written in capitals (SQL, acronyms); ``fragments`` are subword pieces.
``data/tokenizer_symbols.txt`` holds punctuation tokens. Everything else (case forms, digit groups,
whitespace runs, word starts/ends) is generated here, in a fixed order, so ids are stable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["LEADS", "STRONG_LEADS", "Vocabulary", "build_vocabulary"]

# symbols that merge with a following word into one token: always (STRONG) or for common words only
STRONG_LEADS = "._(\t"
LEADS = STRONG_LEADS + "-/=$,[:"

_PAIR_CHARS = "\"'()[]{};:,.=<>/"  # every two of these make one token (as in real BPE, mostly)
_ESCAPES = {"\\s": " ", "\\n": "\n", "\\t": "\t", "\\r": "\r", "\\\\": "\\"}
_ESCAPE_RE = re.compile(r"\\[sntr\\]")
_FRAG_MIN, _FRAG_MAX = 3, 8  # lengths of the word starts / ends taken as subword pieces
_CAP_MAX_LEN = 5  # any word this short also has a Capitalised form without a space
_UPPER_MAX_LEN = 4  # any entry this short also has an UPPER form
_MAX_SPACES = 79
_MAX_RUN = 16  # longest run of newlines / tabs that is one token


@dataclass(frozen=True)
class Vocabulary:
    table: list[str]  # explicit tokens; index = id
    ids: dict[str, int]  # token -> id (first id when a string occurs twice)
    words: list[str]  # whole words (lowercase); with a lead symbol they form computed-id tokens
    forms: dict[str, int]  # case form of a word -> 3 * word index + case (0 lower, 1 Capitalised, 2 UPPER)
    core: list[bool]  # per word: common enough to merge with a weak lead symbol
    max_letters: int  # longest letter entry
    max_symbols: int  # longest non-letter entry (short of whitespace runs)


def _plural(w: str) -> str:
    if w.endswith(("s", "x", "z", "ch", "sh")):
        return w + "es"
    if len(w) > 1 and w[-1] == "y" and w[-2] not in "aeiou":
        return w[:-1] + "ies"
    return w + "s"


def _third_person(w: str) -> str:
    if len(w) > 1 and w[-1] == "o" and w[-2] not in "aeiou":
        return w + "es"  # go -> goes
    return _plural(w)


def _verb_forms(w: str) -> list[str]:
    """-s, -ed, -ing, and the agent noun in -er (with its plural)."""
    forms = [_third_person(w)]
    if w.endswith("ie"):
        forms += [w + "d", w[:-2] + "ying", w + "r"]
    elif w.endswith("ee"):
        forms += [w + "d", w + "ing", w + "r"]
    elif w.endswith("e"):
        forms += [w + "d", w[:-1] + "ing", w + "r"]
    elif len(w) > 1 and w[-1] == "y" and w[-2] not in "aeiou":
        forms += [w[:-1] + "ied", w + "ing", w[:-1] + "ier"]
    elif 3 <= len(w) <= 4 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
        forms += [w + w[-1] + "ed", w + w[-1] + "ing", w + w[-1] + "er"]  # stop -> stopped
    else:
        forms += [w + "ed", w + "ing", w + "er"]
    forms.append(forms[-1] + "s")
    if w.endswith("ate"):
        forms += [w[:-1] + "ion", w[:-1] + "ions"]
    elif w.endswith("ize"):
        forms += [w[:-1] + "ation", w[:-1] + "ations"]
    elif w.endswith(("ment", "ct", "ss", "st")):
        forms += [w + "ion", w + "ions"]
    elif len(w) > 3 and w[-1] not in "aeiouy":
        forms += [w + "ment", w + "ments"]
    return forms


def _adverb(w: str) -> str:
    if w.endswith("le") and len(w) > 3:
        return w[:-1] + "y"
    if w.endswith("y") and len(w) > 3:
        return w[:-1] + "ily"
    if w.endswith("ic"):
        return w + "ally"
    if w.endswith("ll"):
        return w + "y"
    return w + "ly"


def _read(name: str) -> str:
    return (resources.files("fakeai.behaviors.sim") / "data" / name).read_text(encoding="utf-8")


def parse_words(text: str) -> tuple[dict[str, str], list[str]]:
    """(word -> section of its first occurrence, with generated forms; fragments) in file order."""
    words: dict[str, str] = {}
    fragments: dict[str, None] = {}
    section = "plain"
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        if line.startswith("#"):
            continue
        for w in line.split():
            if not w.isalpha():
                continue
            if section == "fragments":
                fragments[w] = None
                continue
            forms = [w]
            if section == "nouns":
                forms.append(_plural(w))
            elif section == "verbs":
                forms += _verb_forms(w)
            elif section == "adjectives":
                forms.append(_adverb(w))
            for f in forms:
                if f not in words or (section == "upper" and words[f] != "plain"):
                    words[f] = section if f == w or section == "upper" else words.get(f, section)
    return words, list(fragments)


def parse_symbols(text: str) -> list[str]:
    out: dict[str, None] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("# "):
            continue
        for item in line.split(" "):
            if item:
                out[_ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], item)] = None
    return list(out)


def _cap(w: str) -> str:
    return w[:1].upper() + w[1:]


@cache
def build_vocabulary() -> Vocabulary:
    """The vocabulary from the data files (built once per process; treat it as read-only)."""
    words, fragments = parse_words(_read("tokenizer_words.txt"))
    symbols = parse_symbols(_read("tokenizer_symbols.txt"))
    table: list[str] = []
    word_list = list(words)
    for w in word_list:
        common = words[w] in ("plain", "upper") or w.endswith(("ly", "ing"))
        # a Capitalised word with no space before (a line or paragraph start) is one token if it is common
        table += [w, " " + w, _cap(w) if common or len(w) <= _CAP_MAX_LEN else w, " " + _cap(w)]
        if len(w) <= _UPPER_MAX_LEN or common:
            table += [w.upper(), " " + w.upper()]
    n_letters_end = len(table)
    table += symbols
    pairs = [a + b for a in _PAIR_CHARS for b in _PAIR_CHARS]
    symbols += [p for p in pairs if p not in set(symbols)]
    table += [s + "\n" for s in symbols if len(s) <= 3 and "\n" not in s]
    table += [s + "\n\n" for s in symbols if len(s) <= 2 and "\n" not in s]
    table += [str(i) for i in range(10)] + [f"{i:02d}" for i in range(100)] + [f"{i:03d}" for i in range(1000)]
    table += [str(i) for i in range(10, 1000)]
    table += [" " * n for n in range(1, _MAX_SPACES + 1)]
    table += ["\t" * n for n in range(1, _MAX_RUN + 1)]
    for nl in ("\n", "\r\n"):
        table += [nl * n for n in range(1, _MAX_RUN + 1)]
        table += [" " + nl, "  " + nl, "\t" + nl, " " + nl * 2, nl + " ", nl + "\t"]
    n_symbols_end = len(table)
    # word starts and word ends seen in the list stand in for BPE's subword merges
    starts: dict[str, None] = dict.fromkeys(fragments)
    ends: dict[str, None] = {}
    for w in word_list:
        for k in range(_FRAG_MIN, min(len(w), _FRAG_MAX + 1)):
            starts[w[:k]] = None
            ends[w[-k:]] = None
    known = set(table)
    for f in starts:
        table += [x for x in (f, " " + f, _cap(f), " " + _cap(f)) if x not in known]
        if len(f) <= _UPPER_MAX_LEN and f.upper() not in known:
            table.append(f.upper())
    table += [f for f in ends if f not in known and f not in starts]

    ids: dict[str, int] = {}
    for i, s in enumerate(table):
        ids.setdefault(s, i)
    forms: dict[str, int] = {}
    for k, w in enumerate(word_list):
        for case, f in enumerate((w, _cap(w), w.upper())):
            forms.setdefault(f, 3 * k + case)
    letters = table[:n_letters_end] + table[n_symbols_end:]
    return Vocabulary(
        table=table,
        ids=ids,
        words=word_list,
        forms=forms,
        core=[words[w] in ("plain", "upper") for w in word_list],
        max_letters=max(len(s) for s in letters),
        max_symbols=max(len(s) for s in table[n_letters_end:n_symbols_end] if s.strip(" \t") != ""),
    )
