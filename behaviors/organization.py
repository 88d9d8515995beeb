"""Organization administration: users (list-users, retrieve-user, modify-user, delete-user) and projects
(list-projects, create-project, retrieve-project, modify-project, archive-project). Invites are in
organization_invites.py; project members, service accounts and API keys in organization_projects.py.

The organization starts with one owner, `user-default`, and one project, `proj_default`, whose API keys are the
keys the server accepts (settings.api_keys). Everything is kept in the store, so it persists with the data
directory. Admin keys are enforced by the dispatcher (the operations' AdminApiKeyAuth security).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from functools import lru_cache
from typing import Any

from fakeai.context import Context
from fakeai.errors import bad_request, not_found
from fakeai.registry import serves
from fakeai.services import Services
from fakeai.store import Store

from .pagination import clamp_limit, list_body, page_of

USER = "organization.user"
INVITE = "organization.invite"
PROJECT = "organization.project"
MEMBER = "organization.project.user"
SERVICE_ACCOUNT = "organization.project.service_account"
API_KEY = "organization.project.api_key"
REVOKED_KEY = "organization.revoked_key"  # configured keys revoked through the admin API (organization_keys)

DEFAULT_USER = "user-default"
DEFAULT_PROJECT = "proj_default"
INVITE_DAYS = 7
_ALL = 1_000_000


@lru_cache(maxsize=4096)
def api_key_id(key: str) -> str:
    """A stable public id for an API key that does not reveal it (also the usage endpoints' api_key_id)."""
    return "key_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def redact(key: str) -> str:
    return f"{key[:6]}...{key[-4:]}" if len(key) > 12 else "sk-...****"


def part_key(project_id: str, item_id: str) -> str:
    return f"{project_id}/{item_id}"


def public(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def everything(store: Store, kind: str, owner: str | None = None) -> list[dict[str, Any]]:
    return store.list(kind, owner=owner, limit=_ALL, order="asc").items


def _seed(services: Services) -> bool:
    """The default organization: its owner, its default project (owner as a member) and the configured keys."""
    store = services.store
    now = int(time.time())
    with store.transaction():
        if store.get(USER, DEFAULT_USER) is None:
            user = {
                "object": "organization.user",
                "id": DEFAULT_USER,
                "name": "Default User",
                "email": "default-user@fakeai.local",
                "role": "owner",
                "added_at": now,
            }
            store.put(USER, DEFAULT_USER, user, created_at=now)
        if store.get(PROJECT, DEFAULT_PROJECT) is None:
            project = {
                "id": DEFAULT_PROJECT,
                "object": "organization.project",
                "name": "Default Project",
                "created_at": now,
                "archived_at": None,
                "status": "active",
            }
            store.put(PROJECT, DEFAULT_PROJECT, project, created_at=now)
            member = {**member_from(store.get(USER, DEFAULT_USER) or {}, "owner", now)}
            store.put(MEMBER, part_key(DEFAULT_PROJECT, DEFAULT_USER), member, owner=DEFAULT_PROJECT, created_at=now)
        for key in services.settings.api_keys:
            kid = api_key_id(key)
            revoked = store.get(REVOKED_KEY, kid) is not None
            if not revoked and store.get(API_KEY, part_key(DEFAULT_PROJECT, kid)) is None:
                record = key_record(key, "Configured key", now, {"type": "user", "id": DEFAULT_USER})
                store.put(API_KEY, part_key(DEFAULT_PROJECT, kid), record, owner=DEFAULT_PROJECT, created_at=now)
    return True


def seeded(ctx: Context) -> Store:
    """The store, with the default organization in it."""
    ctx.services.get("organization.seeded", _seed)
    return ctx.services.store


def member_from(user: dict[str, Any], role: str, now: int) -> dict[str, Any]:
    return {
        "object": "organization.project.user",
        "id": user.get("id"),
        "name": user.get("name"),
        "email": user.get("email"),
        "role": role,
        "added_at": now,
    }


def key_record(value: str, name: str, now: int, owner: dict[str, str]) -> dict[str, Any]:
    """A project API key as stored: the public fields, the owner's id (resolved when shown), never the value."""
    return {
        "object": "organization.project.api_key",
        "redacted_value": redact(value),
        "name": name,
        "created_at": now,
        "last_used_at": None,
        "id": api_key_id(value),
        "_owner": owner,
    }


def load_user(store: Store, user_id: str) -> dict[str, Any]:
    user = store.get(USER, user_id)
    if user is None:
        raise not_found(f"No user found with id '{user_id}'.", param="user_id")
    return user


def load_project(store: Store, project_id: str, *, active: bool = False) -> dict[str, Any]:
    """The project (404 when unknown); with `active`, 400 when it is archived and so cannot be changed."""
    project = store.get(PROJECT, project_id)
    if project is None:
        raise not_found(f"No project found with id '{project_id}'.", param="project_id")
    if active and project.get("archived_at") is not None:
        raise bad_request(f"Project '{project_id}' is archived and cannot be modified.", param="project_id")
    return project


def listing(items: list[dict[str, Any]], limit: int | None, after: str | None) -> dict[str, Any]:
    page, more = page_of(items, limit=clamp_limit(limit), order="asc", after=after)
    return list_body([public(i) for i in page], more)


def _owners(store: Store) -> list[dict[str, Any]]:
    return [u for u in everything(store, USER) if u.get("role") == "owner"]


# ------------------------------------------------------------------------------------------------ users
@serves("list-users")
async def list_users(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    users = everything(seeded(ctx), USER)
    if p.emails:
        wanted = {e.lower() for e in p.emails}
        users = [u for u in users if (u.get("email") or "").lower() in wanted]
    return listing(users, p.limit, p.after)


@serves("retrieve-user")
async def retrieve_user(_: Any, ctx: Context) -> dict[str, Any]:
    return load_user(seeded(ctx), ctx.params.user_id)


@serves("modify-user")
async def modify_user(_: Any, ctx: Context) -> dict[str, Any]:
    store = seeded(ctx)
    req = ctx.data or {}
    role = req.get("role") or req.get("role_id")
    with store.transaction():
        user = load_user(store, ctx.params.user_id)
        if role is None:
            return user
        if role not in ("owner", "reader"):
            raise bad_request(f"Invalid role '{role}': an organization role is 'owner' or 'reader'.", param="role")
        if user.get("role") == "owner" and role != "owner" and len(_owners(store)) <= 1:
            raise bad_request("The organization must keep at least one owner.", param="role")
        user["role"] = role
        store.put(USER, user["id"], user)
    return user


@serves("delete-user")
async def delete_user(_: Any, ctx: Context) -> dict[str, Any]:
    store = seeded(ctx)
    user_id = ctx.params.user_id
    with store.transaction():
        user = load_user(store, user_id)
        if user.get("role") == "owner" and len(_owners(store)) <= 1:
            raise bad_request("The organization's last owner cannot be removed.", param="user_id")
        for project in everything(store, PROJECT):
            store.delete(MEMBER, part_key(project["id"], user_id))
        store.delete(USER, user_id)
    return {"object": "organization.user.deleted", "id": user_id, "deleted": True}


# ------------------------------------------------------------------------------------------------ projects
@serves("list-projects")
async def list_projects(_: Any, ctx: Context) -> dict[str, Any]:
    p = ctx.params
    projects = everything(seeded(ctx), PROJECT)
    if not p.include_archived:
        projects = [x for x in projects if x.get("archived_at") is None]
    return listing(projects, p.limit, p.after)


@serves("create-project")
async def create_project(_: Any, ctx: Context) -> dict[str, Any]:
    store = seeded(ctx)
    req = ctx.data or {}
    now = int(time.time())
    project = {
        "id": f"proj_{uuid.uuid4().hex[:24]}",
        "object": "organization.project",
        "name": req["name"],
        "created_at": now,
        "archived_at": None,
        "status": "active",
    }
    for field in ("residency", "external_key_id"):
        if req.get(field) is not None:
            project[field] = req[field]
    store.put(PROJECT, project["id"], project, created_at=now)
    return project


@serves("retrieve-project")
async def retrieve_project(_: Any, ctx: Context) -> dict[str, Any]:
    return load_project(seeded(ctx), ctx.params.project_id)


@serves("modify-project")
async def modify_project(_: Any, ctx: Context) -> dict[str, Any]:
    store = seeded(ctx)
    req = ctx.data or {}
    with store.transaction():
        project = load_project(store, ctx.params.project_id, active=True)
        for field in ("name", "external_key_id"):
            if req.get(field) is not None:
                project[field] = req[field]
        store.put(PROJECT, project["id"], project)
    return project


@serves("archive-project")
async def archive_project(_: Any, ctx: Context) -> dict[str, Any]:
    store = seeded(ctx)
    project_id = ctx.params.project_id
    with store.transaction():
        project = load_project(store, project_id)
        if project_id == DEFAULT_PROJECT:
            raise bad_request("The default project cannot be archived.", param="project_id")
        if project.get("archived_at") is None:
            project["archived_at"] = int(time.time())
            project["status"] = "archived"
            store.put(PROJECT, project_id, project)
    return project
