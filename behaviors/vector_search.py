"""Vector store search: searchVectorStore. The chunks of a store's completed files (those whose attributes pass the
filters) are scored against the query by the same lexical relevance model as the ranking endpoints
(sim/relevance.py, a 0..1 score) and the best ones returned, one result per chunk."""

from __future__ import annotations

import re
from typing import Any

from fakeai.context import Context
from fakeai.registry import serves

from .sim.relevance import STOPWORDS, relevance_scores
from .vector_stores import CHUNKS, files_of, load, part_key, touch

_WORD = re.compile(r"[^\W_]+(?:['.-][^\W_]+)*")


def rewrite(query: str) -> str:
    """A keyword query: the query's words without stopwords and punctuation (the query itself if none is left)."""
    words = [w for w in _WORD.findall(query) if w.lower() not in STOPWORDS]
    return " ".join(words) if words else query.strip()


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _equal(a: Any, b: Any) -> bool:
    if _number(a) and _number(b):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def _order(a: Any, b: Any) -> int | None:
    """-1/0/1 comparing two numbers or two strings; None when they cannot be compared."""
    if _number(a) and _number(b):
        return (float(a) > float(b)) - (float(a) < float(b))
    if isinstance(a, str) and isinstance(b, str):
        return (a > b) - (a < b)
    return None


def matches(filt: dict[str, Any], attributes: dict[str, Any]) -> bool:
    """Whether a file's attributes pass a ComparisonFilter or (recursively) a CompoundFilter."""
    kind = filt.get("type", "eq")
    if kind in ("and", "or"):
        results = (matches(f, attributes) for f in filt.get("filters") or [])
        return all(results) if kind == "and" else any(results)
    key, value = filt.get("key"), filt.get("value")
    if key not in attributes:
        return kind in ("ne", "nin")
    actual = attributes[key]
    if kind in ("eq", "ne"):
        return _equal(actual, value) == (kind == "eq")
    if kind in ("in", "nin"):
        options = value if isinstance(value, list) else [value]
        return any(_equal(actual, v) for v in options) == (kind == "in")
    order = _order(actual, value)
    if order is None:
        return False
    return {"gt": order > 0, "gte": order >= 0, "lt": order < 0, "lte": order <= 0}.get(kind, False)


@serves("searchVectorStore")
async def search_vector_store(_: Any, ctx: Context) -> dict[str, Any]:
    req = ctx.data or {}
    store = ctx.services.store
    vs_id = ctx.params.vector_store_id
    load(store, vs_id)
    query = req.get("query")
    queries = [query] if isinstance(query, str) else [q for q in query or [] if isinstance(q, str)]
    if req.get("rewrite_query"):
        queries = [rewrite(q) for q in queries]
    filters = req.get("filters")
    passages: list[str] = []
    owners: list[dict[str, Any]] = []
    for f in files_of(store, vs_id):
        attributes = f.get("attributes") or {}
        if f["status"] != "completed" or (filters and not matches(filters, attributes)):
            continue
        for text in (store.get(CHUNKS, part_key(vs_id, f["id"])) or {}).get("chunks") or []:
            passages.append(text)
            owners.append(f)
    scores = [0.0] * len(passages)
    asked = [q for q in queries if q.strip()]
    for q in asked:
        if passages:
            scores = [max(a, b) for a, b in zip(scores, relevance_scores(q, passages), strict=True)]
    options = req.get("ranking_options") or {}
    threshold = float(options.get("score_threshold") or 0.0)
    limit = int(req.get("max_num_results") or 10)
    ranked = sorted(range(len(passages)), key=lambda i: -scores[i])
    data = [
        {
            "file_id": owners[i]["id"],
            "filename": owners[i].get("_filename") or owners[i]["id"],
            "score": min(1.0, max(0.0, scores[i])),
            "attributes": owners[i].get("attributes") or {},
            "content": [{"type": "text", "text": passages[i]}],
        }
        for i in ranked
        if asked and scores[i] >= threshold
    ][:limit]
    touch(store, vs_id)
    return {
        "object": "vector_store.search_results.page",
        "search_query": queries,
        "data": data,
        "has_more": False,
        "next_page": None,
    }
