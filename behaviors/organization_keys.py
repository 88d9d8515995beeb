"""Keys issued and revoked through the admin API take effect on the API.

- A service account's key (shown once, when the account is created) is accepted from then on, until the account
  is deleted or its project archived. The store holds an index from the key's public id (a hash, never the
  secret) to its project; the dispatcher consults it only for keys the settings do not list.
- Deleting one of the configured keys from the default project (delete-project-api-key) revokes it: the
  dispatcher refuses it from then on, and after a restart (the revocation is stored); other worker processes
  refuse it within REFRESH_SECONDS.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from fakeai.registry import key_check, lifespan
from fakeai.services import Services
from fakeai.store import Store

from .organization import PROJECT, REVOKED_KEY, api_key_id

ISSUED = "organization.issued_key"  # id: the key's public id -> {"project_id", "service_account_id"}
REFRESH_SECONDS = 1.0


def issue(store: Store, value: str, project_id: str, service_account_id: str, now: int) -> None:
    store.put(
        ISSUED,
        api_key_id(value),
        {"project_id": project_id, "service_account_id": service_account_id},
        owner=project_id,
        created_at=now,
    )


def withdraw(store: Store, key_id: str) -> None:
    """A service account's key stops working (its account was deleted)."""
    store.delete(ISSUED, key_id)


def revoke_configured(services: Services, key_id: str, now: int) -> bool:
    """Revoke the configured key with this public id; False when `key_id` is not one of them."""
    for value in services.settings.api_keys:
        if api_key_id(value) == key_id:
            services.store.put(REVOKED_KEY, key_id, {"id": key_id}, created_at=now)
            services.revoked_keys.add(value)
            return True
    return False


def is_revoked(store: Store, key_id: str) -> bool:
    return store.get(REVOKED_KEY, key_id) is not None


@key_check
def _issued(services: Services, key: str) -> bool:
    issued: dict[str, Any] | None = services.store.get(ISSUED, api_key_id(key))
    if issued is None:
        return False
    project = services.store.get(PROJECT, issued["project_id"])
    return project is not None and project.get("status") == "active"


def _reload_revocations(services: Services) -> None:
    services.revoked_keys = {v for v in services.settings.api_keys if is_revoked(services.store, api_key_id(v))}


@lifespan
async def _load_revocations(services: Services) -> AsyncIterator[None]:
    """The stored revocations at start-up; with several worker processes, again every REFRESH_SECONDS, so a key
    revoked through one worker is refused by the others too (the store is shared; each keeps its own set)."""
    _reload_revocations(services)
    task: asyncio.Task[None] | None = None
    if services.settings.workers > 1:

        async def refresh() -> None:
            while True:
                await asyncio.sleep(REFRESH_SECONDS)
                _reload_revocations(services)

        task = asyncio.get_running_loop().create_task(refresh())
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
