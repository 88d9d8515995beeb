"""What a prompt says, read once for jsongen: the facts that fill a tool call's or a structured output's fields.

:func:`prompt_facts` (cached per prompt) collects keywords (:func:`pick_keywords`), the named things of
:mod:`fakeai.behaviors.sim.jsongen_entities`, numbers with their units ("1.75m", "70kg", "28 years old",
"$40"), an occupation ("works as a teacher", "a software engineer named Alice"), liked things ("loves reading
and hiking"), skills, ticker symbols, e-mail addresses, URLs, dates, quoted text, currency codes, the sentiment,
and a worked answer to simple arithmetic or a linear equation ("8x + 7 = -23").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from fakeai.behaviors.sim.jsongen_entities import Entities, find_entities, load_jsongen_data
from fakeai.behaviors.sim.jsongen_math import solve
from fakeai.behaviors.sim.textgen_topic import excerpt, pick_keywords

__all__ = ["PromptFacts", "Quantity", "prompt_facts"]


def _split(text: str) -> list[str]:
    return text.split()


_CACHE_LIMIT = 2048


@dataclass(frozen=True)
class Quantity:
    value: int | float
    unit: str  # normalised: kg, g, lb, m, cm, mm, km, ft, in, mi, year, month, week, day, hour, minute, second,
    # %, c, f, a currency code, or the (lower-cased) noun after the number ("results"), "" when bare
    start: int


@dataclass(frozen=True)
class PromptFacts:
    text: str
    normalized: str  # lower-cased words joined by single spaces, with a space at each end
    keywords: tuple[str, ...]
    topic: str
    entities: Entities
    quantities: tuple[Quantity, ...]
    occupation: str
    interests: tuple[str, ...]
    skills: tuple[str, ...]
    tickers: tuple[str, ...]
    emails: tuple[str, ...]
    urls: tuple[str, ...]
    dates: tuple[str, ...]  # ISO yyyy-mm-dd
    quoted: tuple[str, ...]
    currencies: tuple[str, ...]
    sentiment: str  # positive, negative or neutral
    math_answer: float | int | None
    math_steps: tuple[str, ...]


_UNITS = {
    **dict.fromkeys(_split("kg kgs kilogram kilograms kilo kilos"), "kg"),
    **dict.fromkeys(_split("g gram grams"), "g"),
    **dict.fromkeys(_split("lb lbs pound pounds"), "lb"),
    **dict.fromkeys(_split("m meter meters metre metres"), "m"),
    **dict.fromkeys(_split("cm centimeter centimeters centimetre centimetres"), "cm"),
    **dict.fromkeys(_split("mm millimeter millimeters"), "mm"),
    **dict.fromkeys(_split("km kilometer kilometers kilometre kilometres"), "km"),
    **dict.fromkeys(_split("ft feet foot"), "ft"),
    **dict.fromkeys(_split("inch inches"), "in"),
    **dict.fromkeys(_split("mi mile miles"), "mi"),
    **dict.fromkeys(_split("year years yr yrs yo year-old years-old"), "year"),
    **dict.fromkeys(_split("month months"), "month"),
    **dict.fromkeys(_split("week weeks"), "week"),
    **dict.fromkeys(_split("day days night nights"), "day"),
    **dict.fromkeys(_split("hour hours hr hrs h"), "hour"),
    **dict.fromkeys(_split("minute minutes min mins"), "minute"),
    **dict.fromkeys(_split("second seconds sec secs s"), "second"),
    **dict.fromkeys(_split("% percent per cent"), "%"),
    **dict.fromkeys(_split("°c celsius degc"), "c"),
    **dict.fromkeys(_split("°f fahrenheit degf"), "f"),
}
_QTY = re.compile(
    r"(?<![\w.])([$€£¥])?\s?(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)(?![\d])"
    r"(?:(?:\s?|-)(%|°\s?[CFcf]\b|[A-Za-z]+(?:-old\b)?))?"
)
_AGE_CUE = re.compile(r"\b(?:age|aged|age is|age of)\s*:?\s*$", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://[^\s\"'<>)]+")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTHS = _split("january february march april may june july august september october november december")
_TEXT_DATE = re.compile(
    r"\b("
    + "|".join(_MONTHS)
    + r")\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b|\b(\d{1,2})(?:st|nd|rd|th)?\s+("
    + "|".join(_MONTHS)
    + r"),?\s+(\d{4})\b",
    re.I,
)
_QUOTED = re.compile(r"\"([^\"\n]{1,300})\"|“([^”\n]{1,300})”")
_TICKER = re.compile(r"\$([A-Z]{1,5})\b|\(([A-Z]{1,5})\)|\b([A-Z]{2,5})\b")
_PHRASE_STOP = r"(?=\s+(?:and|who|with|at|in|for|from|named|called|but|which|that)\b|[,.;:!?()]|$)"
_OCC_AS = re.compile(
    r"\b(?:works?|working|worked|employed|job)\s+(?:as|is)\s+(?:an?\s+|the\s+)?([a-z][a-z\- ]{1,40}?)" + _PHRASE_STOP
)
_OCC_NAMED = re.compile(r"\ban?\s+([a-z][a-z\- ]{1,40}?)\s+(?:named|called)\b")
_OCC_IS = re.compile(r"\b(?:is|am|was|'m|as|be)\s+an?\s+([a-z][a-z\- ]{1,40}?)" + _PHRASE_STOP)
_OCC_SUFFIX = ("er", "or", "ist", "ian", "ant", "eer", "ect", "ef", "ot")
_LIKES = re.compile(
    r"\b(?:loves?|likes|(?:i|we|they|you)\s+like|enjoys?|adores?|passionate about|interested in|fond of|"
    r"(?:hobbies|interests) (?:are|include))"
    r"\s+(.+?)(?:[.;!?\n]|\bbut\b|\bwho\b|\bwhile\b|$)",
    re.I,
)
_SKILLS = re.compile(
    r"\b(?:skills? (?:are|include|in)|skilled (?:in|at)|proficient (?:in|with)|experienced (?:in|with)|"
    r"experience (?:in|with)|expert (?:in|at)|knows|specializ(?:es|ing) in)\s+(.+?)(?:[.;!?\n]|\bbut\b|$)",
    re.I,
)
_LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*")
_DETERMINER = re.compile(r"^(?:the|a|an|my|his|her|their|some)\s+", re.I)
_COMMAND = re.compile(
    r"^(?:calculate|extract|tell|find|get|show|give|explain|describe|write|list|search|look|check|compute|"
    r"summarize|summarise|translate|create|make|generate|convert|book|send|schedule|solve)(?:\s+|$)",
    re.I,
)
_TRAILING_CUE = re.compile(r"\s+(?:named|called)$")
_NON_WORD = re.compile(r"[\W_]+")
_facts: dict[str, PromptFacts] = {}


def _num(text: str) -> int | float:
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() and "." not in text else value


def _quantities(text: str) -> list[Quantity]:
    currencies = load_jsongen_data()["currencies"]
    out: list[Quantity] = []
    for m in _QTY.finditer(text):
        symbol, raw, word = m.group(1), m.group(2), (m.group(3) or "").lower().replace(" ", "")
        value = _num(raw)
        unit = currencies.get(symbol, "") if symbol else ""
        if not unit and word:
            if word.endswith("-old"):
                word = word[:-4]
            unit = _UNITS.get(word) or currencies.get(word) or word
        if not unit and _AGE_CUE.search(text[: m.start()]):
            unit = "year"
        out.append(Quantity(value, unit, m.start()))
    return out


def _split_list(raw: str) -> tuple[str, ...]:
    items = []
    for part in _LIST_SPLIT.split(raw.strip()):
        part = _DETERMINER.sub("", part.strip().strip("\"'"))
        if part and len(part.split()) <= 3 and part.lower() not in ("etc", "more", "others"):
            items.append(part)
    return tuple(items[:8])


def _occupation(low: str) -> str:
    occupations = load_jsongen_data()["occupation_set"]
    if m := _OCC_AS.search(low):
        return m.group(1).strip()
    for rx in (_OCC_NAMED, _OCC_IS):
        for m in rx.finditer(low):
            words = m.group(1).split()[-3:]
            last = words[-1].rstrip("s") if words[-1] not in occupations else words[-1]
            if last in occupations or (len(words) > 1 and last.endswith(_OCC_SUFFIX)):
                return " ".join(words)
    words = re.findall(r"[a-z]+", low)
    for i, w in enumerate(words):
        if w in occupations:
            lead = words[i - 1] if i else ""
            known = lead and lead not in load_jsongen_data()["stopwords"] and lead.isalpha() and len(lead) > 2
            return f"{lead} {w}" if known else w
    return ""


def _keywords(text: str, skip: set[str], unit_words: set[str]) -> tuple[str, ...]:
    out: list[str] = []
    for k in pick_keywords(text, 8):
        k = _TRAILING_CUE.sub("", _COMMAND.sub("", k)).strip()
        words = k.split()
        while words and words[0].lower() in unit_words:  # "45 minutes project review" -> "project review"
            words = words[1:]
        k = " ".join(words)
        low = k.lower()
        if low and all(w in skip for w in low.split()):
            continue  # "sarah skynet" from an e-mail address, a person's name
        if k and low not in skip and low not in (o.lower() for o in out):
            out.append(k)
    return tuple(out)


def _dates(text: str) -> tuple[str, ...]:
    out = [f"{m.group(1)}-{m.group(2)}-{m.group(3)}" for m in _ISO_DATE.finditer(text)]
    for m in _TEXT_DATE.finditer(text):
        month = _MONTHS.index((m.group(1) or m.group(5)).lower()) + 1
        day, year = int(m.group(2) or m.group(4)), int(m.group(3) or m.group(6))
        try:
            out.append(dt.date(year, month, day).isoformat())
        except ValueError:
            continue
    return tuple(out)


def _build(text: str) -> PromptFacts:
    data = load_jsongen_data()
    low = text.lower()
    ents = find_entities(text)
    tickers = [next(g for g in m.groups() if g) for m in _TICKER.finditer(text)]
    tickers = [t for t in tickers if t not in data["acronym_set"] and t.lower() not in data["stopwords"]]
    tickers += [data["companies"][c] for c in ents.companies]
    likes = [item for m in _LIKES.finditer(text) for item in _split_list(m.group(1))]
    skills = [item for m in _SKILLS.finditer(text) for item in _split_list(m.group(1))]
    codes = set(data["currencies"].values())
    currencies = [w for w in re.findall(r"\b[A-Z]{3}\b", text) if w in codes]
    currencies += [data["currencies"][w] for w in re.findall(r"[a-z]+|[$€£¥]", low) if w in data["currencies"]]
    pos = sum(1 for w in re.findall(r"[a-z]+", low) if w in data["positive"])
    neg = sum(1 for w in re.findall(r"[a-z]+", low) if w in data["negative"])
    emails, urls = _EMAIL.findall(text), [u.rstrip(".,;:!?") for u in _URL.findall(text)]
    skip = {w for p in ents.persons for w in p.lower().split()} | {p.lower() for p in ents.persons}
    skip |= set(re.findall(r"[a-z0-9]+", " ".join((*emails, *urls)).lower()))
    skip |= {"information", "details", "info", "data"}
    quantities = _quantities(text)
    unit_words = {w.lower() for m in _QTY.finditer(text) if (w := m.group(3))}
    keywords = _keywords(text, skip, unit_words)
    answer, steps = solve(text)
    listed = {x.lower() for x in (*likes, *skills)}
    if listed and any(p.lat is None and p.name.lower() in listed for p in ents.places):
        ents = replace(ents, places=tuple(p for p in ents.places if p.lat is not None or p.name.lower() not in listed))
    return PromptFacts(
        text=text,
        normalized=" " + " ".join(_NON_WORD.sub(" ", low).split()) + " ",
        keywords=keywords,
        topic=keywords[0] if keywords else "",
        entities=ents,
        quantities=tuple(quantities),
        occupation=_occupation(low),
        interests=tuple(dict.fromkeys(likes)),
        skills=tuple(dict.fromkeys(skills)),
        tickers=tuple(dict.fromkeys(tickers)),
        emails=tuple(emails),
        urls=tuple(urls),
        dates=_dates(text),
        quoted=tuple(a or b for a, b in _QUOTED.findall(text)),
        currencies=tuple(dict.fromkeys(currencies)),
        sentiment="positive" if pos > neg else "negative" if neg > pos else "neutral",
        math_answer=answer,
        math_steps=steps,
    )


def prompt_facts(prompt: str) -> PromptFacts:
    """The facts of ``prompt`` (of its head and tail when long); cached per prompt."""
    text = excerpt(prompt)
    facts = _facts.get(text)
    if facts is None:
        facts = _build(text)
        if len(_facts) >= _CACHE_LIMIT:
            _facts.clear()
        _facts[text] = facts
    return facts
