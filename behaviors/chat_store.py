"""Stored chat completions (store: true): listChatCompletions, getChatCompletion, updateChatCompletion,
deleteChatCompletion, getChatCompletionMessages — kept in the store with their request messages."""

from __future__ import annotations

from typing import Any

from fakeai.context import Context
from fakeai.errors import not_found
from fakeai.registry import serves

from .pagination import list_body
from .prompt import content_text

KIND = "chat.completion"
MESSAGES = "chat.completion.messages"


def save(ctx: Context, completion: dict[str, Any], req: dict[str, Any]) -> None:
    stored = {**completion, "metadata": req.get("metadata") or {}, "request_id": completion["id"]}
    store = ctx.services.store
    with store.transaction():
        store.put(KIND, completion["id"], stored, created_at=completion["created"])
        msgs = [
            {"id": f"{completion['id']}-{i}", **m, "content": content_text(m.get("content")) or None}
            for i, m in enumerate(req.get("messages") or [])
        ]
        store.put(
            MESSAGES, completion["id"], {"id": completion["id"], "messages": msgs}, created_at=completion["created"]
        )


def _get(ctx: Context, completion_id: str) -> dict[str, Any]:
    found = ctx.services.store.get(KIND, completion_id)
    if found is None:
        raise not_found(f"No chat completion found with id '{completion_id}'.", param="completion_id")
    return found


def _public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "request_id"}


@serves("listChatCompletions")
async def list_chat_completions(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    limit = p.limit or 20
    wanted_meta = p.metadata.root if getattr(p.metadata, "root", None) else (p.metadata or {})
    store = ctx.services.store
    # filters (model, metadata) apply before paging: walk pages until `limit` matches are found
    out: list[dict[str, Any]] = []
    after = p.after
    has_more = False
    while True:
        page = store.list(KIND, after=after, limit=max(limit, 100), order=p.order or "asc")
        for obj in page.items:
            if p.model and obj.get("model") != p.model:
                continue
            if wanted_meta and any((obj.get("metadata") or {}).get(k) != v for k, v in dict(wanted_meta).items()):
                continue
            if len(out) == limit:
                has_more = True
                break
            out.append(_public(obj))
        if has_more or not page.has_more or not page.items:
            break
        after = page.items[-1]["id"]
    return list_body(out, has_more, nullable_ids=False)


@serves("getChatCompletion")
async def get_chat_completion(_: Any, ctx: Context) -> dict[str, Any]:
    return _public(_get(ctx, ctx.params.completion_id))


@serves("updateChatCompletion")
async def update_chat_completion(_: Any, ctx: Context) -> dict[str, Any]:
    obj = _get(ctx, ctx.params.completion_id)
    obj["metadata"] = ctx.data.get("metadata") or {}
    ctx.services.store.put(KIND, obj["id"], obj)
    return _public(obj)


@serves("deleteChatCompletion")
async def delete_chat_completion(_: Any, ctx: Context) -> dict[str, Any]:
    completion_id = ctx.params.completion_id
    store = ctx.services.store
    with store.transaction():
        if not store.delete(KIND, completion_id):
            raise not_found(f"No chat completion found with id '{completion_id}'.", param="completion_id")
        store.delete(MESSAGES, completion_id)
    return {"object": "chat.completion.deleted", "id": completion_id, "deleted": True}


@serves("getChatCompletionMessages")
async def get_chat_completion_messages(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    _get(ctx, p.completion_id)
    record = ctx.services.store.get(MESSAGES, p.completion_id) or {"messages": []}
    msgs = record["messages"]
    if (p.order or "asc") == "desc":
        msgs = list(reversed(msgs))
    if p.after:
        ids = [m["id"] for m in msgs]
        msgs = msgs[ids.index(p.after) + 1 :] if p.after in ids else []
    limit = p.limit or 20
    return list_body(msgs[:limit], len(msgs) > limit, nullable_ids=False)
