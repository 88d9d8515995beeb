"""Legacy completions (createCompletion) and Azure-style text generation (createTextGeneration).

Legacy: prompt as a string, an array of strings, a token array or arrays of them (each prompt gets n choices);
suffix; echo; n and best_of; integer logprobs; stop; max_tokens (default 16, as the API); stream.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from fakeai.context import Context, EventStream
from fakeai.errors import APIError
from fakeai.ids import hex_id
from fakeai.registry import serves

from .catalog import ModelInfo
from .generation import Answer, Budget, answer, stop_list
from .latency import Sequence, engine
from .models_api import resolve_model
from .sim import logprobs as lp
from .sim import tokenizer
from .usage import record_usage

LEGACY_DEFAULT_MAX_TOKENS = 16


def decode_ids(ids: list[int]) -> str:
    """Text of a token-id prompt. Ids outside the vocabulary wrap into it (below the surrogate code points,
    which are not valid text), so any integer array decodes."""
    tok = tokenizer.default_tokenizer()
    safe = tok.codepoint_base + 0xD800
    return tok.decode([i % safe for i in ids if isinstance(i, int)])


def prompts(value: Any) -> list[str]:
    """The prompts of a legacy request as text: token arrays are decoded with the tokenizer."""
    if value is None:
        return ["<|endoftext|>"]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return [decode_ids(value)]
    out = []
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list):
            out.append(decode_ids(v))
    return out or [""]


def _budget(req: dict[str, Any], model: ModelInfo, prompt_tokens: int, default: int | None) -> Budget:
    room = model.context_window - prompt_tokens
    if room <= 0:
        raise APIError(
            400,
            f"This model's maximum context length is {model.context_window} tokens, however you requested "
            f"{prompt_tokens} tokens in your prompt. Please reduce your prompt.",
            param="prompt",
            code="context_length_exceeded",
        )
    asked = req.get("max_tokens", default)
    cap = min(model.max_output_tokens, room)
    if asked is None:
        return Budget(limit=cap, min_tokens=int(req.get("min_tokens") or 0))
    return Budget(
        limit=min(int(asked), cap),
        explicit=True,
        min_tokens=int(req.get("min_tokens") or 0),
        ignore_eos=bool(req.get("ignore_eos")),
    )


@serves("createCompletion", complete=True)
async def create_completion(_: Any, ctx: Context) -> Any:
    req = ctx.data
    model = resolve_model(ctx, req.get("model"))
    texts = prompts(req.get("prompt"))
    n = int(req.get("n") or 1)
    # best_of candidates are generated server-side and n returned; a best_of below n (schema-valid) means n
    best_of = max(int(req.get("best_of") or n), n)
    stops = stop_list(req.get("stop"))
    want_logprobs = req.get("logprobs")
    echo = bool(req.get("echo"))
    prompt_tokens = sum(tokenizer.count_tokens(t) for t in texts)
    choices: list[tuple[int, str, Answer, Any]] = []
    for p_index, text in enumerate(texts):
        budget = _budget(req, model, tokenizer.count_tokens(text), LEGACY_DEFAULT_MAX_TOKENS)
        for i in range(n):
            rng = ctx.rng(f"{p_index}:{0 if req.get('temperature') == 0 else i}")
            ans = answer(text, rng, budget, stop=stops, echo=text if model.echo else None)
            if ans.tokens and text and not text[-1].isspace() and not ans.tokens[0][:1].isspace():
                ans.tokens[0] = " " + ans.tokens[0]  # a continuation, not a new paragraph glued to the prompt
            shown = (text if echo else "") + ans.text
            probs = None
            if want_logprobs is not None:
                toks = (tokenizer.tokenize(text) if echo else []) + ans.tokens
                probs = lp.legacy_logprobs(toks, rng, int(want_logprobs))
            choices.append((p_index * n + i, shown, ans, probs))
    generated = sum(len(a.tokens) for _, _, a, _ in choices) * best_of // n
    longest = max((len(a.tokens) for _, _, a, _ in choices), default=1)
    ids = tokenizer.encode("\n".join(texts))
    seq = engine(ctx).submit(model, ids, prompt_tokens, longest, ctx.lazy_rng("latency"), ctx.received)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": generated,
        "total_tokens": prompt_tokens + generated,
        "prompt_tokens_details": {"cached_tokens": seq.cached_tokens, "audio_tokens": 0},
    }
    record_usage(ctx, model, prompt_tokens, generated, cached_tokens=seq.cached_tokens)
    cid = "cmpl-" + hex_id(24)
    created = int(time.time())
    base = {"id": cid, "object": "text_completion", "created": created, "model": req.get("model", model.id)}
    if req.get("stream"):
        include_usage = bool((req.get("stream_options") or {}).get("include_usage"))
        return EventStream(_stream(base, choices, seq, usage if include_usage else None, echo, texts, n))
    try:
        await seq.all_tokens()
    finally:
        seq.close()
    return {
        **base,
        "system_fingerprint": "fp_fakeai",
        "choices": [
            {"text": shown, "index": idx, "logprobs": probs, "finish_reason": ans.finish_reason}
            for idx, shown, ans, probs in choices
        ],
        "usage": usage,
    }


async def _stream(
    base: dict[str, Any],
    choices: list[tuple[int, str, Answer, Any]],
    schedule: Sequence,
    usage: dict[str, Any] | None,
    echo: bool,
    texts: list[str],
    n: int,
) -> AsyncIterator[dict[str, Any]]:
    """The chunks, paced by the sequence; closing early (the client went away) frees its slot."""

    def chunk(idx: int, text: str, finish: str | None) -> dict[str, Any]:
        return {**base, "choices": [{"text": text, "index": idx, "logprobs": None, "finish_reason": finish}]}

    try:
        await schedule.first_token()
        if echo:
            for idx, _, _, _ in choices:
                yield chunk(idx, texts[idx // n], None)
        streams = [(idx, iter(ans.tokens), ans.finish_reason) for idx, _, ans, _ in choices]
        first = True
        while streams:
            if not first:
                await schedule.next_token()
            first = False
            alive = []
            for idx, it, finish in streams:
                tok = next(it, None)
                if tok is None:
                    yield chunk(idx, "", finish)
                else:
                    yield chunk(idx, tok, None)
                    alive.append((idx, it, finish))
            streams = alive
        if usage is not None:
            yield {**base, "choices": [], "usage": usage}
    finally:
        schedule.close()


@serves("createTextGeneration")
async def create_text_generation(_: Any, ctx: Context) -> dict[str, Any]:
    req = ctx.data
    model = resolve_model(ctx, req.get("model"))
    text = str(req.get("input", ""))
    prompt_tokens = tokenizer.count_tokens(text)
    budget = _budget({"max_tokens": req.get("max_output_tokens")}, model, prompt_tokens, None)
    ans = answer(text, ctx.rng(0), budget, stop=stop_list(req.get("stop")), echo=text if model.echo else None)
    seq = engine(ctx).submit(
        model, tokenizer.encode(text), prompt_tokens, max(1, len(ans.tokens)), ctx.lazy_rng("latency"), ctx.received
    )
    try:
        await seq.all_tokens()
    finally:
        seq.close()
    record_usage(ctx, model, prompt_tokens, len(ans.tokens))
    return {
        "id": "txtgen-" + hex_id(24),
        "created": int(time.time()),
        "output": ans.text,
        "model": req.get("model", model.id),
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(ans.tokens),
            "total_tokens": prompt_tokens + len(ans.tokens),
        },
    }
