"""Planning one Realtime response: the prompt from the conversation's items, then function calls (the session's
function tools) or one assistant message, as text or as audio with its transcript.

The model "hears" user audio as a transcript: the client's, or one made up for it (`heard`, deterministic in the
audio bytes, about 2.5 words per second of audio). Answers are voice-length: a natural answer longer than about
a paragraph ends at its last full sentence within the limit (an explicit max_output_tokens cuts exactly, and the
response is then incomplete). Token counts: text as chat messages, audio 10 tokens per second, images by tiles.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import orjson

from fakeai.errors import APIError

from . import tools
from .catalog import ModelInfo
from .generation import Answer, Budget, answer
from .prompt import PromptStats, count_messages, last_user_text
from .realtime_audio import speech
from .realtime_events import EventError, new_id
from .realtime_items import Conversation
from .realtime_session import ResponseConfig
from .sim import tokenizer
from .sim.vision_tokens import audio_tokens

VOICE_TOKENS = (30, 60)  # a natural spoken answer stops at a sentence end within this many tokens
REALTIME_MAX_OUTPUT = 4096
WORDS_PER_SECOND = 2.5


@dataclass
class Planned:
    """One output item of a response, planned before it is streamed."""

    item: dict[str, Any]  # the finished item (GA shape)
    pieces: list[str] = field(default_factory=list)  # text / transcript tokens or argument pieces, in order
    audio: bytes = b""
    audio_ms: int = 0
    finish: str = "stop"


@dataclass
class Plan:
    prompt: PromptStats
    items: list[Planned]
    audio_out: bool

    @property
    def incomplete(self) -> bool:
        return any(p.finish == "length" for p in self.items)


@cache
def _phrases() -> dict[str, list[str]]:
    data = json.loads(files("fakeai.behaviors.sim").joinpath("data/textgen.json").read_text("utf-8"))
    return {k: data[k] for k in ("aspects", "fields", "people", "examples")}


def heard(audio: bytes, ms: int) -> str:
    """What a user said in `ms` of audio: a made-up request of about the right length."""
    rng = random.Random(hashlib.blake2b(audio, digest_size=8).digest())
    p = _phrases()
    want = max(2, round(ms / 1000 * WORDS_PER_SECOND))
    openers = ("Can you tell me about", "What do you know about", "Could you explain", "I'd like to hear about")
    sentences = [f"{rng.choice(openers)} {rng.choice(p['aspects'])} in {rng.choice(p['fields'])}?"]
    follow = ("And how does that matter for {}?", "Think of {} as an example.", "Keep it short, please.")
    while sum(len(s.split()) for s in sentences) < want:
        sentences.append(rng.choice(follow).format(rng.choice(p["people"] + p["examples"])))
    words = " ".join(sentences).split()[: max(want, 4)]
    text = " ".join(words)
    return text if text[-1] in ".?!" else text.rstrip(",") + "."


def _part_text(part: dict[str, Any]) -> str:
    if part["type"] in ("input_text", "output_text"):
        return str(part.get("text") or "")
    if part["type"] in ("input_audio", "output_audio"):
        return str(part.get("transcript") or part.get("_heard") or "")
    return ""


def context(items: list[dict[str, Any]], instructions: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """(chat messages with the items' text, the same with audio left out for counting, audio tokens)."""
    said: list[dict[str, Any]] = [{"role": "system", "content": instructions}] if instructions else []
    counted = list(said)
    audio = 0
    for it in items:
        if it["type"] == "message":
            parts = it["content"]
            said.append({"role": it["role"], "content": " ".join(t for t in map(_part_text, parts) if t)})
            visible = [p for p in parts if p["type"] not in ("input_audio", "output_audio")]
            counted.append(
                {
                    "role": it["role"],
                    "content": [{k: v for k, v in p.items() if not k.startswith("_")} for p in visible],
                }
            )
            audio += sum(
                audio_tokens(p.get("_ms", 0) / 1000) for p in parts if p["type"] in ("input_audio", "output_audio")
            )
        elif it["type"] == "function_call":
            call = {
                "id": it["call_id"],
                "type": "function",
                "function": {"name": it["name"], "arguments": it["arguments"]},
            }
            said.append({"role": "assistant", "content": None, "tool_calls": [call]})
            counted.append(said[-1])
        elif it["type"] == "function_call_output":
            said.append({"role": "tool", "tool_call_id": it["call_id"], "content": it["output"]})
            counted.append(said[-1])
    return said, counted, audio


def resolve_input(cfg: ResponseConfig, conversation: Conversation) -> list[dict[str, Any]]:
    if cfg.input is None:
        return list(conversation.items) if cfg.conversation == "auto" else []
    out = []
    for i, it in enumerate(cfg.input):
        out.append(conversation.require(it["id"], f"response.input[{i}].id") if it["type"] == "item_reference" else it)
    return out


def _chat_request(cfg: ResponseConfig) -> dict[str, Any]:
    s = cfg.settings
    fns = [
        {"type": "function", "function": {k: t[k] for k in ("name", "description", "parameters") if k in t}}
        for t in s.tools
        if t.get("type") == "function"
    ]
    choice: Any = s.tool_choice
    if isinstance(choice, dict):
        choice = (
            {"type": "function", "function": {"name": choice["name"]}} if choice.get("type") == "function" else "auto"
        )
    return {"tools": fns, "tool_choice": choice, "parallel_tool_calls": s.parallel_tool_calls}


def _voice_length(ans: Answer, rng: random.Random) -> Answer:
    cap = rng.randint(*VOICE_TOKENS)
    if len(ans.tokens) <= cap:
        return ans
    text = "".join(ans.tokens[:cap])
    end = max(text.rfind(". "), text.rfind("! "), text.rfind("? "), text.rfind(".\n"))
    if end > 0:
        return Answer(tokens=tokenizer.tokenize(text[: end + 1]), finish_reason="stop")
    return ans


def plan(cfg: ResponseConfig, items: list[dict[str, Any]], model: ModelInfo, seed: int) -> Plan:
    s = cfg.settings
    said, counted, audio = context(items, s.instructions)
    tool_list = [t for t in s.tools if t.get("type") == "function"] or None
    stats = count_messages(counted, tool_list)
    stats.audio_tokens += audio
    digest = hashlib.blake2b(orjson.dumps([said, s.tools, s.audio_out, model.id]), digest_size=8).hexdigest()
    rng = random.Random(f"{seed}:{digest}")
    req = _chat_request(cfg)
    try:
        calls = tools.plan_calls(req, said, rng)
    except APIError as e:
        raise EventError(e.message, param="response.tool_choice", code=e.code or "invalid_value") from None
    if calls is not None and calls.tool_calls:
        out = []
        for call in calls.tool_calls:
            fn = call["function"]
            item = {"id": new_id("item"), "object": "realtime.item", "type": "function_call", "status": "completed",
                    "name": fn["name"], "call_id": call["id"], "arguments": fn["arguments"]}  # fmt: skip
            out.append(Planned(item, tokenizer.tokenize(fn["arguments"])))
        return Plan(stats, out, s.audio_out)
    explicit = s.max_output_tokens != "inf"
    limit = int(s.max_output_tokens) if explicit else min(model.max_output_tokens, REALTIME_MAX_OUTPUT)
    budget = Budget(limit=limit, explicit=explicit)
    question = last_user_text(said)
    topic = question or s.instructions
    if tools.has_results(said):
        ans = tools.final_answer(said, topic, rng, budget)
    else:
        ans = answer(topic, rng, budget, echo=question if model.echo else None)
    if not explicit and not model.echo:
        ans = _voice_length(ans, rng)
    text = ans.text
    if s.audio_out:
        audio_data = speech(text, s.output_format, voice=s.voice_name, speed=s.speed, seed=rng.randrange(1 << 16))
        part = {"type": "output_audio", "transcript": text, "audio": "", "_ms": 0}
    else:
        audio_data, part = b"", {"type": "output_text", "text": text}
    status = "incomplete" if ans.finish_reason == "length" else "completed"
    item = {"id": new_id("item"), "object": "realtime.item", "type": "message", "status": status, "role": "assistant",
            "content": [part]}  # fmt: skip
    return Plan(stats, [Planned(item, list(ans.tokens), audio_data, finish=ans.finish_reason)], s.audio_out)


def usage(prompt: PromptStats, output_text: int, output_audio: int, cached: int) -> dict[str, Any]:
    cached = min(cached, prompt.total)
    cached_text = min(cached, prompt.text_tokens)
    cached_audio = min(cached - cached_text, prompt.audio_tokens)
    cached_image = cached - cached_text - cached_audio
    output = output_text + output_audio
    return {
        "total_tokens": prompt.total + output,
        "input_tokens": prompt.total,
        "output_tokens": output,
        "input_token_details": {
            "cached_tokens": cached,
            "text_tokens": prompt.text_tokens,
            "audio_tokens": prompt.audio_tokens,
            "image_tokens": prompt.image_tokens,
            "cached_tokens_details": {
                "text_tokens": cached_text,
                "audio_tokens": cached_audio,
                "image_tokens": cached_image,
            },
        },
        "output_token_details": {"text_tokens": output_text, "audio_tokens": output_audio},
    }
