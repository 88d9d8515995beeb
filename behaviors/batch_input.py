"""Reading JSONL request files: the checks an upload gets (per purpose) and the validation a batch's input gets.

Pure functions over bytes, no web framework: `upload_problem` answers the first problem of an uploaded file (the
upload is refused with a 400 naming the line), `parse_batch` turns a batch input file into requests or the list of
per-line errors that makes a batch fail the way OpenAI reports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

MAX_BATCH_REQUESTS = 50_000
MAX_REPORTED_ERRORS = 1000
# Endpoints whose requests may leave `model` out (the server picks its default).
MODEL_OPTIONAL = frozenset({"/v1/moderations"})
_REQUEST_FIELDS = ("custom_id", "method", "url", "body")


def lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, line) for every non-blank line; a trailing newline ends a line, it does not start one."""
    for number, raw in enumerate(data.split(b"\n"), start=1):
        line = raw.strip()
        if line:
            yield number, line


def _load(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return _INVALID


_INVALID = object()


def upload_problem(data: bytes, purpose: str) -> str | None:
    """Why a file uploaded for `purpose` is not acceptable (the 400 message), or None.

    batch: every line a JSON object with custom_id, method, url and body (an object); fine-tune: every line a JSON
    object. Other purposes take any bytes."""
    if purpose not in ("batch", "fine-tune"):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        where = data[: e.start].count(b"\n") + 1
        return f"Invalid file format: line {where} is not valid UTF-8 text. Files for '{purpose}' must be JSONL."
    for number, line in lines(data):
        obj = _load(line)
        if obj is _INVALID:
            return f"Invalid file format: line {number} is not valid JSON."
        if not isinstance(obj, dict):
            return f"Invalid file format: line {number} is not a JSON object."
        if purpose != "batch":
            continue
        missing = [k for k in _REQUEST_FIELDS if k not in obj]
        if missing:
            names = ", ".join(f"'{k}'" for k in missing)
            return (
                f"Invalid file format: line {number} is missing {names} (each line needs custom_id, method, url, body)."
            )
        if not isinstance(obj["body"], dict):
            return f"Invalid file format: line {number} has a 'body' that is not a JSON object."
    return None


@dataclass
class Request:
    line: int
    custom_id: str
    url: str
    body: dict[str, Any]


@dataclass
class Parsed:
    requests: list[Request] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    model: str | None = None


def _error(code: str, message: str, line: int | None = None, param: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": param, "line": line}


def parse_batch(data: bytes, endpoint: str) -> Parsed:
    """The requests of a batch input file, or the errors that fail the batch (codes as OpenAI reports them)."""
    out = Parsed()
    seen: set[str] = set()
    count = 0
    for number, line in lines(data):
        count += 1
        err = _check_line(number, _load(line), endpoint, seen, out)
        if err is not None and len(out.errors) < MAX_REPORTED_ERRORS:
            out.errors.append(err)
    if count == 0:
        out.errors.append(_error("empty_file", "The batch input file is empty."))
    elif count > MAX_BATCH_REQUESTS:
        out.errors.insert(
            0,
            _error(
                "too_many_tasks",
                f"The batch input file has {count} requests; a batch may hold at most {MAX_BATCH_REQUESTS}.",
            ),
        )
    if out.errors:
        out.requests = []
    return out


def _check_line(number: int, obj: Any, endpoint: str, seen: set[str], out: Parsed) -> dict[str, Any] | None:
    if obj is _INVALID or not isinstance(obj, dict):
        return _error("invalid_json_line", "This line is not parseable as a JSON object.", number)
    custom_id = obj.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        return _error("missing_required_parameter", "Each request needs a string 'custom_id'.", number, "custom_id")
    if custom_id in seen:
        return _error(
            "duplicate_custom_id",
            f"The custom_id '{custom_id}' is used by an earlier request: every custom_id in a batch must be unique.",
            number,
            "custom_id",
        )
    seen.add(custom_id)
    method = obj.get("method")
    if not isinstance(method, str) or method.upper() != "POST":
        return _error("invalid_method", f"Batch requests must use method POST, not {method!r}.", number, "method")
    url = obj.get("url")
    if url != endpoint:
        return _error(
            "url_mismatch",
            f"The url {url!r} of this request does not match the batch's endpoint '{endpoint}'.",
            number,
            "url",
        )
    body = obj.get("body")
    if not isinstance(body, dict):
        return _error("invalid_request", "The 'body' of each request must be a JSON object.", number, "body")
    model = body.get("model")
    if model is None and endpoint not in MODEL_OPTIONAL:
        return _error("missing_required_parameter", "Missing required parameter: 'body.model'.", number, "body.model")
    if model is not None and not isinstance(model, str):
        return _error("invalid_request", "The 'body.model' of a request must be a string.", number, "body.model")
    if model is not None:
        if out.model is None:
            out.model = model
        elif model != out.model:
            return _error(
                "model_mismatch",
                f"The model '{model}' differs from '{out.model}' used earlier: a batch runs a single model.",
                number,
                "body.model",
            )
    out.requests.append(Request(number, custom_id, url, body))
    return None
