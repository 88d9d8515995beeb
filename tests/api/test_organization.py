"""Organization administration over HTTP with an admin key (the SDK has no admin client): the default
organization, projects, members, service accounts, project API keys, invites, users, and the admin key check."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fakeai.app import create_app
from tests.conftest import API_KEY, LiveServer, make_settings

ADMIN_KEY = "sk-admin-organization-test"
OTHER_KEY = "sk-test-abcdefghijklmnop"


@pytest.fixture(scope="module")
def admin() -> Iterator[httpx.Client]:
    app = create_app(make_settings(admin_api_keys=[ADMIN_KEY]))
    with (
        LiveServer(app) as live,
        httpx.Client(base_url=live.url + "/v1", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30) as client,
    ):
        yield client


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()["error"]  # type: ignore[no-any-return]


def test_admin_endpoints_need_the_admin_key(admin: httpx.Client) -> None:
    plain = {"Authorization": f"Bearer {API_KEY}"}
    assert error(admin.get("/organization/users", headers=plain), 401)["code"] == "invalid_api_key"
    assert admin.get("/organization/usage/completions", params={"start_time": 0}, headers=plain).status_code == 401
    assert ok(admin.get("/organization/users"))["object"] == "list"
    assert admin.get("/models", headers=plain).status_code == 200  # ordinary endpoints keep their keys


def test_the_default_organization(admin: httpx.Client) -> None:
    users = ok(admin.get("/organization/users"))
    default = next(u for u in users["data"] if u["id"] == "user-default")
    assert (default["object"], default["role"]) == ("organization.user", "owner")
    projects = ok(admin.get("/organization/projects"))
    assert "proj_default" in [p["id"] for p in projects["data"]]
    members = ok(admin.get("/organization/projects/proj_default/users"))
    assert [(m["id"], m["role"]) for m in members["data"]] == [("user-default", "owner")]
    keys = ok(admin.get("/organization/projects/proj_default/api_keys"))["data"]
    expected = {"key_" + hashlib.sha256(k.encode()).hexdigest()[:16] for k in (API_KEY, OTHER_KEY)}
    assert {k["id"] for k in keys} == expected  # (test_user_owned_key_can_be_revoked, later, removes one)
    for key in keys:
        assert key["object"] == "organization.project.api_key"
        assert key["owner"]["type"] == "user" and key["owner"]["user"]["id"] == "user-default"
        assert key["owner_project_access"] == "active"
        assert API_KEY not in key["redacted_value"] and OTHER_KEY not in key["redacted_value"]
        assert "..." in key["redacted_value"]
    one = ok(admin.get(f"/organization/projects/proj_default/api_keys/{keys[0]['id']}"))
    assert one == keys[0]


def test_project_lifecycle(admin: httpx.Client) -> None:
    made = ok(admin.post("/organization/projects", json={"name": "Research"}))
    pid = made["id"]
    assert (made["object"], made["name"], made["status"], made["archived_at"]) == (
        "organization.project",
        "Research",
        "active",
        None,
    )
    assert ok(admin.get(f"/organization/projects/{pid}")) == made
    renamed = ok(admin.post(f"/organization/projects/{pid}", json={"name": "Research 2"}))
    assert renamed["name"] == "Research 2"
    archived = ok(admin.post(f"/organization/projects/{pid}/archive"))
    assert archived["status"] == "archived" and isinstance(archived["archived_at"], int)
    assert pid not in [p["id"] for p in ok(admin.get("/organization/projects"))["data"]]
    listed = ok(admin.get("/organization/projects", params={"include_archived": "true"}))
    assert pid in [p["id"] for p in listed["data"]]
    assert error(admin.post(f"/organization/projects/{pid}", json={"name": "x"}), 400)["param"] == "project_id"
    assert (
        admin.post(
            f"/organization/projects/{pid}/users", json={"user_id": "user-default", "role": "member"}
        ).status_code
        == 400
    )
    assert error(admin.post("/organization/projects/proj_default/archive"), 400)["param"] == "project_id"
    assert error(admin.get("/organization/projects/proj_nope"), 404)["param"] == "project_id"


def test_projects_paginate(admin: httpx.Client) -> None:
    ids = [ok(admin.post("/organization/projects", json={"name": f"page {i}"}))["id"] for i in range(3)]
    first = ok(admin.get("/organization/projects", params={"limit": 2}))
    assert len(first["data"]) == 2 and first["has_more"] is True and first["last_id"] == first["data"][-1]["id"]
    seen = [p["id"] for p in first["data"]]
    after = first["last_id"]
    while True:
        page = ok(admin.get("/organization/projects", params={"limit": 2, "after": after}))
        seen += [p["id"] for p in page["data"]]
        if not page["has_more"]:
            break
        after = page["last_id"]
    assert seen[-3:] == ids and len(seen) == len(set(seen))


def test_project_members(admin: httpx.Client) -> None:
    pid = ok(admin.post("/organization/projects", json={"name": "Members"}))["id"]
    join = {"user_id": "user-default", "role": "member"}
    added = ok(admin.post(f"/organization/projects/{pid}/users", json=join))
    assert (added["object"], added["id"], added["role"]) == ("organization.project.user", "user-default", "member")
    assert error(
        admin.post(f"/organization/projects/{pid}/users", json={"user_id": "user-default", "role": "member"}), 400
    )
    changed = ok(admin.post(f"/organization/projects/{pid}/users/user-default", json={"role": "owner"}))
    assert changed["role"] == "owner"
    assert ok(admin.get(f"/organization/projects/{pid}/users/user-default"))["role"] == "owner"
    assert (
        error(admin.post(f"/organization/projects/{pid}/users/user-default", json={"role": "boss"}), 400)["param"]
        == "role"
    )
    unknown = admin.post(f"/organization/projects/{pid}/users", json={"user_id": "user-nobody", "role": "member"})
    assert error(unknown, 404)["param"] == "user_id"
    gone = ok(admin.delete(f"/organization/projects/{pid}/users/user-default"))
    assert gone == {"object": "organization.project.user.deleted", "id": "user-default", "deleted": True}
    assert ok(admin.get(f"/organization/projects/{pid}/users"))["data"] == []
    assert error(admin.get(f"/organization/projects/{pid}/users/user-default"), 404)["param"] == "user_id"


def test_service_accounts_and_their_keys(admin: httpx.Client) -> None:
    pid = ok(admin.post("/organization/projects", json={"name": "Bots"}))["id"]
    made = ok(admin.post(f"/organization/projects/{pid}/service_accounts", json={"name": "ci-bot"}))
    assert (made["object"], made["name"], made["role"]) == ("organization.project.service_account", "ci-bot", "member")
    secret = made["api_key"]["value"]
    assert secret.startswith("sk-svcacct-") and made["api_key"]["id"].startswith("key_")
    listed = ok(admin.get(f"/organization/projects/{pid}/service_accounts"))
    assert [a["id"] for a in listed["data"]] == [made["id"]]
    assert "api_key" not in ok(admin.get(f"/organization/projects/{pid}/service_accounts/{made['id']}"))
    keys = ok(admin.get(f"/organization/projects/{pid}/api_keys"))["data"]
    assert [k["id"] for k in keys] == [made["api_key"]["id"]]
    assert keys[0]["owner"] == {
        "type": "service_account",
        "service_account": {"id": made["id"], "name": "ci-bot", "created_at": made["created_at"], "role": "member"},
    }
    assert secret not in str(keys)  # the value is shown once, at creation
    refused = admin.delete(f"/organization/projects/{pid}/api_keys/{keys[0]['id']}")
    assert error(refused, 400)["param"] == "api_key_id"
    only = ok(
        admin.post(
            f"/organization/projects/{pid}/service_accounts",
            json={"name": "no-key", "create_service_account_only": True},
        )
    )
    assert only["api_key"] is None
    deleted = ok(admin.delete(f"/organization/projects/{pid}/service_accounts/{made['id']}"))
    assert deleted["deleted"] is True
    assert ok(admin.get(f"/organization/projects/{pid}/api_keys"))["data"] == []
    missing = admin.get(f"/organization/projects/{pid}/service_accounts/{made['id']}")
    assert error(missing, 404)["param"] == "service_account_id"


def test_user_owned_key_can_be_revoked(admin: httpx.Client) -> None:
    pid = ok(admin.post("/organization/projects", json={"name": "Keys"}))["id"]
    assert error(admin.delete(f"/organization/projects/{pid}/api_keys/key_missing"), 404)["param"] == "api_key_id"
    other = "key_" + hashlib.sha256(OTHER_KEY.encode()).hexdigest()[:16]
    gone = ok(admin.delete(f"/organization/projects/proj_default/api_keys/{other}"))
    assert gone == {"object": "organization.project.api_key.deleted", "id": other, "deleted": True}
    remaining = [k["id"] for k in ok(admin.get("/organization/projects/proj_default/api_keys"))["data"]]
    assert other not in remaining and len(remaining) == 1
    # the revoked key no longer opens the API; the other configured key still does
    assert (
        error(admin.get("/models", headers={"Authorization": f"Bearer {OTHER_KEY}"}), 401)["code"] == "invalid_api_key"
    )
    assert ok(admin.get("/models", headers={"Authorization": f"Bearer {API_KEY}"}))["object"] == "list"


def test_a_service_account_key_opens_the_api_until_its_account_goes(admin: httpx.Client) -> None:
    pid = ok(admin.post("/organization/projects", json={"name": "Robots"}))["id"]
    made = ok(admin.post(f"/organization/projects/{pid}/service_accounts", json={"name": "ci-bot"}))
    bot = {"Authorization": f"Bearer {made['api_key']['value']}"}
    reply = ok(
        admin.post(
            "/chat/completions",
            headers=bot,
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
        )
    )
    assert reply["object"] == "chat.completion"
    ok(admin.delete(f"/organization/projects/{pid}/service_accounts/{made['id']}"))
    assert error(admin.get("/models", headers=bot), 401)["code"] == "invalid_api_key"
    # a key of an archived project stops working too
    pid2 = ok(admin.post("/organization/projects", json={"name": "Archived robots"}))["id"]
    made2 = ok(admin.post(f"/organization/projects/{pid2}/service_accounts", json={"name": "old-bot"}))
    bot2 = {"Authorization": f"Bearer {made2['api_key']['value']}"}
    assert ok(admin.get("/models", headers=bot2))["object"] == "list"
    ok(admin.post(f"/organization/projects/{pid2}/archive"))
    assert error(admin.get("/models", headers=bot2), 401)["code"] == "invalid_api_key"
    assert (
        error(admin.get("/models", headers={"Authorization": "Bearer sk-never-issued"}), 401)["code"]
        == "invalid_api_key"
    )


def admin_client(live: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=live.url + "/v1", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30)


def test_a_revocation_survives_a_restart(tmp_path: Any) -> None:
    keys = ["sk-keep-0123456789", "sk-revoke-0123456789"]
    settings = {"admin_api_keys": [ADMIN_KEY], "api_keys": keys, "data_dir": str(tmp_path)}
    gone = "key_" + hashlib.sha256(keys[1].encode()).hexdigest()[:16]
    with LiveServer(create_app(make_settings(**settings))) as live, admin_client(live) as c:
        ok(c.delete(f"/organization/projects/proj_default/api_keys/{gone}"))
    with LiveServer(create_app(make_settings(**settings))) as live, admin_client(live) as c:
        assert error(c.get("/models", headers={"Authorization": f"Bearer {keys[1]}"}), 401)["code"] == "invalid_api_key"
        assert ok(c.get("/models", headers={"Authorization": f"Bearer {keys[0]}"}))["object"] == "list"
        listed = [k["id"] for k in ok(c.get("/organization/projects/proj_default/api_keys"))["data"]]
        assert gone not in listed and len(listed) == 1


def test_invites(admin: httpx.Client) -> None:
    body = {"email": "new.person@example.com", "role": "reader", "projects": [{"id": "proj_default", "role": "member"}]}
    invite = ok(admin.post("/organization/invites", json=body))
    assert (invite["object"], invite["email"], invite["role"], invite["status"]) == (
        "organization.invite",
        "new.person@example.com",
        "reader",
        "pending",
    )
    assert invite["projects"] == [{"id": "proj_default", "role": "member"}]
    assert invite["expires_at"] > invite["created_at"]
    assert ok(admin.get(f"/organization/invites/{invite['id']}")) == invite
    assert invite["id"] in [i["id"] for i in ok(admin.get("/organization/invites"))["data"]]
    bad_project = {"email": "x@example.com", "role": "owner", "projects": [{"id": "proj_nope", "role": "owner"}]}
    assert error(admin.post("/organization/invites", json=bad_project), 404)["param"] == "projects[0].id"
    member = admin.post("/organization/invites", json={"email": "default-user@fakeai.local", "role": "reader"})
    assert error(member, 400)["param"] == "email"
    assert error(admin.post("/organization/invites", json={"role": "reader"}), 400)["param"] == "email"
    deleted = ok(admin.delete(f"/organization/invites/{invite['id']}"))
    assert deleted == {"object": "organization.invite.deleted", "id": invite["id"], "deleted": True}
    assert error(admin.get(f"/organization/invites/{invite['id']}"), 404)["param"] == "invite_id"


def test_users(admin: httpx.Client) -> None:
    found = ok(admin.get("/organization/users", params={"emails": ["default-user@fakeai.local"]}))
    assert [u["id"] for u in found["data"]] == ["user-default"]
    assert ok(admin.get("/organization/users", params={"emails": ["nobody@example.com"]}))["data"] == []
    assert ok(admin.get("/organization/users/user-default"))["email"] == "default-user@fakeai.local"
    # the last owner can neither be demoted nor removed
    assert error(admin.post("/organization/users/user-default", json={"role": "reader"}), 400)["param"] == "role"
    assert error(admin.delete("/organization/users/user-default"), 400)["param"] == "user_id"
    assert error(admin.get("/organization/users/user-nobody"), 404)["param"] == "user_id"


SEED_ENDPOINTS = [
    "/organization/users",
    "/organization/invites",
    "/organization/projects",
    "/organization/projects/proj_default/users",
    "/organization/projects/proj_default/service_accounts",
    "/organization/usage/completions?start_time=0",
    "/organization/usage/embeddings?start_time=0",
    "/organization/usage/images?start_time=0",
    "/organization/usage/audio_speeches?start_time=0",
    "/organization/usage/audio_transcriptions?start_time=0",
    "/organization/costs?start_time=0",
]


@pytest.mark.parametrize("path", SEED_ENDPOINTS)
def test_seed_readme_endpoints_are_served(admin: httpx.Client, path: str) -> None:
    body = ok(admin.get(path))
    assert body["object"] in ("list", "page")
    assert isinstance(body["data"], list)
