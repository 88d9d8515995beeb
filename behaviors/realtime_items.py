"""Conversation items of a Realtime session: checking client items, the conversation (ordered, with
previous_item_id placement), and the item events (create, retrieve, delete, truncate).

Items are kept in their GA shape (assistant parts `output_text` / `output_audio`); `render_item` writes them for
GA or beta clients (beta parts `text` / `audio`), without audio data except for conversation.item.retrieve.
Private bookkeeping rides along in keys starting with "_" (audio length `_ms`, `_bytes`; `_heard`, what the
model takes user audio to say) and is never sent.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, Protocol

from .realtime_audio import RATES, SAMPLE_BYTES, duration_ms
from .realtime_events import EventError, decode_audio, expect, invalid, missing, new_id, take

if TYPE_CHECKING:
    from .realtime_session import Session

OBJECT_ITEM = "realtime.item"
ROLES_PARTS = {
    "user": ("input_text", "input_audio", "input_image"),
    "assistant": ("output_text", "output_audio"),
    "system": ("input_text",),
}
_PART_ALIASES = {"text": "output_text", "audio": "output_audio"}  # beta names of assistant parts


class Peer(Protocol):
    """The connection, as the item, input-audio and response code sees it."""

    beta: bool
    session: Session
    conversation: Conversation

    async def send(self, event: dict[str, Any]) -> None: ...


def normalize_item(raw: Any, param: str = "item") -> dict[str, Any]:
    """A client item (GA or beta shape) checked and in the GA shape; audio parts keep their decoded length."""
    data = expect(raw, dict, param)
    kind = data.get("type", "message" if "role" in data else None)
    if kind is None:
        raise missing(f"{param}.type")
    item: dict[str, Any] = {"id": take(data, "id", str, param) or new_id("item"), "object": OBJECT_ITEM}
    if kind == "message":
        role = take(data, "role", str, param, required=True)
        if role not in ROLES_PARTS:
            raise invalid(f"{param}.role", role, "Supported values are: 'user', 'assistant' and 'system'.")
        content = take(data, "content", list, param, required=True)
        parts = [_part(p, role, f"{param}.content[{i}]") for i, p in enumerate(content)]
        item.update(type="message", status="completed", role=role, content=parts)
    elif kind == "function_call":
        item.update(
            type="function_call",
            status="completed",
            call_id=take(data, "call_id", str, param) or new_id("call"),
            name=take(data, "name", str, param, required=True),
            arguments=take(data, "arguments", str, param) or "",
        )
    elif kind == "function_call_output":
        item.update(
            type="function_call_output",
            status="completed",
            call_id=take(data, "call_id", str, param, required=True),
            output=take(data, "output", str, param, required=True),
        )
    else:
        raise invalid(
            f"{param}.type", kind, "Supported values are: 'message', 'function_call' and 'function_call_output'."
        )
    return item


def _part(raw: Any, role: str, param: str) -> dict[str, Any]:
    data = expect(raw, dict, param)
    kind = take(data, "type", str, param, required=True)
    kind = _PART_ALIASES.get(kind, kind) if role == "assistant" else kind
    if kind not in ROLES_PARTS[role]:
        allowed = ", ".join(f"'{k}'" for k in ROLES_PARTS[role])
        raise invalid(f"{param}.type", data["type"], f"Supported values for a {role} message are: {allowed}.")
    if kind in ("input_text", "output_text"):
        return {"type": kind, "text": take(data, "text", str, param, required=True)}
    if kind == "input_image":
        url = take(data, "image_url", str, param, required=True)
        return {"type": kind, "image_url": url, "detail": take(data, "detail", str, param) or "auto"}
    transcript = take(data, "transcript", str, param)
    if kind == "output_audio":
        return {"type": kind, "transcript": transcript or ""}
    audio = decode_audio(data["audio"], f"{param}.audio") if data.get("audio") is not None else b""
    if not audio and transcript is None:
        raise missing(f"{param}.audio")
    return {"type": kind, "audio": base64.b64encode(audio).decode(), "transcript": transcript, "_bytes": len(audio)}


def render_item(item: dict[str, Any], *, beta: bool, with_audio: bool = False) -> dict[str, Any]:
    """The item as sent to the client: no private fields, no audio data unless `with_audio`."""
    out = {k: v for k, v in item.items() if not k.startswith("_")}
    if "content" in item:
        parts = []
        for part in item["content"]:
            p = {k: v for k, v in part.items() if not k.startswith("_") and (with_audio or k != "audio")}
            if beta and p.get("type") in ("output_text", "output_audio"):
                p["type"] = "text" if p["type"] == "output_text" else "audio"
            parts.append(p)
        out["content"] = parts
    return out


class Conversation:
    """The items of the default conversation, in order."""

    def __init__(self) -> None:
        self.id = new_id("conv")
        self.items: list[dict[str, Any]] = []

    def get(self, item_id: str) -> dict[str, Any] | None:
        return next((it for it in self.items if it["id"] == item_id), None)

    def require(self, item_id: str, param: str = "item_id") -> dict[str, Any]:
        item = self.get(item_id)
        if item is None:
            raise EventError(
                f"Item with item_id '{item_id}' not found in the conversation.", param=param, code="item_not_found"
            )
        return item

    def add(self, item: dict[str, Any], previous_item_id: str | None = None) -> str | None:
        """Insert `item` after `previous_item_id` ("root": first; None: last); the id of the item before it."""
        if self.get(item["id"]) is not None:
            raise EventError(f"Item with id '{item['id']}' already exists.", param="item.id", code="duplicate_item_id")
        if previous_item_id is None:
            at = len(self.items)
        elif previous_item_id == "root":
            at = 0
        else:
            self.require(previous_item_id, "previous_item_id")
            at = next(i for i, it in enumerate(self.items) if it["id"] == previous_item_id) + 1
        self.items.insert(at, item)
        return self.items[at - 1]["id"] if at > 0 else None

    def delete(self, item_id: str) -> None:
        self.items.remove(self.require(item_id))


# ---------------------------------------------------------------------------------------------- item events
async def item_added(peer: Peer, item: dict[str, Any], previous: str | None) -> None:
    """A client's item is in the conversation: conversation.item.added and .done (beta: conversation.item.created)."""
    rendered = render_item(item, beta=peer.beta)
    await peer.send({"type": "conversation.item.added", "previous_item_id": previous, "item": rendered})
    await peer.send({"type": "conversation.item.done", "previous_item_id": previous, "item": rendered})


async def create(peer: Peer, event: dict[str, Any], heard: Any) -> None:
    """conversation.item.create; `heard(audio, ms)` makes up what user audio without a transcript says."""
    if "item" not in event:
        raise missing("item")
    item = normalize_item(event["item"])
    for part in item.get("content", []):
        if part["type"] == "input_audio":
            part["_ms"] = duration_ms(part["_bytes"], peer.session.input_format)
            if part.get("transcript") is None:
                part["_heard"] = heard(part["audio"].encode(), part["_ms"])
    previous = peer.conversation.add(item, take(event, "previous_item_id", str, ""))
    await item_added(peer, item, previous)


async def retrieve(peer: Peer, event: dict[str, Any]) -> None:
    item = peer.conversation.require(take(event, "item_id", str, "", required=True))
    await peer.send({"type": "conversation.item.retrieved", "item": render_item(item, beta=peer.beta, with_audio=True)})


async def delete(peer: Peer, event: dict[str, Any]) -> None:
    item_id = take(event, "item_id", str, "", required=True)
    peer.conversation.delete(item_id)
    await peer.send({"type": "conversation.item.deleted", "item_id": item_id})


async def truncate(peer: Peer, event: dict[str, Any]) -> None:
    """Cut an assistant message's audio at audio_end_ms (what the user heard); its transcript is dropped."""
    item = peer.conversation.require(take(event, "item_id", str, "", required=True))
    index = take(event, "content_index", int, "", required=True)
    end_ms = take(event, "audio_end_ms", int, "", required=True)
    parts = item.get("content") or []
    if item.get("role") != "assistant" or not 0 <= index < len(parts) or parts[index]["type"] != "output_audio":
        raise EventError("Only the audio part of an assistant message can be truncated.", param="content_index")
    part = parts[index]
    length = int(part.get("_ms", 0))
    if not 0 <= end_ms <= length:
        raise EventError(f"Audio content of {length}ms is shorter than {end_ms}ms.", param="audio_end_ms")
    data = base64.b64decode(part.get("audio") or "")
    fmt = peer.session.output_format
    keep = min(len(data), end_ms * RATES[fmt] // 1000 * SAMPLE_BYTES[fmt])
    part.update(audio=base64.b64encode(data[:keep]).decode(), transcript="", _ms=end_ms, _bytes=keep)
    truncated = {"item_id": item["id"], "content_index": index, "audio_end_ms": end_ms}
    await peer.send({"type": "conversation.item.truncated", **truncated})
