"""Values that fit a property's meaning, drawn from the prompt: jsongen's semantic layer.

One :class:`Semantic` serves one ``generate`` call: it holds the prompt's facts, the rng, the caller's entity and
which prompt numbers are already used, and answers "a string / number / list of strings / enum member for a
property of concept C" (see :mod:`fakeai.behaviors.sim.jsongen_concepts`), or None when it has nothing better
than a structural value. Callers validate what it returns against the schema before using it.
"""

from __future__ import annotations

import random
from typing import Any

from fakeai.behaviors.sim.jsongen_entities import Place, load_jsongen_data
from fakeai.behaviors.sim.jsongen_enum import pick_member
from fakeai.behaviors.sim.jsongen_formats import generate_format, slug
from fakeai.behaviors.sim.jsongen_prompt import PromptFacts, Quantity

__all__ = ["Semantic"]

_DIMENSION = {"kg": ("w", 1.0), "g": ("w", 0.001), "lb": ("w", 0.45359237)}
_DIMENSION.update({"m": ("l", 1.0), "cm": ("l", 0.01), "mm": ("l", 0.001), "km": ("l", 1000.0)})
_DIMENSION.update({"ft": ("l", 0.3048), "in": ("l", 0.0254), "mi": ("l", 1609.344)})
_UNIT_NAMES = {"kgs": "kg", "kilograms": "kg", "grams": "g", "lbs": "lb", "pounds": "lb", "meters": "m"}
_UNIT_NAMES.update({"metres": "m", "miles": "mi", "feet": "ft", "inches": "in"})
_DEFAULTS = {"w": (70.0, "kg"), "l": (1.7, "m")}
_ANSWER_WORDS = frozenset({"answer", "result", "solution", "total", "value", "output", "final"})
_BARE_NAME = frozenset({"name"})
_TARGET_WORDS = frozenset({"to", "target", "dest", "destination", "into", "output"})
_NUMBER_CONCEPTS = frozenset({"age", "count", "money", "measure", "temperature", "percent", "rating", "year"})


def _round(x: float) -> int | float:
    x = round(x, 2)
    return int(x) if x.is_integer() else x


class Semantic:
    """Prompt-aware values for one generate call (not shared between threads)."""

    def __init__(self, facts: PromptFacts, rng: random.Random, entity: str | None) -> None:
        self.facts = facts
        self.rng = rng
        self.entity = entity
        self.used: set[int] = set()  # start offsets of prompt numbers already placed
        self.data = load_jsongen_data()
        ents = facts.entities
        place = self.data["city_index"].get(entity.lower()) if entity else None
        self.place: Place | None = place or (Place(entity) if entity else ents.places[0] if ents.places else None)
        self.owner = 0  # serial of the object whose properties are being filled (set by the generator)
        self.person_object = False  # that object describes a person (has age, email, occupation ... properties)
        self._people: dict[int, str] = {}  # the prompt's person fills one object; other objects get other names
        self._unclaimed = list(ents.persons[:1])
        self._norm = facts.normalized

    # ---- helpers ------------------------------------------------------------------------------------
    def topic(self) -> str:
        return self.facts.topic or self.rng.choice(self.data["generic_topics"])

    def person_name(self) -> str:
        name = self._people.get(self.owner)
        if name is None:
            if self._unclaimed:
                name = self._unclaimed.pop()
            else:
                name = f"{self.rng.choice(self.data['first_names'])} {self.rng.choice(self.data['last_names'])}"
            self._people[self.owner] = name
        return name

    def place_text(self, place: Place | None, description: str) -> str:
        if place is None:
            row = self.rng.choice(self.data["cities"])
            place = Place(row[0], row[1], row[2], row[3], row[4])
            self.place = place
        desc = description.lower()
        if "state" in desc and place.state:
            return f"{place.name}, {place.state}"
        if ("country" in desc or "state" in desc) and place.country and place.country != place.name:
            return f"{place.name}, {place.country}"
        return place.name

    def _quantity(self, want: Any) -> Quantity | None:
        for q in self.facts.quantities:
            if q.start not in self.used and want(q):
                self.used.add(q.start)
                return q
        return None

    def sentence(self, toks: frozenset[str] = frozenset()) -> str:
        f = self.facts
        if f.math_steps and toks & _ANSWER_WORDS:
            return f.math_steps[-1]
        if f.entities.persons and f.occupation:
            age = next((q.value for q in f.quantities if q.unit == "year"), None)
            art = "an" if f.occupation[0] in "aeiou" else "a"
            text = f"{self.person_name()} is {art} {f.occupation}" if age is None else ""
            art = "an" if str(age).startswith("8") or age in (11, 18) else "a"
            text = text or f"{self.person_name()} is {art} {age}-year-old {f.occupation}"
            likes = f.interests or f.skills
            return text + (f" who enjoys {' and '.join(likes[:2])}." if likes else ".")
        topic = self.topic()
        template = self.rng.choice(self.data["sentences"])
        return template.replace("{T}", topic[:1].upper() + topic[1:]).replace("{t}", topic)

    # ---- values -------------------------------------------------------------------------------------
    def string(self, concept: str, toks: frozenset[str], description: str) -> str | None:
        f, rng, ents = self.facts, self.rng, self.facts.entities
        if concept == "place":
            return self.place_text(self.place, description)
        if concept in ("origin", "destination"):
            named = ents.origin if concept == "origin" else ents.destination
            if named:
                return self.place_text(self.data["city_index"].get(named.lower()) or Place(named), description)
            idx = 0 if concept == "origin" else 1
            return self.place_text(ents.places[idx] if len(ents.places) > idx else None, description)
        if concept == "country":
            return self.place.country if self.place and self.place.country else rng.choice(self.data["countries"])
        if concept == "state":
            return self.place.state if self.place and self.place.state else rng.choice(self.data["us_states"].split())
        if concept == "address":
            street = f"{rng.randrange(10, 999)} {rng.choice(self.data['streets'])}"
            return street if "street" in toks else f"{street}, {self.place_text(self.place, '')}"
        if concept == "zip":
            return f"{rng.randrange(10000, 99999)}"
        if concept == "person" and toks == _BARE_NAME and not self.person_object and not ents.persons:
            return self.string("title", toks, description)  # a recipe's, product's, project's name
        if concept in _NUMBER_CONCEPTS:
            got = self.number(concept, toks, True)
            return None if got is None else str(got)
        if concept in ("person", "first_name", "last_name", "username"):
            name = self.person_name()
            if concept == "first_name":
                return name.split()[0]
            if concept == "last_name":
                return name.split()[-1] if " " in name else rng.choice(self.data["last_names"])
            return slug(name, "_") if concept == "username" else name
        if concept == "email":
            return f.emails[0] if f.emails else generate_format("email", rng, person=self.person_name())
        if concept == "phone":
            return f"+1-555-01{rng.randrange(100):02d}"
        if concept == "url":
            return f.urls[0] if f.urls else generate_format("uri", rng, hint=self.topic())
        if concept == "uuid":
            return generate_format("uuid", rng)
        if concept == "id":
            return f"{rng.getrandbits(32):08x}"
        if concept == "symbol":
            return f.tickers[0] if f.tickers else rng.choice(sorted(set(self.data["companies"].values())))
        second = bool(toks & _TARGET_WORDS)
        if concept == "currency":
            return f.currencies[second] if len(f.currencies) > second else "USD" if not second else "EUR"
        if concept == "language":
            langs = ents.languages
            if toks & {"source", "from", "original"} and len(langs) < 2:
                lang = "English"
            else:
                lang = langs[min(int(second), len(langs) - 1)] if langs else "English"
            return self.data["languages"].get(lang, "en") if toks & {"code", "iso", "locale"} else lang
        if concept == "filename":
            return (slug(self.topic(), "_") or "document") + ".txt"
        if concept == "company":
            ranked = (*ents.companies, *ents.proper)
            return ranked[0] if ranked else rng.choice(sorted(self.data["companies"]))
        if concept == "title":
            return " ".join(w[:1].upper() + w[1:] for w in self.topic().split())
        if concept == "occupation":
            return f.occupation or rng.choice(self.data["occupations"])
        if concept in ("topic", "keywords"):
            return self.topic()
        if concept == "query":
            words = f.keywords[:1] if f.keywords and len(f.keywords[0].split()) > 2 else f.keywords[:2]
            return " ".join(words) or self.topic()
        if concept == "text":
            return f.quoted[0] if f.quoted else " ".join(f.keywords[:3]) or self.topic()
        if concept == "sentence":
            return self.sentence(toks)
        if concept in ("date", "datetime", "time"):
            if f.dates and concept != "time":
                return f.dates[0] + ("T09:00:00Z" if concept == "datetime" else "")
            return generate_format({"datetime": "date-time"}.get(concept, concept), rng)
        if concept == "color":
            found = [c for c in self.data["colors"] if f" {c} " in self._norm]
            return found[0] if found else rng.choice(self.data["colors"])
        if concept == "sentiment":
            return f.sentiment
        if concept == "unit":
            return "fahrenheit" if self.place and self.place.state else "celsius"
        if concept == "age":
            return str(self.number("age", toks, True))
        return None

    def for_format(self, fmt: str) -> tuple[str, ...]:
        """Values of format ``fmt`` that the prompt itself contains (e-mail addresses, URLs, dates)."""
        f = self.facts
        if fmt in ("email", "idn-email"):
            return f.emails
        if fmt in ("uri", "iri", "url", "uri-reference", "iri-reference"):
            return f.urls
        if fmt == "date":
            return f.dates
        if fmt == "date-time":
            return tuple(d + "T09:00:00Z" for d in f.dates)
        return ()

    def number(self, concept: str, toks: frozenset[str], integer: bool) -> int | float | None:
        f, rng = self.facts, self.rng
        if toks & _ANSWER_WORDS and f.math_answer is not None:
            return f.math_answer
        if concept in ("", "count", "measure") or concept in _NUMBER_CONCEPTS:
            q = self._quantity(lambda q: len(q.unit) > 1 and q.unit in toks)  # "45 minutes" -> duration_minutes
            if q is not None:
                return q.value
        if not concept:
            return None
        if concept == "age":
            q = self._quantity(lambda q: q.unit == "year")
            return q.value if q else rng.randrange(22, 66)
        if concept == "measure":
            return self._measure(toks)
        if concept == "money":
            q = self._quantity(lambda q: q.unit.isupper() and len(q.unit) == 3)
            return q.value if q else _round(rng.uniform(5, 500))
        if concept == "temperature":
            q = self._quantity(lambda q: q.unit in ("c", "f"))
            return q.value if q else rng.randrange(12, 31)
        if concept == "percent":
            q = self._quantity(lambda q: q.unit == "%")
            return q.value if q else rng.randrange(5, 96)
        if concept == "rating":
            return rng.randrange(3, 6)
        if concept in ("count", "person"):
            q = self._quantity(lambda q: q.unit and q.unit in toks) or self._quantity(
                lambda q: q.unit in ("", "day") and isinstance(q.value, int) and 0 < q.value < 1000
            )
            return q.value if q else rng.randrange(1, 11)
        if concept == "year":
            q = self._quantity(lambda q: isinstance(q.value, int) and 1900 <= q.value <= 2100)
            return q.value if q else 2024 + rng.randrange(3)
        if concept == "month":
            return rng.randrange(1, 13)
        if concept in ("date", "day"):
            return rng.randrange(1, 29)
        if concept in ("lat", "lon"):
            if self.place and self.place.lat is not None and self.place.lon is not None:
                return self.place.lat if concept == "lat" else self.place.lon
            return round(rng.uniform(-60, 60), 4) if concept == "lat" else round(rng.uniform(-150, 150), 4)
        if concept == "generic":
            q = self._quantity(lambda q: True)
            return q.value if q else None
        return None

    def _measure(self, toks: frozenset[str]) -> int | float:
        unit = next((_UNIT_NAMES.get(t, t) for t in sorted(toks) if _UNIT_NAMES.get(t, t) in _DIMENSION), "")
        if unit:
            dim, scale = _DIMENSION[unit]
        else:
            dim = "w" if toks & {"weight", "mass"} else "l"
            unit, scale = _DEFAULTS[dim][1], 1.0
        q = self._quantity(lambda q: q.unit == unit) or self._quantity(
            lambda q: q.unit in _DIMENSION and _DIMENSION[q.unit][0] == dim
        )
        if q is not None:
            return _round(q.value * _DIMENSION[q.unit][1] / scale) if q.unit != unit else q.value
        base, base_unit = _DEFAULTS[dim]
        return _round(base * (0.85 + 0.3 * self.rng.random()) * _DIMENSION[base_unit][1] / scale)

    def strings(self, concept: str, toks: frozenset[str]) -> list[str] | None:
        """A list of strings for an array property of this concept (None: nothing fitting)."""
        f, data, rng = self.facts, self.data, self.rng
        if concept == "skills":
            if f.skills:
                return list(f.skills)
            occ = f.occupation
            known = data["occupation_skills"].get(occ) or data["occupation_skills"].get(occ.split()[-1] if occ else "")
            return list(known or rng.sample(data["generic_skills"], 3))
        if concept == "interests":
            return list(f.interests) if f.interests else rng.sample(data["generic_interests"], 3)
        if concept == "keywords":
            return [k for k in f.keywords[:4]] or None
        if concept == "steps":
            if f.math_steps:
                return list(f.math_steps)
            topic = self.topic()
            picks = sorted(rng.sample(range(len(data["steps"])), 3))
            return [data["steps"][i].replace("{t}", topic) for i in picks]
        if concept in ("place", "destination") and f.entities.places:
            return [p.name for p in f.entities.places]
        if concept == "person" and f.entities.persons:
            return list(f.entities.persons)
        if concept == "symbol" and f.tickers:
            return list(f.tickers)
        return None

    def pick(self, values: list[Any], concept: str) -> Any:
        """The enum member the prompt points at (mentioned, or a sensible unit), else a random one."""
        return pick_member(values, concept, self.facts, bool(self.place and self.place.state), self.rng)
