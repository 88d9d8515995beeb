"""Named things in a prompt for jsongen: people, places, companies, languages (capitalised word runs).

A run of capitalised words ("John Doe", "San Francisco", "New York") is classified by the word lists in
``data/jsongen.json`` (cities, countries, companies, languages, first and last names) and by its neighbours:
"named"/"called"/"I'm" before it or "works"/"loves"/"is" after it make a person; "in"/"at"/"to"/"from"/"near"
before it, or being listed right after a place ("New York, London, and Tokyo"), make a place. A US city followed
by ", CA" keeps its state.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from fakeai.behaviors.sim.textgen_templates import load_data as load_textgen_data

__all__ = ["Entities", "Place", "find_entities", "load_jsongen_data"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class Place:
    name: str  # as written in the prompt ("San Francisco")
    country: str = ""
    state: str = ""  # US state code when known
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Entities:
    persons: tuple[str, ...]
    places: tuple[Place, ...]
    origin: str  # "from X to Y" places ("" when not said)
    destination: str
    companies: tuple[str, ...]
    languages: tuple[str, ...]
    proper: tuple[str, ...]  # other capitalised runs inside a sentence


@cache
def load_jsongen_data() -> dict[str, Any]:
    """``data/jsongen.json`` with lookup tables added (loaded once)."""
    text = (resources.files("fakeai.behaviors.sim") / "data" / "jsongen.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    data["city_index"] = {row[0].lower(): Place(row[0], row[1], row[2], row[3], row[4]) for row in data["cities"]}
    data["country_set"] = frozenset(c.lower() for c in data["countries"])
    data["state_set"] = frozenset(data["us_states"].split())
    data["first_set"] = frozenset(data["first_names"])
    data["last_set"] = frozenset(data["last_names"])
    data["occupation_set"] = frozenset(data["occupations"])
    data["acronym_set"] = frozenset(data["acronyms"])
    data["stopwords"] = load_textgen_data()["stopwords"]
    return data


_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_JOINERS = frozenset({"de", "da", "del", "of", "van", "von", "la", "le", "du", "al"})
_PERSON_BEFORE = frozenset({"named", "called", "i'm", "im", "meet", "by", "mr", "mrs", "ms", "dr", "dear", "with"})
_PERSON_AFTER = _words(
    "works work worked is was lives lived loves likes enjoys has had said says wants needs who wrote "
    "studies teaches joined earns weighs"
)
_PLACE_BEFORE = _words("in at to from near visit visiting around between towards into via")
_SKIP = _words(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may june july august "
    "september october november december i i'm extract calculate compute convert search translate book send "
    "schedule please hi hello hey thanks find"
)
_LIST_GAP = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s*)$")
_STATE_AFTER = re.compile(r"^,\s*([A-Z]{2})\b")


def _runs(text: str) -> list[tuple[list[str], int, int, bool]]:
    """(words, start, end, at_sentence_start) of each run of capitalised words ("Rio de Janeiro" is one run)."""
    out: list[tuple[list[str], int, int, bool]] = []
    run: list[tuple[str, int, int]] = []
    joiner: list[tuple[str, int, int]] = []

    def flush() -> None:
        if run:
            before = text[: run[0][1]].rstrip()
            at_start = not before or before[-1] in '.!?:;\n"“(-'
            out.append(([w for w, _, _ in run], run[0][1], run[-1][2], at_start))

    for m in _WORD.finditer(text):
        w = m.group()
        if run:
            if text[(joiner or run)[-1][2] : m.start()] == " ":
                if w[0].isupper():
                    run += [*joiner, (w, m.start(), m.end())]
                    joiner = []
                    continue
                if w.lower() in _JOINERS and not joiner:
                    joiner = [(w, m.start(), m.end())]
                    continue
            flush()
            run, joiner = [], []
        if w[0].isupper():
            run = [(w, m.start(), m.end())]
    flush()
    return out


def _strip_possessive(word: str) -> str:
    return word[:-2] if word.endswith(("'s", "’s")) else word


def find_entities(text: str) -> Entities:
    """People, places, companies, languages and other proper nouns of ``text``, in order of appearance."""
    data = load_jsongen_data()
    cities, companies, languages = data["city_index"], data["companies"], data["languages"]
    stop, first_names, last_names = data["stopwords"], data["first_set"], data["last_set"]
    persons: list[str] = []
    places: list[Place] = []
    found_companies: list[str] = []
    found_languages: list[str] = []
    proper: list[str] = []
    last_kind, last_end, skip_to = "", -10, 0
    origin = destination = ""
    for words, start, end, sentence_start in _runs(text):
        words = [*words[:-1], _strip_possessive(words[-1])]
        if start < skip_to:
            continue
        while (
            " ".join(words).lower() not in cities
            and words
            and (words[0].lower() in stop or words[0].lower() in _SKIP)
            and words[0] not in first_names
        ):
            words = words[1:]
        first = words[0] if words else ""
        known = first in first_names or first in companies or first.lower() in data["country_set"]
        if sentence_start and len(words) > 1 and " ".join(words).lower() not in cities and not known:
            words = words[1:]  # "Invite Alice": the capital of a sentence's first word says nothing
        if not words:
            continue
        name = " ".join(words)
        low = name.lower()
        prev = text[:start].split()
        prev_word = prev[-1].lower().strip(",:;") if prev and not text[:start].rstrip().endswith((":", ",")) else ""
        next_word = (text[end:].split() or [""])[0].lower().strip(",.;:!?")
        kind = ""
        if low in cities or low in data["country_set"]:
            kind = "place"
        elif name in companies:
            kind = "company"
        elif name in languages:
            kind = "language"
        elif prev_word in _PERSON_BEFORE or words[0] in first_names or words[-1] in last_names:
            kind = "person"
        elif prev_word in _PLACE_BEFORE or (last_kind == "place" and _LIST_GAP.match(text[last_end:start])):
            kind = "place"
        elif next_word in _PERSON_AFTER and len(words) <= 3:
            kind = "person"
        elif not sentence_start and not (len(words) == 1 and name.upper() == name and name in data["acronym_set"]):
            kind = "proper"
        if kind == "place":
            place = cities.get(low) or Place(name)
            m = _STATE_AFTER.match(text[end:])
            if m and m.group(1) in data["state_set"]:
                place = Place(place.name, "United States", m.group(1), place.lat, place.lon)
                skip_to = end + m.end()
            if prev_word == "from":
                origin = origin or place.name
            elif prev_word in ("to", "towards", "into"):
                destination = destination or place.name
            if all(p.name != place.name for p in places):
                places.append(place)
        elif kind == "person" and name not in persons:
            persons.append(name)
        elif kind == "company" and name not in found_companies:
            found_companies.append(name)
        elif kind == "language" and name not in found_languages:
            found_languages.append(name)
        elif kind == "proper" and name not in proper:
            proper.append(name)
        last_kind, last_end = kind, end
    return Entities(
        tuple(persons),
        tuple(places),
        origin,
        destination,
        tuple(found_companies),
        tuple(found_languages),
        tuple(proper),
    )
