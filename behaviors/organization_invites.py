"""Organization invites: list-invites, inviteUser, retrieve-invite, delete-invite. An invite names an email, an
organization role and optionally projects; it stays pending (nobody accepts in a simulation) until it expires
seven days later or is deleted."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fakeai.context import Context
from fakeai.errors import bad_request, not_found
from fakeai.registry import serves
from fakeai.store import Store

from .organization import INVITE, INVITE_DAYS, PROJECT, USER, everything, listing, seeded


def _shown(invite: dict[str, Any]) -> dict[str, Any]:
    """The invite as of now: a pending invite past its expiry is `expired`."""
    if invite["status"] == "pending" and invite.get("expires_at") and time.time() >= invite["expires_at"]:
        return {**invite, "status": "expired"}
    return invite


def _load_invite(store: Store, invite_id: str) -> dict[str, Any]:
    invite = store.get(INVITE, invite_id)
    if invite is None:
        raise not_found(f"No invite found with id '{invite_id}'.", param="invite_id")
    return invite


@serves("list-invites")
async def list_invites(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    return listing([_shown(i) for i in everything(seeded(ctx), INVITE)], p.limit, p.after)


@serves("inviteUser")
async def invite_user(_: Any, ctx: Context) -> dict[str, Any]:
    store = seeded(ctx)
    req = ctx.data or {}
    email = str(req["email"]).strip()
    if not email:
        raise bad_request("The invite needs an email address.", param="email")
    if any((u.get("email") or "").lower() == email.lower() for u in everything(store, USER)):
        raise bad_request(f"'{email}' is already a member of the organization.", param="email")
    projects = req.get("projects") or []
    for i, proj in enumerate(projects):
        if store.get(PROJECT, proj["id"]) is None:
            raise not_found(f"No project found with id '{proj['id']}'.", param=f"projects[{i}].id")
    now = int(time.time())
    invite = {
        "object": "organization.invite",
        "id": f"invite-{uuid.uuid4().hex[:24]}",
        "email": email,
        "role": req["role"],
        "status": "pending",
        "created_at": now,
        "expires_at": now + INVITE_DAYS * 86400,
        "accepted_at": None,
        "projects": [{"id": p["id"], "role": p["role"]} for p in projects],
    }
    store.put(INVITE, invite["id"], invite, created_at=now)
    return invite


@serves("retrieve-invite")
async def retrieve_invite(_: Any, ctx: Context) -> dict[str, Any]:
    return _shown(_load_invite(seeded(ctx), ctx.params.invite_id))


@serves("delete-invite")
async def delete_invite(_: Any, ctx: Context) -> dict[str, Any]:
    store = seeded(ctx)
    invite_id = ctx.params.invite_id
    with store.transaction():
        _load_invite(store, invite_id)
        store.delete(INVITE, invite_id)
    return {"object": "organization.invite.deleted", "id": invite_id, "deleted": True}
