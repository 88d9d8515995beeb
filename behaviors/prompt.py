"""Reading prompts: the text of chat messages and Responses input items, and their token counts.

Counts follow OpenAI's chat formula (3 tokens per message, 1 per name, 3 to prime the reply) over the BPE-like
tokenizer; image parts use the tile arithmetic for their detail level (the size read from a data URL when given),
audio parts ~10 tokens per second. Pure functions over JSON data.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from .sim import tokenizer
from .sim.vision_tokens import audio_tokens, data_url_size, image_tokens, wav_duration

PER_MESSAGE = 3
PER_NAME = 1
REPLY_PRIMING = 3


@dataclass(slots=True)
class PromptStats:
    text_tokens: int = 0
    image_tokens: int = 0
    audio_tokens: int = 0
    images: int = 0
    token_ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.text_tokens + self.image_tokens + self.audio_tokens


def part_text(part: Any) -> str:
    """The text of a content part (chat or Responses shapes), '' for non-text parts."""
    if isinstance(part, str):
        return part
    if isinstance(part, dict):
        kind = part.get("type")
        if kind in ("text", "input_text", "output_text", "refusal"):
            return str(part.get("text") or part.get("refusal") or "")
    return ""


def content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(t for t in (part_text(p) for p in content) if t)
    return ""


def _image_cost(url: str, detail: str) -> int:
    size = data_url_size(url) if url.startswith("data:") else None
    w, h = size if size else (None, None)
    return image_tokens(w, h, detail or "auto")


def _audio_cost(data: str, fmt: str) -> int:
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        raw = b""
    seconds = wav_duration(raw) if fmt == "wav" else None
    if seconds is None:
        # compressed audio: ~16 kB per second of 128 kbit/s; at least one second
        seconds = max(1.0, len(raw) / 16000)
    return audio_tokens(seconds)


def count_parts(content: Any, stats: PromptStats) -> None:
    if isinstance(content, str) or content is None:
        stats.text_tokens += tokenizer.count_tokens(content or "")
        return
    for part in content if isinstance(content, list) else []:
        if not isinstance(part, dict):
            continue
        kind = part.get("type")
        if kind in ("image_url", "input_image"):
            img = part.get("image_url")
            url = img.get("url", "") if isinstance(img, dict) else str(img or part.get("file_id") or "")
            detail = img.get("detail", "auto") if isinstance(img, dict) else part.get("detail", "auto")
            stats.image_tokens += _image_cost(url, detail)
            stats.images += 1
        elif kind == "input_audio":
            audio = part.get("input_audio") or {}
            stats.audio_tokens += _audio_cost(str(audio.get("data", "")), str(audio.get("format", "wav")))
        elif kind in ("file", "input_file"):
            f: dict[str, Any] = part["file"] if isinstance(part.get("file"), dict) else part
            stats.text_tokens += max(1, len(str(f.get("file_data") or "")) // 8) + 20
        else:
            stats.text_tokens += tokenizer.count_tokens(part_text(part))


def count_messages(messages: list[dict[str, Any]], tools: Any = None) -> PromptStats:
    """Prompt tokens of a chat request, and the token ids of its text (for prefix caching)."""
    stats = PromptStats()
    texts = []
    # one message with text content: its text is "role: content", and the content is counted along the way
    single = len(messages) == 1 and isinstance(messages[0].get("content"), str)
    for m in messages:
        stats.text_tokens += PER_MESSAGE + _role_tokens(str(m.get("role", "")))
        if m.get("name"):
            stats.text_tokens += PER_NAME + tokenizer.count_tokens(str(m["name"]))
        if not single:
            count_parts(m.get("content"), stats)
        for call in m.get("tool_calls") or []:
            fn = call.get("function") or {}
            stats.text_tokens += tokenizer.count_tokens(str(fn.get("name", "")) + str(fn.get("arguments", "")))
        texts.append(f"{m.get('role')}: {content_text(m.get('content'))}")
    if tools:
        stats.text_tokens += tokenizer.count_tokens(orjson.dumps(tools).decode())
    stats.text_tokens += REPLY_PRIMING
    if single:
        m = messages[0]
        ids, content_tokens = tokenizer.default_tokenizer().count_and_encode(f"{m.get('role')}:", m["content"])
        stats.token_ids = ids
        stats.text_tokens += content_tokens
    else:
        stats.token_ids = tokenizer.encode("\n".join(texts))
    return stats


@lru_cache(maxsize=256)
def _role_tokens(role: str) -> int:
    return tokenizer.count_tokens(role)


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for m in reversed(messages):
        if m.get("role") == "user":
            return content_text(m.get("content"))
    return content_text(messages[-1].get("content")) if messages else ""


def topic_text(messages: list[dict[str, Any]]) -> str:
    """What the answer should be about: the last user message, joined by the one before when it is a short
    follow-up ('Can you give me a simple example?' keeps the earlier subject)."""
    users = [content_text(m.get("content")) for m in messages if m.get("role") == "user"]
    users = [u for u in users if u.strip()]
    if not users:
        return system_text(messages)
    if len(users) > 1 and len(users[-1].split()) < 10:
        return f"{users[-2]}\n{users[-1]}"
    return users[-1]


def system_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(content_text(m.get("content")) for m in messages if m.get("role") in ("system", "developer"))


def tool_results_after_last_user(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool (and legacy function) results that answer the assistant's last calls, newest turn only."""
    out: list[dict[str, Any]] = []
    for m in reversed(messages):
        if m.get("role") in ("tool", "function"):
            out.append(m)
        elif m.get("role") == "user":
            break
    return list(reversed(out))
