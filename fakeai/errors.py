"""Errors in OpenAI's envelope: {"error": {"message", "type", "param", "code"}} with OpenAI's status codes."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import ValidationError
from starlette.responses import Response


class APIError(Exception):
    """An error a behaviour or the runtime returns to the client."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def response(self) -> Response:
        return Response(
            orjson.dumps(self.body()), status_code=self.status, headers=self.headers, media_type="application/json"
        )


def not_found(message: str, *, param: str | None = None, code: str | None = None) -> APIError:
    return APIError(404, message, param=param, code=code)


def bad_request(message: str, *, param: str | None = None, code: str | None = None) -> APIError:
    return APIError(400, message, param=param, code=code)


def invalid_api_key(key: str | None) -> APIError:
    if not key:
        msg = (
            "You didn't provide an API key. You need to provide your API key in an Authorization header using "
            "Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
    else:
        shown = key if len(key) <= 8 else f"{key[:3]}{'*' * min(len(key) - 7, 20)}{key[-4:]}"
        msg = f"Incorrect API key provided: {shown}. Configure the keys fakeai accepts with FAKEAI_API_KEYS."
    return APIError(401, msg, code="invalid_api_key")


def server_error(message: str = "The server had an error while processing your request.") -> APIError:
    return APIError(500, message, type="server_error")


# ---------------------------------------------------------------------------------------------------------------
# Pydantic validation errors -> OpenAI's 400 with `param` naming the offending field


def param_path(loc: tuple[int | str, ...], data: Any, missing: bool) -> str:
    """OpenAI-style path (`messages[0].content`) from a pydantic loc, keeping only the steps found in the input.

    Union validation inserts variant names and tags into `loc`; walking the input data tells real keys and
    indices from those. A missing field's own name is kept as the last step.
    """
    out = ""
    node = data
    for i, step in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(step, str) and isinstance(node, dict) and _is_tag(node, step, loc[i + 1 :], missing):
            continue
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            out += f"[{step}]"
            node = node[step]
        elif isinstance(step, str) and isinstance(node, dict) and step in node:
            out += f".{step}" if out else step
            node = node[step]
        elif last and missing and isinstance(step, str) and isinstance(node, dict):
            out += f".{step}" if out else step
    return out


def _is_tag(node: dict[str, Any], step: str, rest: tuple[int | str, ...], missing: bool) -> bool:
    """A discriminated union puts the tag value in `loc` (`function` for {"type": "function", ...}). When a
    field has the same name as the tag, the step is the tag if the next step belongs to this object."""
    if step not in node.values() or not rest:
        return False
    nxt = rest[0]
    return nxt == step or (isinstance(nxt, str) and nxt in node) or (len(rest) == 1 and missing)


_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "none_required": "null",
}


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int):
        return "an integer"
    if isinstance(v, float):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    return "an object"


def _best_error(errors: list[Any]) -> Any:
    """The error to report: the deepest location wins (it names the most specific field), missing fields first."""
    return max(errors, key=lambda e: (e["type"] == "missing", len(e["loc"])))


def from_validation(exc: ValidationError, data: Any, prefix: str = "") -> APIError:
    errors = exc.errors(include_url=False)
    if not errors:
        return bad_request("Invalid request body.")
    err = _best_error(errors)
    kind = err["type"]
    param = param_path(tuple(err["loc"]), data, kind == "missing") or None
    if prefix and param:
        param = f"{prefix}.{param}"
    name = f"'{param}'" if param else "the request body"
    value = err.get("input")
    if kind == "missing":
        return bad_request(f"Missing required parameter: {name}.", param=param, code="missing_required_parameter")
    if kind in _TYPE_WORDS:
        return bad_request(
            f"Invalid type for {name}: expected {_TYPE_WORDS[kind]}, but got {_json_type(value)} instead.",
            param=param,
            code="invalid_type",
        )
    if kind == "extra_forbidden":
        return bad_request(f"Unrecognized request argument supplied: {param}", param=param, code="unknown_parameter")
    if kind in ("literal_error", "enum"):
        expected = err.get("ctx", {}).get("expected", "")
        return bad_request(
            f"Invalid value for {name}: {value!r}. Supported values are: {expected}.", param=param, code="invalid_value"
        )
    msg = err.get("msg", "invalid value")
    return bad_request(f"Invalid value for {name}: {msg}.", param=param, code="invalid_value")
