"""Realtime API events: ids, `error` events, checking client input, and the beta protocol's event names.

Client input that does not fit raises EventError (OpenAI's codes: missing_required_parameter, invalid_type,
invalid_value, unknown_parameter, ...), which the connection sends back as an `error` event naming the field
and echoing the client's event_id; the socket stays open. `beta_event` renames GA event types for clients that
speak the beta protocol (`OpenAI-Beta: realtime=v1`).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

_BETA_EVENTS = {
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
    "conversation.item.added": "conversation.item.created",
}
_GA_ONLY_EVENTS = frozenset({"conversation.item.done"})


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


class EventError(Exception):
    """A client event that cannot be served: sent back as an `error` event."""

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = "invalid_value",
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.message, self.param, self.code, self.kind = message, param, code, kind


def error_event(err: EventError, client_event_id: str | None) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {
            "type": err.kind,
            "code": err.code,
            "message": err.message,
            "param": err.param,
            "event_id": client_event_id,
        },
    }


def beta_event(event: dict[str, Any]) -> dict[str, Any] | None:
    """The event as the beta protocol names it (None: the beta protocol has no such event)."""
    kind = event["type"]
    if kind in _GA_ONLY_EVENTS:
        return None
    if kind in _BETA_EVENTS:
        event = {**event, "type": _BETA_EVENTS[kind]}
    return event


# ---------------------------------------------------------------------------------------------- checking input
_JSON_TYPES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    dict: "an object",
    list: "an array",
}


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return next((name for t, name in _JSON_TYPES.items() if type(value) is t), "a value")


def missing(param: str) -> EventError:
    return EventError(f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter")


def unknown(param: str) -> EventError:
    return EventError(f"Unknown parameter: '{param}'.", param=param, code="unknown_parameter")


def invalid(param: str, value: Any, allowed: str) -> EventError:
    return EventError(f"Invalid value for '{param}': {value!r}. {allowed}", param=param, code="invalid_value")


def expect(value: Any, kind: type | tuple[type, ...], param: str) -> Any:
    """`value` if it has the JSON type `kind` (bool is not a number), else an invalid_type error."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if not ok:
        want = " or ".join(_JSON_TYPES.get(k, k.__name__) for k in kinds)
        raise EventError(
            f"Invalid type for '{param}': expected {want}, but got {_type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    return value


def take(data: dict[str, Any], key: str, kind: type | tuple[type, ...], prefix: str, *, required: bool = False) -> Any:
    param = f"{prefix}.{key}" if prefix else key
    if key not in data or (required and data[key] is None):
        if required:
            raise missing(param)
        return None
    return expect(data[key], kind, param)


def decode_audio(value: Any, param: str) -> bytes:
    try:
        return base64.b64decode(expect(value, str, param), validate=True)
    except (binascii.Error, ValueError):
        raise EventError(f"Invalid value for '{param}': the audio is not valid base64.", param=param) from None
