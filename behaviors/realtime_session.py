"""The Realtime session: its configuration, `session.update` (GA and beta shapes alike), the per-response
overrides of `response.create`, and the session object as GA or beta clients expect it.

GA nests audio settings (`audio.input.format` {type: audio/pcm, rate: 24000}, `audio.output.voice`) and names
the modalities `output_modalities`; the beta flattens them (`input_audio_format: pcm16`, `voice`, `modalities`,
`max_response_output_tokens`). Both are accepted on input; updates are checked as a whole and applied only
when every field is valid.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .realtime_events import EventError, expect, invalid, new_id
from .realtime_fields import BETA_FORMATS, default_vad, metadata, parse
from .realtime_items import normalize_item

DEFAULT_INSTRUCTIONS = (
    "You are a helpful, friendly voice assistant. Answer briefly and conversationally, in the user's language."
)
SESSION_SECONDS = 3600
_RESPONSE_KEYS = frozenset({
    "output_modalities", "modalities", "instructions", "voice", "output_audio_format", "tools", "tool_choice",
    "parallel_tool_calls", "temperature", "max_output_tokens", "max_response_output_tokens", "prompt", "reasoning",
    "tracing",
})  # fmt: skip


@dataclass
class Session:
    model: str
    id: str = field(default_factory=lambda: new_id("sess"))
    created: int = field(default_factory=lambda: int(time.time()))
    instructions: str = DEFAULT_INSTRUCTIONS
    audio_out: bool = True
    input_format: str = "pcm"
    output_format: str = "pcm"
    transcription: dict[str, Any] | None = None
    noise_reduction: dict[str, Any] | None = None
    turn_detection: dict[str, Any] | None = field(default_factory=default_vad)
    voice: Any = "alloy"
    speed: float = 1.0
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: Any = "auto"
    parallel_tool_calls: bool = True
    temperature: float = 0.8
    max_output_tokens: int | str = "inf"
    tracing: Any = None
    include: list[str] | None = None
    truncation: Any = "auto"
    prompt: Any = None
    reasoning: Any = None

    @property
    def voice_name(self) -> str:
        return self.voice if isinstance(self.voice, str) else str(self.voice.get("id", "custom"))

    def render(self, *, beta: bool) -> dict[str, Any]:
        common = {
            "id": self.id,
            "object": "realtime.session",
            "model": self.model,
            "expires_at": self.created + SESSION_SECONDS,
        }
        if beta:
            return {
                **common,
                "modalities": ["text", "audio"] if self.audio_out else ["text"],
                "instructions": self.instructions,
                "voice": self.voice,
                "input_audio_format": beta_format(self.input_format),
                "output_audio_format": beta_format(self.output_format),
                "input_audio_transcription": self.transcription,
                "turn_detection": self.turn_detection,
                "input_audio_noise_reduction": self.noise_reduction,
                "speed": self.speed,
                "tracing": self.tracing,
                "tools": self.tools,
                "tool_choice": self.tool_choice,
                "temperature": self.temperature,
                "max_response_output_tokens": self.max_output_tokens,
                "prompt": self.prompt,
                "include": self.include,
            }
        return {
            "type": "realtime",
            **common,
            "output_modalities": ["audio"] if self.audio_out else ["text"],
            "instructions": self.instructions,
            "tools": self.tools,
            "tool_choice": self.tool_choice,
            "max_output_tokens": self.max_output_tokens,
            "tracing": self.tracing,
            "truncation": self.truncation,
            "prompt": self.prompt,
            "include": self.include,
            "audio": {
                "input": {
                    "format": ga_format(self.input_format),
                    "transcription": self.transcription,
                    "noise_reduction": self.noise_reduction,
                    "turn_detection": self.turn_detection,
                },
                "output": {"format": ga_format(self.output_format), "voice": self.voice, "speed": self.speed},
            },
        }


def ga_format(fmt: str) -> dict[str, Any]:
    return {"type": "audio/pcm", "rate": 24000} if fmt == "pcm" else {"type": f"audio/{fmt}"}


def beta_format(fmt: str) -> str:
    return {v: k for k, v in BETA_FORMATS.items()}[fmt]


def apply_update(session: Session, raw: Any, *, audio_sent: bool, check_model: Callable[[str], str]) -> None:
    """Apply a `session.update`: all fields or none."""
    data = expect(raw, dict, "session")
    changes = parse(data, "session", None)
    if "voice" in changes and audio_sent and changes["voice"] != session.voice:
        raise EventError(
            "Cannot update a conversation's voice if assistant audio is present.",
            param="session.voice",
            code="cannot_update_voice",
        )
    if "model" in changes:
        changes["model"] = check_model(changes["model"])
    for attr, value in changes.items():
        setattr(session, attr, value)


@dataclass
class ResponseConfig:
    """What one response uses: the session's settings with the `response.create` overrides."""

    settings: Session
    conversation: str = "auto"
    metadata: dict[str, str] | None = None
    input: list[dict[str, Any]] | None = None  # items, or {"type": "item_reference", "id": ...}


def response_config(session: Session, raw: Any) -> ResponseConfig:
    data = expect(raw, dict, "response") if raw is not None else {}
    rest = {k: v for k, v in data.items() if k not in ("conversation", "metadata", "input")}
    cfg = ResponseConfig(replace(session, tools=list(session.tools)))
    for attr, value in parse(rest, "response", _RESPONSE_KEYS).items():
        setattr(cfg.settings, attr, value)
    if "conversation" in data:
        conv = expect(data["conversation"], str, "response.conversation")
        if conv not in ("auto", "none"):
            raise invalid("response.conversation", conv, "Supported values are: 'auto' and 'none'.")
        cfg.conversation = conv
    cfg.metadata = metadata(data.get("metadata"), "response.metadata")
    if data.get("input") is not None:
        cfg.input = []
        for i, raw_item in enumerate(expect(data["input"], list, "response.input")):
            p = f"response.input[{i}]"
            if isinstance(raw_item, dict) and raw_item.get("type") == "item_reference":
                cfg.input.append({"type": "item_reference", "id": expect(raw_item.get("id"), str, f"{p}.id")})
            else:
                cfg.input.append(normalize_item(raw_item, p))
    return cfg
