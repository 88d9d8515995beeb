"""Reranking: NVIDIA NIM's createRanking (/ranking), Cohere/Jina/vLLM's createRerank (/rerank, also HuggingFace
TEI's shape on the same path) and createRerankV2 (/v2/rerank).

Every shape is scored by the same lexical relevance model (`sim.relevance`, BM25 over the request's passages):
NIM answers logits, Cohere-style APIs a relevance_score in 0..1 (the logit's sigmoid), TEI either. Results are
sorted most relevant first (ties keep request order).

Length limits use the model's `max_input_tokens` (else its context window) for the query and one passage together:
NIM's truncate NONE refuses a longer pair with a 400 naming the passage, END cuts the passage (and the query, if it
alone is too long) at the end; Cohere-style requests are cut silently (Cohere's own behaviour), also at
`max_tokens_per_doc`; TEI refuses unless `truncate` is true, then cuts at the `truncation_direction` end.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from fakeai.context import Context
from fakeai.errors import APIError
from fakeai.registry import serves

from .catalog import ModelInfo
from .latency import engine
from .models_api import resolve_model
from .sim import relevance, tokenizer
from .usage import record_usage

DEFAULT_RERANKER = "BAAI/bge-reranker-v2-m3"
SEARCH_UNIT_DOCS = 100  # Cohere bills one search unit per query and up to 100 documents


def pair_limit(model: ModelInfo) -> int:
    return int(model.max_input_tokens or model.context_window)


def cut(text: str, keep: int, *, left: bool = False) -> str:
    """`text` shortened to `keep` tokens, dropping the end (or the start when `left`)."""
    tokens = tokenizer.tokenize(text)
    if len(tokens) <= keep:
        return text
    kept = tokens[len(tokens) - keep :] if left and keep > 0 else tokens[: max(0, keep)]
    return "".join(kept)


def fit_pairs(
    query: str,
    passages: list[str],
    limit: int,
    *,
    truncate: bool,
    param: str,
    left: bool = False,
) -> tuple[str, list[str], int]:
    """(query, passages) within `limit` tokens per query+passage pair, and the tokens read in all.

    Without `truncate` a pair over the limit is a 400 naming the passage (`param` formatted with its index)."""
    q_tokens = tokenizer.count_tokens(query)
    if q_tokens >= limit:
        if not truncate:
            raise APIError(
                400,
                f"The query has {q_tokens} tokens, more than this model's limit of {limit} tokens for a query and a "
                "passage together. Shorten it or allow truncation.",
                param="query",
                code="context_length_exceeded",
            )
        query = cut(query, max(1, limit // 2), left=left)
        q_tokens = tokenizer.count_tokens(query)
    room = max(1, limit - q_tokens)
    fitted: list[str] = []
    total = 0
    for i, passage in enumerate(passages):
        p_tokens = tokenizer.count_tokens(passage)
        if p_tokens > room:
            if not truncate:
                raise APIError(
                    400,
                    f"Passage {i} and the query have {q_tokens + p_tokens} tokens together, more than this model's "
                    f"limit of {limit}. Shorten the passage or allow truncation.",
                    param=param.format(i),
                    code="context_length_exceeded",
                )
            passage = cut(passage, room, left=left)
            p_tokens = tokenizer.count_tokens(passage)
        fitted.append(passage)
        total += q_tokens + p_tokens
    return query, fitted, total


def ranked(scores: list[float]) -> list[int]:
    """Indices by score, highest first; equal scores keep request order."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i], i))


async def _pace(ctx: Context, model: ModelInfo, tokens: int) -> None:
    schedule = engine(ctx).schedule(model, tokens, ctx.rng("latency"), arrival=ctx.received)
    if not schedule.zero:
        await schedule.first_token()


@serves("createRanking")
async def create_ranking(_: Any, ctx: Context) -> dict[str, Any]:
    req = ctx.data
    model = resolve_model(ctx, req.get("model"))
    passages = [p["text"] for p in req["passages"]]
    query, fitted, tokens = fit_pairs(
        req["query"]["text"],
        passages,
        pair_limit(model),
        truncate=(req.get("truncate") or "NONE") == "END",
        param="passages[{}]",
    )
    logits = relevance.logits(query, fitted)
    record_usage(ctx, model, tokens, 0)
    await _pace(ctx, model, tokens)
    return {"rankings": [{"index": i, "logit": logits[i]} for i in ranked(logits)]}


def _document_text(doc: Any) -> str:
    return doc if isinstance(doc, str) else str(doc.get("text", ""))


async def _rerank(ctx: Context, req: dict[str, Any]) -> dict[str, Any]:
    """Cohere / Jina / vLLM: {model, query, documents, top_n, return_documents} -> results by relevance_score."""
    model_name = req.get("model") or DEFAULT_RERANKER
    model = resolve_model(ctx, model_name)
    texts = [_document_text(d) for d in req["documents"]]
    limit = pair_limit(model)
    per_doc = req.get("max_tokens_per_doc")
    if per_doc:
        limit = min(limit, tokenizer.count_tokens(req["query"]) + int(per_doc))
    query, fitted, tokens = fit_pairs(req["query"], texts, limit, truncate=True, param="documents[{}]")
    scores = relevance.relevance_scores(query, fitted)
    order = ranked(scores)
    top_n = req.get("top_n")
    if top_n:
        order = order[: int(top_n)]
    with_docs = req.get("return_documents", True) is not False
    results: list[dict[str, Any]] = []
    for i in order:
        item: dict[str, Any] = {"index": i, "relevance_score": scores[i]}
        if with_docs:
            item["document"] = {"text": texts[i]}
        results.append(item)
    record_usage(ctx, model, tokens, 0)
    await _pace(ctx, model, tokens)
    return {
        "id": str(uuid.uuid4()),
        "model": model_name,
        "results": results,
        "usage": {"total_tokens": tokens},
        "meta": {"billed_units": {"search_units": math.ceil(len(texts) / SEARCH_UNIT_DOCS)}},
    }


async def _tei_rerank(ctx: Context, req: dict[str, Any]) -> list[dict[str, Any]]:
    """HuggingFace TEI: {query, texts, raw_scores, return_text, truncate} -> [{index, score, text?}]."""
    model = resolve_model(ctx, req.get("model") or DEFAULT_RERANKER)
    texts: list[str] = list(req["texts"])
    query, fitted, tokens = fit_pairs(
        req["query"],
        texts,
        pair_limit(model),
        truncate=bool(req.get("truncate")),
        param="texts[{}]",
        left=req.get("truncation_direction") == "Left",
    )
    scores = relevance.logits(query, fitted) if req.get("raw_scores") else relevance.relevance_scores(query, fitted)
    out: list[dict[str, Any]] = []
    for i in ranked(scores):
        item: dict[str, Any] = {"index": i, "score": scores[i]}
        if req.get("return_text"):
            item["text"] = texts[i]
        out.append(item)
    record_usage(ctx, model, tokens, 0)
    await _pace(ctx, model, tokens)
    return out


@serves("createRerank")
async def create_rerank(_: Any, ctx: Context) -> Any:
    req = ctx.data
    if "documents" in req:
        return await _rerank(ctx, req)
    return await _tei_rerank(ctx, req)


@serves("createRerankV2")
async def create_rerank_v2(_: Any, ctx: Context) -> dict[str, Any]:
    return await _rerank(ctx, ctx.data)
