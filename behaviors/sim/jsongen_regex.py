"""JSON Schema ``pattern`` s: ECMA-262 → Python translation, a compiled-pattern cache, and a string generator.

The generator walks the parse tree of Python's own regex parser (``re._parser``) and emits a string the whole
pattern matches: literals as written, classes by a random member (ASCII, readable characters preferred),
repeats a few times, one branch of an alternation, back-references copied. Look-arounds are ignored, so the
caller re-checks the result (``search``) and falls back when it does not match.
"""

from __future__ import annotations

import random
import re
import re._parser as sre  # stdlib regex parser: gives the parse tree the generator walks
import string
from typing import Any

__all__ = ["compile_pattern", "generate_matching", "translate"]

_CACHE_LIMIT = 4096
_compiled: dict[str, re.Pattern[str] | None] = {}
_parsed: dict[str, Any] = {}
_NAMED_GROUP = re.compile(r"\(\?<(?![=!])")
_EMPTY_NEG_CLASS = re.compile(r"(?<!\\)\[\^\]")
_NAMED_BACKREF = re.compile(r"\\k<(\w+)>")
_POOL = string.ascii_letters + string.digits + " -_.,:/@#"
_READABLE = string.ascii_lowercase + string.digits
_UNBOUNDED_EXTRA = 6  # a `*`/`+` repeat emits at most this many more than its minimum


def translate(pattern: str) -> str:
    """An ECMA-262 pattern in Python syntax (named groups and back-references, ``[^]``); the rest is shared."""
    out = _NAMED_GROUP.sub("(?P<", pattern) if "(?<" in pattern else pattern
    out = _NAMED_BACKREF.sub(r"(?P=\1)", out) if "\\k<" in out else out
    return _EMPTY_NEG_CLASS.sub(r"[\\s\\S]", out) if "[^]" in out else out


def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """The compiled pattern (``search`` semantics, as JSON Schema uses), None when it is not a valid regex."""
    try:
        return _compiled[pattern]
    except KeyError:
        pass
    try:
        rx: re.Pattern[str] | None = re.compile(translate(pattern))
    except (re.error, OverflowError, RecursionError):
        rx = None
    if len(_compiled) >= _CACHE_LIMIT:
        _compiled.clear()
    _compiled[pattern] = rx
    return rx


def _tree(pattern: str) -> Any:
    try:
        return _parsed[pattern]
    except KeyError:
        pass
    try:
        tree: Any = sre.parse(translate(pattern))
    except (re.error, OverflowError, RecursionError):
        tree = None
    if len(_parsed) >= _CACHE_LIMIT:
        _parsed.clear()
    _parsed[pattern] = tree
    return tree


def _in_category(ch: str, cat: Any) -> bool:
    name = str(cat)
    if "DIGIT" in name:
        hit = ch.isdigit()
    elif "SPACE" in name:
        hit = ch.isspace()
    elif "WORD" in name:
        hit = ch.isalnum() or ch == "_"
    else:
        return False
    return not hit if "NOT" in name else hit


def _in_class(ch: str, items: Any) -> bool:
    negate = False
    hit = False
    code = ord(ch)
    for op, av in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            hit = hit or code == av
        elif op is sre.RANGE:
            hit = hit or av[0] <= code <= av[1]
        elif op is sre.CATEGORY:
            hit = hit or _in_category(ch, av)
    return hit != negate


def _class_char(items: Any, rng: random.Random) -> str:
    if items and items[0][0] is sre.NEGATE:
        pool = [c for c in _READABLE if _in_class(c, items)] or [c for c in _POOL if _in_class(c, items)]
        return rng.choice(pool) if pool else "~"
    weights = [1 if op is sre.LITERAL else av[1] - av[0] + 1 if op is sre.RANGE else 10 for op, av in items]
    op, av = rng.choices(items, weights)[0]
    if op is sre.LITERAL:
        return chr(av)
    if op is sre.RANGE:
        return chr(rng.randint(av[0], av[1]))
    return _category_char(av, rng)


def _category_char(cat: Any, rng: random.Random) -> str:
    pool = [c for c in _READABLE + " -_" if _in_category(c, cat)]
    return rng.choice(pool) if pool else "a"


def _emit(tree: Any, rng: random.Random, out: list[str], groups: dict[int, str], depth: int) -> None:
    if depth > 40:
        return
    for op, av in tree:
        if op is sre.LITERAL:
            out.append(chr(av))
        elif op is sre.NOT_LITERAL:
            out.append(rng.choice([c for c in _READABLE if ord(c) != av]))
        elif op is sre.ANY:
            out.append(rng.choice(_READABLE))
        elif op is sre.IN:
            out.append(_class_char(av, rng))
        elif op is sre.CATEGORY:
            out.append(_category_char(av, rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            top = lo + _UNBOUNDED_EXTRA if hi == sre.MAXREPEAT else min(hi, lo + _UNBOUNDED_EXTRA)
            for _ in range(rng.randint(lo, max(lo, top))):
                _emit(sub, rng, out, groups, depth + 1)
        elif op is sre.SUBPATTERN:
            group, sub = av[0], av[-1]
            start = len(out)
            _emit(sub, rng, out, groups, depth + 1)
            if group is not None:
                groups[group] = "".join(out[start:])
        elif op is sre.ATOMIC_GROUP:
            _emit(av, rng, out, groups, depth + 1)
        elif op is sre.BRANCH:
            _emit(rng.choice(av[1]), rng, out, groups, depth + 1)
        elif op is sre.GROUPREF:
            out.append(groups.get(av, ""))
        elif op is sre.GROUPREF_EXISTS:
            group, yes, no = av
            _emit(yes if group in groups or no is None else no, rng, out, groups, depth + 1)
        # AT (anchors), ASSERT and ASSERT_NOT emit nothing


def generate_matching(
    pattern: str, rng: random.Random, min_len: int = 0, max_len: int | None = None, tries: int = 8
) -> str | None:
    """A string that ``pattern`` matches (search semantics) with a length in [min_len, max_len], or None."""
    tree = _tree(pattern)
    rx = compile_pattern(pattern)
    if tree is None or rx is None:
        return None
    for _ in range(tries):
        out: list[str] = []
        _emit(tree, rng, out, {}, 0)
        text = "".join(out)
        if len(text) < min_len and not rx.pattern.endswith("$"):
            text += "x" * (min_len - len(text))  # an unanchored pattern still matches with a suffix
        if (max_len is None or len(text) <= max_len) and len(text) >= min_len and rx.search(text):
            return text
    return None
