"""Embeddings: createEmbedding.

Vectors come from `sim.vectors` (lexical features hashed into nested scales), so texts that share words are
closer than unrelated ones, and the same text always gets the same vector. Each model has its native dimension in
the catalog (`embedding_dimensions`; unknown models 1536).

Decisions:
- `dimensions` keeps the first N components and renormalises them (the vectors are Matryoshka-style, so the prefix
  keeps the meaning). It is accepted for every model except text-embedding-ada-002, which OpenAI refuses it for;
  more than the model's native dimension is a 400 naming `dimensions`.
- Inputs may be a string, strings, a token-id array or token-id arrays (decoded with the tokenizer; ids outside
  the vocabulary wrap around it, so any integer decodes). An empty string is refused by the schema, as OpenAI does.
- Each input may have at most the model's context window of tokens, and a request at most 300,000 tokens, as
  OpenAI limits them. vLLM's `truncate_prompt_tokens` keeps the last N tokens of longer inputs instead.
- Models of other kinds are not refused: any model id embeds, with 1536 dimensions unless the catalog says more.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from fakeai.context import Binary, Context
from fakeai.errors import APIError
from fakeai.registry import serves

from .catalog import ModelInfo
from .latency import engine
from .models_api import resolve_model
from .sim import tokenizer
from .sim.vectors import MAX_DIM, embed, to_base64, truncate
from .usage import record_usage

DEFAULT_DIMENSIONS = 1536
MAX_REQUEST_TOKENS = 300_000
NO_DIMENSIONS = ("text-embedding-ada-002",)
THREAD_BATCH = 64


@dataclass
class Inputs:
    texts: list[str]
    tokens: list[int]  # tokens of each input


def native_dimensions(model: ModelInfo) -> int:
    return int(model.embedding_dimensions or DEFAULT_DIMENSIONS)


def _decode(ids: list[int]) -> str:
    tok = tokenizer.default_tokenizer()
    return tok.decode([i % tok.vocab_size for i in ids])


def _valid_text(text: str) -> str:
    """`text` with lone surrogates (JSON escapes like \\ud800 that are not a pair) replaced, so it encodes."""
    return text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text


def read_inputs(raw: Any, model: ModelInfo, keep_last: int | None) -> Inputs:
    """The texts to embed and the tokens of each, with the per-input and per-request limits applied."""
    items: list[Any] = [raw] if isinstance(raw, str) else list(raw)
    if items and all(isinstance(i, int) for i in items):
        items = [items]  # one pre-tokenised input
    tok = tokenizer.default_tokenizer()
    texts: list[str] = []
    counts: list[int] = []
    limit = model.context_window
    for index, item in enumerate(items):
        if isinstance(item, str):
            ids = None
            count = tok.count(item)
        else:
            ids = [int(i) for i in item]
            count = len(ids)
        if keep_last is not None and count > keep_last:
            ids = (ids if ids is not None else tok.encode(item))[-keep_last:]
            count = len(ids)
        elif count > limit:
            where = "" if isinstance(raw, str) else f" (input {index})"
            raise APIError(
                400,
                f"This model's maximum context length is {limit} tokens, however you requested {count} tokens"
                f"{where}. Please reduce your prompt.",
                param="input",
                code="context_length_exceeded",
            )
        texts.append(_valid_text(_decode(ids) if ids is not None else item))
        counts.append(count)
    total = sum(counts)
    if total > MAX_REQUEST_TOKENS:
        raise APIError(
            400,
            f"Requested {total} tokens, max {MAX_REQUEST_TOKENS} tokens per request.",
            param="input",
            code="max_tokens_per_request",
        )
    return Inputs(texts, counts)


def _keep_last(req: dict[str, Any], model: ModelInfo) -> int | None:
    value = req.get("truncate_prompt_tokens")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < -1 or value == 0:
        raise APIError(
            400, "truncate_prompt_tokens must be a positive integer, or -1 for the model's limit.",
            param="truncate_prompt_tokens",
        )  # fmt: skip
    return model.context_window if value == -1 else min(value, model.context_window)


def target_dimensions(req: dict[str, Any], model: ModelInfo) -> int:
    native = native_dimensions(model)
    asked = req.get("dimensions")
    if asked is None:
        return native
    if model.id in NO_DIMENSIONS:
        raise APIError(400, "This model does not support specifying dimensions.", param="dimensions")
    if asked > native:
        raise APIError(
            400,
            f"Invalid value for 'dimensions' = {asked}: {model.id} produces {native}-dimensional embeddings; "
            f"ask for {native} or fewer.",
            param="dimensions",
            code="invalid_value",
        )
    return int(asked)


def vectors(texts: list[str], native: int, dims: int) -> np.ndarray:
    """Unit vectors of `dims` components: the first `dims` of the native vector, renormalised."""
    width = min(native, MAX_DIM)
    full = embed(texts, width)
    if dims < width:
        return truncate(full, dims)
    if dims > width:  # a catalog model wider than the simulator: pad with zeros (still unit length)
        return np.pad(full, ((0, 0), (0, dims - width)))
    return full


def body(model_name: str, vecs: np.ndarray, encoding: str, prompt_tokens: int) -> bytes:
    """The response JSON. Written directly: a 2,048 x 3,072 answer is millions of numbers, and orjson writes a
    float32 array in its shortest exact form far faster than any per-number walk."""
    if encoding == "base64":
        data: list[dict[str, Any]] = [
            {"object": "embedding", "index": i, "embedding": to_base64(v)} for i, v in enumerate(vecs)
        ]
    else:
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vecs)]
    return orjson.dumps(
        {
            "object": "list",
            "data": data,
            "model": model_name,
            "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens},
        },
        option=orjson.OPT_SERIALIZE_NUMPY,
    )


@serves("createEmbedding", complete=True)
async def create_embedding(_: Any, ctx: Context) -> Binary:
    req = ctx.data
    model = resolve_model(ctx, req.get("model"))
    dims = target_dimensions(req, model)
    inputs = read_inputs(req["input"], model, _keep_last(req, model))
    prompt_tokens = sum(inputs.tokens)
    if len(inputs.texts) > THREAD_BATCH:  # large batches are computed off the event loop
        vecs = await asyncio.to_thread(vectors, inputs.texts, native_dimensions(model), dims)
    else:
        vecs = vectors(inputs.texts, native_dimensions(model), dims)
    record_usage(ctx, model, prompt_tokens, 0)
    schedule = engine(ctx).schedule(model, prompt_tokens, ctx.rng("latency"), arrival=ctx.received)
    if not schedule.zero:
        await schedule.first_token()
    encoding = req.get("encoding_format") or "float"
    return Binary(body(req["model"], vecs, encoding, prompt_tokens), "application/json")
