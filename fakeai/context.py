"""What a behaviour receives (Context) and what it may return besides models and dicts."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import BaseModel
from starlette.requests import Request

from fakeai.codegen.ir import Operation

from .lazy_random import lazy_random

if TYPE_CHECKING:
    from fakeai.services import Services


_HEADERS = "fakeai.headers"


def request_header(request: Request, name: str) -> str | None:
    """``request.headers.get(name)`` for a lower-case ``name``, from a dict made once per request (Starlette's
    Headers scans the raw list on every lookup and raises KeyError inside for every header that is absent)."""
    scope = request.scope
    table: dict[str, str] | None = scope.get(_HEADERS)
    if table is None:
        table = {}
        for key, value in scope.get("headers") or ():
            name_ = key.decode("latin-1")
            if name_ not in table:  # the first of repeated headers, as Headers.get gives
                table[name_] = value.decode("latin-1")
        scope[_HEADERS] = table
    return table.get(name)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request, read into memory."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Binary:
    """Raw bytes on the wire (audio, images served by URL, file contents)."""

    data: bytes
    media_type: str = "application/octet-stream"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Text:
    """A text body that is not JSON (transcriptions as text/srt/vtt, the Prometheus exposition)."""

    text: str
    media_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class EventStream:
    """Server-sent events from an async iterator of models or dicts.

    done: finish with `data: [DONE]` (chat and legacy completions); event_field: also write `event: <value of
    this field>` lines (the Responses API and other typed event streams).
    """

    events: AsyncIterator[Any]
    done: bool = True
    event_field: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Context:
    """Everything about one request a behaviour may use."""

    operation: Operation
    request: Request
    services: Services
    params: Any = None
    form: Any = None
    files: dict[str, list[UploadedFile]] = field(default_factory=dict)
    api_key: str | None = None
    body_bytes: bytes = b""
    body: Any = None
    received: float = field(default_factory=time.monotonic)  # time.monotonic() when the request arrived
    _seed: int | None = None
    _data: Any = None

    @property
    def data(self) -> Any:
        """The request body as plain JSON data (the parsed JSON, or the form fields)."""
        if self._data is None:
            if self.form is not None:
                self._data = self.form
            elif self.body_bytes and isinstance(self.body, BaseModel):
                self._data = orjson.loads(self.body_bytes)
        return self._data

    @property
    def settings(self) -> Any:
        return self.services.settings

    @property
    def seed(self) -> int:
        """A 64-bit seed for this request.

        With an explicit `seed` it depends on that seed (and the operation) only, as a sampling seed does: the
        prompt still shapes the answer, and streaming, stop sequences or max_tokens do not change the text that
        is produced. Without one it is a hash of the whole request, so the same request gets the same answer —
        unless the `variety` setting asks for a fresh random value per request.
        """
        if self._seed is None:
            explicit = getattr(self.body, "seed", None)
            if explicit is None and isinstance(self.form, dict):
                explicit = self.form.get("seed")
            h = hashlib.blake2b(digest_size=8)
            h.update(self.operation.operation_id.encode())
            if explicit is not None:
                h.update(b"seed:" + str(explicit).encode())
            elif self.services.settings.variety:
                h.update(random.getrandbits(64).to_bytes(8, "little"))
            else:
                query = self.request.scope.get("query_string")
                if query:  # (request.url builds a URL object: only when there is a query)
                    h.update(self.request.url.query.encode())
                h.update(self.body_bytes)
            self._seed = int.from_bytes(h.digest(), "little")
        return self._seed

    def rng(self, salt: str | int = "") -> random.Random:
        """A random.Random seeded from the request (and a salt, e.g. the choice index)."""
        return random.Random(f"{self.seed}:{salt}")

    def lazy_rng(self, salt: str | int = "") -> random.Random:
        """``rng(salt)``, seeded when first drawn from (for streams a request may not use at all)."""
        return lazy_random(lambda: self.rng(salt))

    def header(self, name: str) -> str | None:
        """A request header (``name`` in lower case), or None."""
        return request_header(self.request, name)

    def file(self, name: str) -> UploadedFile | None:
        got = self.files.get(name) or self.files.get(f"{name}[]")
        return got[0] if got else None
