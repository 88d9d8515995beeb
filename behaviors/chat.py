"""Chat completions: createChatCompletion, JSON and server-sent events.

Each choice is planned from the request (text, reasoning, tool calls, structured JSON, audio), then rendered as
one completion or streamed as chunks that fall due on the latency schedule.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fakeai.context import Context, EventStream
from fakeai.errors import APIError
from fakeai.ids import hex_id
from fakeai.registry import serves

from . import chat_store, chat_stream, structured, tools
from .catalog import ModelInfo
from .generation import Answer, Budget, answer, stop_list
from .latency import engine
from .models_api import resolve_model
from .prompt import PromptStats, count_messages, last_user_text, topic_text
from .sim import logprobs as lp
from .usage import record_usage


@dataclass(slots=True)
class Choice:
    index: int
    answer: Answer
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    function_call: dict[str, Any] | None = None
    audio: dict[str, Any] | None = None
    logprobs: list[dict[str, Any]] | None = None
    audio_tokens: int = 0

    @property
    def finish_reason(self) -> str:
        if self.function_call is not None:
            return "function_call"
        if self.tool_calls:
            return "tool_calls"
        return self.answer.finish_reason

    @property
    def content(self) -> str | None:
        if self.audio is not None:
            return None  # the text is the audio's transcript
        if (self.tool_calls or self.function_call) and not self.answer.tokens:
            return None
        return self.answer.text

    @property
    def completion_tokens(self) -> int:
        calls = sum(tools.call_tokens(c["function"]) for c in self.tool_calls)
        if self.function_call:
            calls += tools.call_tokens(self.function_call)
        return self.answer.completion_tokens + calls + self.audio_tokens


@dataclass(slots=True)
class Plan:
    """Everything about one chat request that its JSON and streamed forms share."""

    id: str
    created: int
    model: ModelInfo
    request: dict[str, Any]
    prompt: PromptStats
    choices: list[Choice]
    cached_tokens: int = 0

    @property
    def fingerprint(self) -> str:
        return _fingerprint(self.model.id)

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens for c in self.choices)

    def usage(self) -> dict[str, Any]:
        completion = self.completion_tokens
        return {
            "prompt_tokens": self.prompt.total,
            "completion_tokens": completion,
            "total_tokens": self.prompt.total + completion,
            "prompt_tokens_details": {"cached_tokens": self.cached_tokens, "audio_tokens": self.prompt.audio_tokens},
            "completion_tokens_details": {
                "reasoning_tokens": sum(len(c.answer.reasoning) for c in self.choices),
                "audio_tokens": sum(c.audio_tokens for c in self.choices),
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }


@lru_cache(maxsize=1024)
def _fingerprint(model_id: str) -> str:
    return "fp_" + hashlib.blake2b(model_id.encode(), digest_size=5).hexdigest()


def budget_for(req: dict[str, Any], model: ModelInfo, prompt_tokens: int) -> Budget:
    """The completion budget: the request's max_(completion_)tokens, within what the model and context allow."""
    room = model.context_window - prompt_tokens
    if room <= 0:
        raise APIError(
            400,
            f"This model's maximum context length is {model.context_window} tokens. However, your messages "
            f"resulted in {prompt_tokens} tokens. Please reduce the length of the messages.",
            param="messages",
            code="context_length_exceeded",
        )
    cap = min(model.max_output_tokens, room)
    asked = req.get("max_completion_tokens") or req.get("max_tokens")
    min_tokens = int(req.get("min_tokens") or 0)
    if asked is not None:
        return Budget(
            limit=min(int(asked), cap), explicit=True, min_tokens=min_tokens, ignore_eos=bool(req.get("ignore_eos"))
        )
    return Budget(limit=cap, min_tokens=min_tokens, ignore_eos=False)


def plan(ctx: Context, req: dict[str, Any]) -> Plan:
    model = resolve_model(ctx, req.get("model"))
    messages = req["messages"]
    prompt = count_messages(messages, req.get("tools") or req.get("functions"))
    budget = budget_for(req, model, prompt.total)
    n = int(req.get("n") or 1)
    stops = stop_list(req.get("stop"))
    question = last_user_text(messages)
    topic = topic_text(messages)
    deterministic = req.get("temperature") == 0
    fmt = structured.response_format(req.get("response_format"))
    choices = []
    for i in range(n):
        rng = ctx.rng(0 if deterministic else i)
        call_plan = tools.plan_calls(req, messages, rng) if not fmt else None
        if call_plan is not None:
            ans = Answer(reasoning=_reasoning(model, req, topic, rng, budget), finish_reason="tool_calls")
            choice = Choice(i, ans, tool_calls=call_plan.tool_calls, function_call=call_plan.function_call)
        elif fmt is not None:
            choice = Choice(i, structured.answer(fmt, topic, rng, budget, _reasoning(model, req, topic, rng, budget)))
        elif tools.has_results(messages):
            choice = Choice(i, tools.final_answer(messages, topic, rng, budget))
        else:
            echo = question if model.echo else None
            ans = answer(
                topic,
                rng,
                budget,
                stop=stops,
                echo=echo,
                reasoning_effort=req.get("reasoning_effort"),
                reasoning=model.reasoning,
            )
            choice = Choice(i, ans)
        if req.get("logprobs"):
            choice.logprobs = lp.token_logprobs(choice.answer.tokens, rng, int(req.get("top_logprobs") or 0))
        if "audio" in (req.get("modalities") or []):
            from .chat_audio import attach_audio

            attach_audio(choice, req.get("audio") or {}, rng)
        choices.append(choice)
    return Plan(
        id="chatcmpl-" + hex_id(24),
        created=int(time.time()),
        model=model,
        request=req,
        prompt=prompt,
        choices=choices,
    )


def _reasoning(model: ModelInfo, req: dict[str, Any], topic: str, rng: Any, budget: Budget) -> list[str]:
    if not model.reasoning:
        return []
    effort = req.get("reasoning_effort") or "low"
    return answer(
        topic, rng, Budget(limit=max(1, budget.limit // 2)), reasoning_effort=effort, reasoning=True
    ).reasoning


def message(choice: Choice) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": "assistant", "content": choice.content, "refusal": None, "annotations": []}
    if choice.answer.reasoning:
        msg["reasoning_content"] = choice.answer.reasoning_text
    if choice.tool_calls:
        msg["tool_calls"] = choice.tool_calls
    if choice.function_call is not None:
        msg["function_call"] = choice.function_call
    if choice.audio is not None:
        msg["audio"] = choice.audio
    return msg


def completion(p: Plan) -> dict[str, Any]:
    return {
        "id": p.id,
        "object": "chat.completion",
        "created": p.created,
        "model": p.request.get("model", p.model.id),
        "choices": [
            {
                "index": c.index,
                "message": message(c),
                "logprobs": {"content": c.logprobs, "refusal": None} if c.logprobs is not None else None,
                "finish_reason": c.finish_reason,
            }
            for c in p.choices
        ],
        "usage": p.usage(),
        "service_tier": p.request.get("service_tier") or "default",
        "system_fingerprint": p.fingerprint,
    }


@serves("createChatCompletion", complete=True)
async def create_chat_completion(_: Any, ctx: Context) -> Any:
    req = ctx.data
    p = plan(ctx, req)
    longest = max((c.completion_tokens for c in p.choices), default=1)
    seq = engine(ctx).submit(
        p.model, p.prompt.token_ids, p.prompt.total, longest, ctx.lazy_rng("latency"), ctx.received
    )
    p.cached_tokens = seq.cached_tokens
    record_usage(ctx, p.model, p.prompt.total, p.completion_tokens, cached_tokens=seq.cached_tokens)
    if req.get("stream"):
        return EventStream(chat_stream.chunks(p, seq))
    try:
        await seq.all_tokens()
    finally:
        seq.close()
    body = completion(p)
    if req.get("store"):
        chat_store.save(ctx, body, req)
    return body
