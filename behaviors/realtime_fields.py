"""Checking the fields of Realtime session objects (`session.update`, and the overrides of `response.create`).

Each field has a parser that returns its value in the session's terms or raises EventError naming the field;
GA and beta spellings of the same setting (`output_modalities` / `modalities`, `audio.output.voice` / `voice`,
`max_output_tokens` / `max_response_output_tokens`, format objects / format names) land on one attribute.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .realtime_events import EventError, expect, invalid, missing, unknown

VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
_GA_FORMATS = {"audio/pcm": "pcm", "audio/pcmu": "pcmu", "audio/pcma": "pcma"}
BETA_FORMATS = {"pcm16": "pcm", "g711_ulaw": "pcmu", "g711_alaw": "pcma"}
IGNORED = frozenset({"id", "object", "expires_at", "client_secret"})
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def default_vad() -> dict[str, Any]:
    return {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 500,
        "idle_timeout_ms": None,
        "create_response": True,
        "interrupt_response": True,
    }


# ---------------------------------------------------------------------------------------------- field parsers
def _format(value: Any, param: str) -> str:
    if isinstance(value, str) and value in BETA_FORMATS:
        return BETA_FORMATS[value]
    data = expect(value, (dict, str), param)
    kind = data if isinstance(data, str) else data.get("type", "audio/pcm")
    if kind not in _GA_FORMATS:
        raise invalid(f"{param}.type", kind, "Supported values are: 'audio/pcm', 'audio/pcmu' and 'audio/pcma'.")
    if isinstance(data, dict) and kind == "audio/pcm" and data.get("rate", 24000) != 24000:
        raise invalid(f"{param}.rate", data.get("rate"), "Only 24000 Hz is supported for 'audio/pcm'.")
    return _GA_FORMATS[kind]


def _voice(value: Any, param: str) -> Any:
    if isinstance(value, dict):
        if not isinstance(value.get("id"), str):
            raise missing(f"{param}.id")
        return {"id": value["id"]}
    if expect(value, str, param) not in VOICES:
        raise invalid(param, value, "Supported values are: " + ", ".join(f"'{v}'" for v in VOICES) + ".")
    return value


def _number(value: Any, param: str, lo: float, hi: float) -> float:
    x = expect(value, (int, float), param)
    if not lo <= x <= hi:
        raise EventError(
            f"Invalid '{param}': {x} is not within [{lo}, {hi}].", param=param, code="decimal_out_of_range"
        )
    return float(x)


def _max_tokens(value: Any, param: str) -> int | str:
    if value == "inf":
        return "inf"
    n = expect(value, int, param)
    if not 1 <= n <= 4096:
        raise EventError(
            f"Invalid '{param}': {n} is not within [1, 4096] (or 'inf').", param=param, code="integer_out_of_range"
        )
    return int(n)


def _modalities(value: Any, param: str) -> bool:
    mods = expect(value, list, param)
    if not mods or any(m not in ("text", "audio") for m in mods):
        raise invalid(param, value, "Supported values are: ['text'], ['audio'] and ['text', 'audio'].")
    return "audio" in mods


def _turn_detection(value: Any, param: str) -> dict[str, Any] | None:
    if value is None:
        return None
    data = expect(value, dict, param)
    kind = data.get("type", "server_vad")
    if kind == "server_vad":
        out = default_vad()
        checks: dict[str, Callable[[Any, str], Any]] = {
            "threshold": lambda v, p: _number(v, p, 0.0, 1.0),
            "prefix_padding_ms": lambda v, p: int(_number(expect(v, int, p), p, 0, 10_000)),
            "silence_duration_ms": lambda v, p: int(_number(expect(v, int, p), p, 0, 10_000)),
            "idle_timeout_ms": lambda v, p: v if v is None else int(_number(expect(v, int, p), p, 5000, 30000)),
        }
    elif kind == "semantic_vad":
        out = {"type": "semantic_vad", "eagerness": "auto", "create_response": True, "interrupt_response": True}
        checks = {"eagerness": lambda v, p: _enum(v, p, ("low", "medium", "high", "auto"))}
    else:
        raise invalid(f"{param}.type", kind, "Supported values are: 'server_vad' and 'semantic_vad'.")
    checks["create_response"] = checks["interrupt_response"] = lambda v, p: expect(v, bool, p)
    for key, v in data.items():
        if key == "type":
            out["type"] = kind
        elif key in checks:
            out[key] = checks[key](v, f"{param}.{key}")
        else:
            raise unknown(f"{param}.{key}")
    return out


def _enum(value: Any, param: str, allowed: tuple[str, ...]) -> str:
    if expect(value, str, param) not in allowed:
        raise invalid(param, value, "Supported values are: " + ", ".join(f"'{a}'" for a in allowed) + ".")
    return str(value)


def _tools(value: Any, param: str) -> list[dict[str, Any]]:
    out = []
    for i, raw in enumerate(expect(value, list, param)):
        p = f"{param}[{i}]"
        tool = dict(expect(raw, dict, p))
        kind = tool.get("type", "function")
        if kind == "function":
            name = tool.get("name")
            if name is None:
                raise missing(f"{p}.name")
            if not _TOOL_NAME.match(expect(name, str, f"{p}.name")):
                raise invalid(f"{p}.name", name, "Function names must match '^[a-zA-Z0-9_-]{1,64}$'.")
            expect(tool.get("parameters", {}), dict, f"{p}.parameters")
            tool["type"] = "function"
        elif kind == "mcp":
            expect(tool.get("server_label"), str, f"{p}.server_label")
        else:
            raise invalid(f"{p}.type", kind, "Supported values are: 'function' and 'mcp'.")
        out.append(tool)
    return out


def _tool_choice(value: Any, param: str) -> Any:
    if isinstance(value, str):
        return _enum(value, param, ("none", "auto", "required"))
    data = expect(value, dict, param)
    if data.get("type") == "function" and isinstance(data.get("name"), str):
        return {"type": "function", "name": data["name"]}
    if data.get("type") == "mcp" and isinstance(data.get("server_label"), str):
        return dict(data)
    raise invalid(param, value, "Expected 'none', 'auto', 'required' or {'type': 'function', 'name': ...}.")


def _optional_object(value: Any, param: str) -> Any:
    return None if value is None else dict(expect(value, dict, param))


def metadata(value: Any, param: str) -> dict[str, str] | None:
    if value is None:
        return None
    data = expect(value, dict, param)
    if len(data) > 16:
        raise invalid(param, "...", "Metadata holds at most 16 keys.")
    for k, v in data.items():
        expect(v, str, f"{param}.{k}")
    return dict(data)


# key -> (attribute, parser)
_Parser = Callable[[Any, str], Any]
_FIELDS: dict[str, tuple[str, _Parser]] = {
    "model": ("model", lambda v, p: expect(v, str, p)),
    "instructions": ("instructions", lambda v, p: expect(v, str, p)),
    "output_modalities": ("audio_out", _modalities),
    "modalities": ("audio_out", _modalities),
    "voice": ("voice", _voice),
    "speed": ("speed", lambda v, p: _number(v, p, 0.25, 1.5)),
    "input_audio_format": ("input_format", _format),
    "output_audio_format": ("output_format", _format),
    "input_audio_transcription": ("transcription", _optional_object),
    "input_audio_noise_reduction": ("noise_reduction", _optional_object),
    "turn_detection": ("turn_detection", _turn_detection),
    "tools": ("tools", _tools),
    "tool_choice": ("tool_choice", _tool_choice),
    "parallel_tool_calls": ("parallel_tool_calls", lambda v, p: expect(v, bool, p)),
    "temperature": ("temperature", lambda v, p: _number(v, p, 0.6, 1.2)),
    "max_output_tokens": ("max_output_tokens", _max_tokens),
    "max_response_output_tokens": ("max_output_tokens", _max_tokens),
    "tracing": ("tracing", lambda v, p: v if v is None or v == "auto" else dict(expect(v, dict, p))),
    "include": ("include", lambda v, p: None if v is None else list(expect(v, list, p))),
    "truncation": ("truncation", lambda v, p: v if v in ("auto", "disabled") else dict(expect(v, dict, p))),
    "prompt": ("prompt", _optional_object),
    "reasoning": ("reasoning", _optional_object),
}
_AUDIO_FIELDS = {
    "input": {"format": "input_audio_format", "transcription": "input_audio_transcription",
              "noise_reduction": "input_audio_noise_reduction", "turn_detection": "turn_detection"},
    "output": {"format": "output_audio_format", "voice": "voice", "speed": "speed"},
}  # fmt: skip


def parse(data: dict[str, Any], prefix: str, allowed: frozenset[str] | None) -> dict[str, Any]:
    """Attribute changes from a session-like object; any invalid field raises."""
    changes: dict[str, Any] = {}
    for key, value in data.items():
        param = f"{prefix}.{key}"
        if key == "audio":
            for side, sub in expect(value, dict, param).items():
                names = _AUDIO_FIELDS.get(side)
                if names is None or (allowed is not None and side != "output"):
                    raise unknown(f"{param}.{side}")
                for k, v in expect(sub, dict, f"{param}.{side}").items():
                    if k not in names or (allowed is not None and names[k] not in allowed):
                        raise unknown(f"{param}.{side}.{k}")
                    attr, check = _FIELDS[names[k]]
                    changes[attr] = check(v, f"{param}.{side}.{k}")
        elif key in _FIELDS and (allowed is None or key in allowed):
            attr, check = _FIELDS[key]
            changes[attr] = check(value, param)
        elif key == "type" and allowed is None:
            if value != "realtime":
                raise invalid(param, value, "This connection serves a 'realtime' session.")
        elif key in IGNORED and allowed is None:
            continue
        else:
            raise unknown(param)
    return changes
