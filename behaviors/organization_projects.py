"""Inside a project: members (list/create/retrieve/modify/delete-project-user), service accounts
(list/create/retrieve/delete-project-service-account) and API keys (list/retrieve/delete-project-api-key).

A service account is created with an API key whose secret `value` is shown once, in the create response; the
project's key list shows it (redacted) next to the user-owned keys. Archived projects cannot be changed (400).
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from fakeai.context import Context
from fakeai.errors import bad_request, not_found
from fakeai.registry import serves
from fakeai.store import Store

from . import organization_keys
from .organization import (
    API_KEY,
    MEMBER,
    SERVICE_ACCOUNT,
    USER,
    everything,
    key_record,
    listing,
    load_project,
    member_from,
    part_key,
    public,
    seeded,
)

PROJECT_ROLES = ("owner", "member")


def _role(value: Any) -> str:
    if value not in PROJECT_ROLES:
        raise bad_request(f"Invalid role '{value}': a project role is 'owner' or 'member'.", param="role")
    return str(value)


def _load(store: Store, kind: str, project_id: str, item_id: str, what: str, param: str) -> dict[str, Any]:
    """The project's `kind` item `item_id`, or a 404 naming it."""
    item = store.get(kind, part_key(project_id, item_id))
    if item is None:
        raise not_found(f"No {what} '{item_id}' in project '{project_id}'.", param=param)
    return item


def _load_member(store: Store, project_id: str, user_id: str) -> dict[str, Any]:
    return _load(store, MEMBER, project_id, user_id, "user", "user_id")


def _load_account(store: Store, project_id: str, account_id: str) -> dict[str, Any]:
    return _load(store, SERVICE_ACCOUNT, project_id, account_id, "service account", "service_account_id")


def _load_key(store: Store, project_id: str, key_id: str) -> dict[str, Any]:
    return _load(store, API_KEY, project_id, key_id, "API key", "api_key_id")


# ------------------------------------------------------------------------------------------------ members
@serves("list-project-users")
async def list_project_users(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = seeded(ctx)
    load_project(store, p.project_id)
    return listing(everything(store, MEMBER, p.project_id), p.limit, p.after)


@serves("create-project-user")
async def create_project_user(_: Any, ctx: Context) -> dict[str, Any]:
    store = seeded(ctx)
    req = ctx.data or {}
    project_id = ctx.params.project_id
    with store.transaction():
        load_project(store, project_id, active=True)
        if req.get("user_id"):
            user = store.get(USER, req["user_id"])
            if user is None:
                raise not_found(f"No user found with id '{req['user_id']}'.", param="user_id")
        elif req.get("email"):
            email = str(req["email"]).lower()
            user = next((u for u in everything(store, USER) if (u.get("email") or "").lower() == email), None)
            if user is None:
                raise not_found(f"No organization user has the email '{req['email']}'.", param="email")
        else:
            raise bad_request("Name the user to add with user_id or email.", param="user_id")
        role = _role(req.get("role"))
        if store.get(MEMBER, part_key(project_id, user["id"])) is not None:
            raise bad_request(f"User '{user['id']}' is already a member of project '{project_id}'.", param="user_id")
        member = member_from(user, role, int(time.time()))
        store.put(MEMBER, part_key(project_id, user["id"]), member, owner=project_id)
    return member


@serves("retrieve-project-user")
async def retrieve_project_user(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = seeded(ctx)
    load_project(store, p.project_id)
    return _load_member(store, p.project_id, p.user_id)


@serves("modify-project-user")
async def modify_project_user(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = seeded(ctx)
    role = (ctx.data or {}).get("role")
    with store.transaction():
        load_project(store, p.project_id, active=True)
        member = _load_member(store, p.project_id, p.user_id)
        if role is not None:
            member["role"] = _role(role)
            store.put(MEMBER, part_key(p.project_id, p.user_id), member, owner=p.project_id)
    return member


@serves("delete-project-user")
async def delete_project_user(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = seeded(ctx)
    with store.transaction():
        load_project(store, p.project_id, active=True)
        _load_member(store, p.project_id, p.user_id)
        store.delete(MEMBER, part_key(p.project_id, p.user_id))
    return {"object": "organization.project.user.deleted", "id": p.user_id, "deleted": True}


# ------------------------------------------------------------------------------------------------ service accounts
@serves("list-project-service-accounts")
async def list_project_service_accounts(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = seeded(ctx)
    load_project(store, p.project_id)
    return listing(everything(store, SERVICE_ACCOUNT, p.project_id), p.limit, p.after)


@serves("create-project-service-account")
async def create_project_service_account(_: Any, ctx: Context) -> dict[str, Any]:
    store = seeded(ctx)
    req = ctx.data or {}
    project_id = ctx.params.project_id
    now = int(time.time())
    account = {
        "object": "organization.project.service_account",
        "id": f"svc_acct_{uuid.uuid4().hex[:24]}",
        "name": req["name"],
        "role": "member",
        "created_at": now,
    }
    key = None
    with store.transaction():
        load_project(store, project_id, active=True)
        store.put(SERVICE_ACCOUNT, part_key(project_id, account["id"]), account, owner=project_id, created_at=now)
        if not req.get("create_service_account_only"):
            value = f"sk-svcacct-{secrets.token_urlsafe(36)}"
            record = key_record(value, "Secret Key", now, {"type": "service_account", "id": account["id"]})
            store.put(API_KEY, part_key(project_id, record["id"]), record, owner=project_id, created_at=now)
            organization_keys.issue(store, value, project_id, account["id"], now)
            key = {
                "object": "organization.project.service_account.api_key",
                "value": value,
                "name": record["name"],
                "created_at": now,
                "id": record["id"],
            }
    return {**account, "api_key": key}


@serves("retrieve-project-service-account")
async def retrieve_project_service_account(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = seeded(ctx)
    load_project(store, p.project_id)
    return _load_account(store, p.project_id, p.service_account_id)


@serves("delete-project-service-account")
async def delete_project_service_account(_: Any, ctx: Context) -> dict[str, Any]:
    """The account goes, and its API keys with it."""
    p = ctx.params
    store = seeded(ctx)
    with store.transaction():
        load_project(store, p.project_id, active=True)
        _load_account(store, p.project_id, p.service_account_id)
        store.delete(SERVICE_ACCOUNT, part_key(p.project_id, p.service_account_id))
        for key in everything(store, API_KEY, p.project_id):
            if key["_owner"]["id"] == p.service_account_id:
                store.delete(API_KEY, part_key(p.project_id, key["id"]))
                organization_keys.withdraw(store, key["id"])
    return {"object": "organization.project.service_account.deleted", "id": p.service_account_id, "deleted": True}


# ------------------------------------------------------------------------------------------------ API keys
def _render_key(store: Store, project_id: str, key: dict[str, Any]) -> dict[str, Any]:
    """The ProjectApiKey with its owner resolved, and whether that owner still has access to the project."""
    owner = key["_owner"]
    who: dict[str, Any]
    if owner["type"] == "service_account":
        account = store.get(SERVICE_ACCOUNT, part_key(project_id, owner["id"]))
        active = account is not None
        found = account or {"name": "", "created_at": key["created_at"], "role": "none"}
        who = {
            "type": "service_account",
            "service_account": {
                "id": owner["id"],
                "name": found["name"],
                "created_at": found["created_at"],
                "role": found["role"],
            },
        }
    else:
        member = store.get(MEMBER, part_key(project_id, owner["id"]))
        active = member is not None
        user = store.get(USER, owner["id"]) or {}
        who = {
            "type": "user",
            "user": {
                "id": owner["id"],
                "email": user.get("email") or "",
                "name": user.get("name") or "",
                "created_at": user.get("added_at") or key["created_at"],
                "role": (member or {}).get("role") or "none",
            },
        }
    return {**public(key), "owner_project_access": "active" if active else "inactive", "owner": who}


@serves("list-project-api-keys")
async def list_project_api_keys(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = seeded(ctx)
    load_project(store, p.project_id)
    keys = [_render_key(store, p.project_id, k) for k in everything(store, API_KEY, p.project_id)]
    if p.owner_project_access in ("active", "inactive"):
        keys = [k for k in keys if k["owner_project_access"] == p.owner_project_access]
    return listing(keys, p.limit, p.after)


@serves("retrieve-project-api-key")
async def retrieve_project_api_key(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    store = seeded(ctx)
    load_project(store, p.project_id)
    return _render_key(store, p.project_id, _load_key(store, p.project_id, p.api_key_id))


@serves("delete-project-api-key")
async def delete_project_api_key(_: Any, ctx: Context) -> dict[str, Any]:
    """User-owned keys only: a service account's key goes when the service account is deleted."""
    p = ctx.params
    store = seeded(ctx)
    with store.transaction():
        load_project(store, p.project_id, active=True)
        key = _load_key(store, p.project_id, p.api_key_id)
        if key["_owner"]["type"] == "service_account":
            raise bad_request(
                "This key belongs to a service account: delete the service account to revoke it.", param="api_key_id"
            )
        store.delete(API_KEY, part_key(p.project_id, p.api_key_id))
        organization_keys.revoke_configured(ctx.services, p.api_key_id, int(time.time()))
    return {"object": "organization.project.api_key.deleted", "id": p.api_key_id, "deleted": True}
