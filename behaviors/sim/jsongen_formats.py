"""JSON Schema string ``format`` s for jsongen: a checker and a generator for each format it knows.

Known formats: date-time, date, time, duration, email, idn-email, hostname, idn-hostname, ipv4, ipv6, uri,
uri-reference, iri, iri-reference, uri-template, url, uuid, json-pointer, relative-json-pointer, regex.
Unknown formats are annotations only (always valid, generated as plain strings). Dates are drawn from 2024-2026,
never from the clock.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import random
import re
import uuid
from collections.abc import Callable

__all__ = ["FORMAT_CHECKS", "generate_format", "slug"]

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_HOST = re.compile(
    r"^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")
_URI_REF = re.compile(r"^[^\s]*$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_POINTER = re.compile(r"^(/([^/~]|~[01])*)*$")
_REL_POINTER = re.compile(r"^(0|[1-9]\d*)(#|(/([^/~]|~[01])*)*)$")
_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
_SLUG = re.compile(r"[^a-z0-9]+")


def _date_ok(text: str) -> bool:
    m = _DATE.match(text)
    if not m:
        return False
    try:
        dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return False
    return True


def _datetime_ok(text: str) -> bool:
    if len(text) < 20 or text[10] not in "Tt ":
        return False
    return _date_ok(text[:10]) and bool(_TIME.match(text[11:]))


def _ip_ok(kind: type[ipaddress.IPv4Address] | type[ipaddress.IPv6Address]) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        try:
            kind(text)
        except ValueError:
            return False
        return True

    return check


def _regex_ok(text: str) -> bool:
    try:
        re.compile(text)
    except (re.error, OverflowError, RecursionError):
        return False
    return True


FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "date-time": _datetime_ok,
    "date": _date_ok,
    "time": lambda s: bool(_TIME.match(s)),
    "duration": lambda s: bool(_DURATION.match(s)),
    "email": lambda s: bool(_EMAIL.match(s)),
    "idn-email": lambda s: bool(_EMAIL.match(s)),
    "hostname": lambda s: bool(_HOST.match(s)),
    "ipv4": _ip_ok(ipaddress.IPv4Address),
    "ipv6": _ip_ok(ipaddress.IPv6Address),
    "uri": lambda s: bool(_URI.match(s)),
    "iri": lambda s: bool(_URI.match(s)),
    "url": lambda s: bool(_URI.match(s)),
    "uri-reference": lambda s: bool(_URI_REF.match(s)),
    "iri-reference": lambda s: bool(_URI_REF.match(s)),
    "uuid": lambda s: bool(_UUID.match(s)),
    "json-pointer": lambda s: bool(_POINTER.match(s)),
    "relative-json-pointer": lambda s: bool(_REL_POINTER.match(s)),
    "regex": _regex_ok,
}


def slug(text: str, sep: str = "-") -> str:
    """``"Alice Smith!"`` -> ``"alice-smith"`` (ASCII letters and digits only; may be empty)."""
    return _SLUG.sub(sep, text.lower()).strip(sep)


def _date(rng: random.Random) -> dt.date:
    return dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))


def _time(rng: random.Random) -> str:
    return f"{rng.randrange(8, 19):02d}:{rng.choice((0, 15, 30, 45)):02d}:00"


def generate_format(fmt: str, rng: random.Random, hint: str = "", person: str = "") -> str | None:
    """A value in format ``fmt`` (None for an unknown format); ``hint`` words flavour URLs and emails."""
    words = slug(hint) or "item"
    if fmt == "date-time":
        return f"{_date(rng).isoformat()}T{_time(rng)}Z"
    if fmt == "date":
        return _date(rng).isoformat()
    if fmt == "time":
        return _time(rng) + "Z"
    if fmt == "duration":
        return rng.choice(("PT30M", "PT1H", "PT2H30M", "P1D", "P3D", "P1W"))
    if fmt in ("email", "idn-email"):
        local = slug(person, ".") or rng.choice(("info", "contact", "hello", "support"))
        return f"{local}@example.com"
    if fmt in ("hostname", "idn-hostname"):
        return f"{words[:40].strip('-') or 'api'}.example.com"
    if fmt == "ipv4":
        return f"192.168.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    if fmt == "ipv6":
        return f"2001:db8::{rng.randrange(1, 0xFFFF):x}"
    if fmt in ("uri", "iri", "url"):
        return f"https://example.com/{words[:60]}"
    if fmt in ("uri-reference", "iri-reference"):
        return f"/{words[:60]}"
    if fmt == "uri-template":
        return "https://example.com/items/{id}"
    if fmt == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    if fmt == "json-pointer":
        return "/" + words.replace("-", "/")
    if fmt == "relative-json-pointer":
        return "0/" + words.split("-")[0]
    if fmt == "regex":
        return "^[a-z]+$"
    return None
