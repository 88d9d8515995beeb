"""OpenAI's cursor pagination over a list already in memory (objects filtered before paging: vector store files
by status, projects without the archived ones, users by email)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MAX_LIMIT = 100


def clamp_limit(limit: int | None, default: int = 20, maximum: int = MAX_LIMIT) -> int:
    """The page size to use: the default when unset, else within [1, maximum]."""
    if limit is None:
        return default
    return max(1, min(int(limit), maximum))


def page_of(
    items: Sequence[dict[str, Any]],
    *,
    limit: int,
    order: str = "desc",
    after: str | None = None,
    before: str | None = None,
    key: str = "id",
) -> tuple[list[dict[str, Any]], bool]:
    """(page, has_more). `items` is in creation order (oldest first); `order` is the listing order.

    A cursor that names no item gives an empty page, as the store's own listing does."""
    ordered = list(items) if order == "asc" else list(reversed(items))
    ids = [obj.get(key) for obj in ordered]
    if after is not None:
        if after not in ids:
            return [], False
        ordered = ordered[ids.index(after) + 1 :]
        ids = ids[ids.index(after) + 1 :]
    if before is not None:
        if before not in ids:
            return [], False
        cut = ids.index(before)
        if after is None:
            start = max(0, cut - limit)
            return ordered[start:cut], start > 0
        ordered = ordered[:cut]
    return ordered[:limit], len(ordered) > limit


def list_body(items: list[dict[str, Any]], has_more: bool, *, nullable_ids: bool = True) -> dict[str, Any]:
    """The list envelope. Where the spec types first_id/last_id as plain strings an empty page has empty ids."""
    empty = None if nullable_ids else ""
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else empty,
        "last_id": items[-1]["id"] if items else empty,
        "has_more": has_more,
    }
