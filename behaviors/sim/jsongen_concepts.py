"""What a JSON property is about, from its name (and, failing that, its description): jsongen's "concepts".

``concept("weight_kg")`` is ``"measure"``, ``concept("fullName")`` is ``"person"``, ``concept("cities")`` is
``"place"``; :mod:`fakeai.behaviors.sim.jsongen_semantic` turns a concept plus the prompt's facts into a value.
Names are split on ``_``, ``-``, spaces and camelCase, and plural words also count as their singular.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["UNIT_WORDS", "concept", "name_tokens"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SPLIT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
UNIT_WORDS = _words("kg kgs g lb lbs m cm mm km ft in mi meters metres kilograms pounds grams miles feet inches")


@lru_cache(maxsize=4096)
def name_tokens(name: str) -> frozenset[str]:
    """Lower-case words of a property name, plural words with their singular added."""
    words = [w.lower() for w in _SPLIT.findall(name)]
    out = set(words)
    for w in words:
        if w.endswith("ies") and len(w) > 4:
            out.add(w[:-3] + "y")
        elif w.endswith("es") and w[-3:-2] in ("s", "x", "h"):
            out.add(w[:-2])
        elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
            out.add(w[:-1])
    if len(words) == 1 and name.lower() != words[0]:
        out.add(name.lower())
    return frozenset(out)


# (concept, words any of which in the name gives the concept), tried in order
_RULES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (c, frozenset(words.split()))
    for c, words in (
        ("email", "email mail"),
        ("phone", "phone telephone mobile tel"),
        ("url", "url uri link website homepage href webpage"),
        ("uuid", "uuid guid"),
        ("symbol", "ticker symbol"),
        ("currency", "currency"),
        ("language", "lang language locale"),
        ("lat", "lat latitude"),
        ("lon", "lon lng longitude"),
        ("zip", "zip postal postcode zipcode"),
        ("address", "address street"),
        ("country", "country nation"),
        ("origin", "origin departure from"),
        ("destination", "destination arrival dest"),
        ("place", "location city place town where venue region area locality airport"),
        ("state", "state province"),
        ("first_name", "first given firstname"),
        ("last_name", "last family surname lastname"),
        ("username", "username handle login"),
        ("filename", "file filename path filepath"),
        ("company", "company organization organisation org employer business brand firm"),
        ("title", "product item project app event book song movie team recipe dish pet"),
    )
)
_PERSON = _words(
    "name fullname person author customer contact recipient sender assignee owner employee student patient "
    "attendee guest user client candidate speaker friend participant people who"
)
_LATE_RULES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (c, frozenset(words.split()))
    for c, words in (
        ("age", "age"),
        ("occupation", "occupation job profession career position role"),
        ("title", "title headline heading subject"),
        ("skills", "skill skills competencies expertise abilities"),
        ("interests", "hobby hobbies interest interests likes activities passions"),
        ("keywords", "tag tags keyword keywords topics categories labels terms themes"),
        ("steps", "step steps instructions procedure actions plan"),
        ("measure", "weight mass height length distance width depth"),
        ("money", "price cost amount total budget salary fee payment balance income revenue spend spent paid"),
        ("temperature", "temperature temp"),
        ("percent", "percent percentage pct rate ratio probability confidence likelihood share"),
        ("rating", "rating score stars grade rank"),
        ("count", "count num number quantity qty limit max top n k size days nights guests people"),
        ("query", "query search q question prompt input lookup"),
        ("topic", "topic theme category genre"),
        ("text", "text"),
        (
            "sentence",
            "answer result summary description explanation reasoning response reply note notes comment comments "
            "message content body "
            "feedback bio details reason analysis conclusion output overview rationale justification thought "
            "thoughts review caption solution final verdict",
        ),
        ("datetime", "datetime timestamp at"),
        ("date", "date day birthday dob deadline due when start end checkin checkout"),
        ("time", "time hour"),
        ("unit", "unit units scale system"),
        ("sentiment", "sentiment mood emotion tone feeling"),
        ("color", "color colour"),
        ("year", "year"),
        ("month", "month"),
        ("generic", "a b c x y z operand value first second left right lhs rhs dividend divisor base exponent"),
        ("id", "id identifier key"),
    )
)
_DESC_CONCEPTS = ("place", "email", "url", "symbol", "occupation", "country", "language", "date")
_TIME_WORDS = {"datetime": "datetime", "timestamp": "datetime", "date": "date", "time": "time"}


def _match(toks: frozenset[str], rules: tuple[tuple[str, frozenset[str]], ...]) -> str:
    for name, words in rules:
        if toks & words:
            return name
    return ""


@lru_cache(maxsize=4096)
def concept(name: str, description: str = "") -> str:
    """The concept of property ``name`` ("" when nothing fits)."""
    toks = name_tokens(name)
    if "id" in toks and len(toks) > 1 and name.lower().endswith("id") and not toks & {"uuid", "guid"}:
        return "id"  # user_id, orderId
    if toks & {"unit", "units"}:
        return "unit"
    for word, kind in _TIME_WORDS.items():
        if word in toks:
            return kind
    if name.lower() == "stock":
        return "symbol"
    found = _match(toks, _RULES)
    if found:
        return found
    if toks & UNIT_WORDS and not toks & {"name"}:
        return "measure"
    if toks & _PERSON:
        return "person"
    found = _match(toks, _LATE_RULES)
    if found or not description:
        return found
    head = frozenset(w.lower().strip(".,:;()") for w in description.split()[:8])
    for wanted in _DESC_CONCEPTS:
        for c, words in (*_RULES, *_LATE_RULES):
            if c == wanted and head & words:
                return c
    return "person" if head & {"name", "person"} else ""
