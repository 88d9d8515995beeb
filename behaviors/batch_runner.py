"""Who runs which batch: leases in the store, a task per batch, resuming unfinished batches after a restart.

A batch is run by exactly one runner at a time. The runner claims it in a transaction (the `runner` and
`lease_until` fields of the batch's private state, kind "batch.run") and renews the lease while it works, so a
second worker process, or the same server started again, leaves it alone. A lease is free when it has lapsed, or at
once when its holder is provably gone: a process on this host that no longer exists (after a SIGKILL), or an
earlier incarnation of this process id (a restarted container).

Unfinished batches are picked up at start-up and then every few seconds (the app's lifespan runs `lifespan`), and
also on the first batch request an event loop serves, for apps run without a lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
import weakref
from collections.abc import AsyncIterator
from typing import Any

from fakeai.registry import lifespan
from fakeai.services import Services
from fakeai.store import Store

from .batch_exec import RUN, execute, fail, update

log = logging.getLogger("fakeai.batches")

LEASE = 15.0  # seconds a claim holds without renewal
HEARTBEAT = 4.0  # renewal interval
SWEEP = 3.0  # how often unfinished batches are looked for
HOST = socket.gethostname()
_LIVE: set[str] = set()  # runner ids of this process


def holder_alive(holder: str) -> bool:
    """Whether the runner `holder` (host:pid:nonce) may still be working. Unknown hosts count as alive."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != HOST:
        return True
    if not pid_text.isdigit():
        return False
    if int(pid_text) == os.getpid():
        return holder in _LIVE
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


class Runner:
    """The batch runner of one app (one per Services)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.store: Store = services.store
        self.id = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        _LIVE.add(self.id)
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._resumed: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()

    # ------------------------------------------------------------------ leases
    def claim(self, batch_id: str) -> bool:
        now = time.time()
        with self.store.transaction():
            state = self.store.get(RUN, batch_id)
            if state is None:
                return False
            holder = state.get("runner")
            if holder and holder != self.id and state.get("lease_until", 0) > now and holder_alive(holder):
                return False
            state.update(runner=self.id, lease_until=now + LEASE)
            self.store.put(RUN, batch_id, state)
        return True

    def renew(self, batch_id: str) -> bool:
        with self.store.transaction():
            state = self.store.get(RUN, batch_id)
            if state is None or state.get("runner") != self.id:
                return False
            state["lease_until"] = time.time() + LEASE
            self.store.put(RUN, batch_id, state)
        return True

    def release(self, batch_id: str) -> None:
        with self.store.transaction():
            state = self.store.get(RUN, batch_id)
            if state is not None and state.get("runner") == self.id:
                state.update(runner=None, lease_until=0)
                self.store.put(RUN, batch_id, state)

    def lease_fields(self) -> dict[str, Any]:
        """The claim a batch created here starts with."""
        return {"runner": self.id, "lease_until": time.time() + LEASE}

    # ------------------------------------------------------------------ tasks
    def running(self, batch_id: str) -> bool:
        task = self.tasks.get(batch_id)
        return task is not None and not task.done() and task.get_loop().is_running()

    def start(self, batch_id: str) -> None:
        """Run a batch this runner has claimed, as a task of the current event loop."""
        if self.running(batch_id):
            return
        task = asyncio.get_running_loop().create_task(self._run(batch_id), name=f"fakeai batch {batch_id}")
        self.tasks[batch_id] = task

        def forget(t: asyncio.Task[None]) -> None:
            if self.tasks.get(batch_id) is t:
                del self.tasks[batch_id]

        task.add_done_callback(forget)

    def kick(self, batch_id: str) -> None:
        """Run the batch here unless someone is running it already."""
        if not self.running(batch_id) and self.claim(batch_id):
            self.start(batch_id)

    def unfinished(self) -> list[str]:
        ids: list[str] = []
        after = None
        while True:
            page = self.store.list(RUN, after=after, limit=500, order="asc")
            ids += [state["id"] for state in page.items]
            if not page.has_more or not page.items:
                return ids
            after = page.items[-1]["id"]

    def resume_all(self) -> None:
        for batch_id in self.unfinished():
            self.kick(batch_id)

    def resume_once(self) -> None:
        """Pick up unfinished batches the first time a batch request runs on this event loop."""
        loop = asyncio.get_running_loop()
        if loop not in self._resumed:
            self._resumed.add(loop)
            self.resume_all()

    async def _run(self, batch_id: str) -> None:
        me = asyncio.current_task()
        heartbeat = asyncio.create_task(self._heartbeat(batch_id, me))
        try:
            update(self.store, batch_id, lambda b: b.setdefault("_runners", []).append(self.id) is None)
            await execute(self.services, batch_id)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.exception("batch %s stopped on an internal error", batch_id)
            fail(self.store, batch_id, [{"code": "server_error", "message": f"Internal error: {e}", "param": None}])
        finally:
            heartbeat.cancel()
            self.release(batch_id)

    async def _heartbeat(self, batch_id: str, worker: asyncio.Task[Any] | None) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT)
            if not self.renew(batch_id) and self.store.get(RUN, batch_id) is not None:
                log.warning("batch %s: lease lost to another runner; stopping here", batch_id)
                if worker is not None:
                    worker.cancel()
                return

    async def sweep(self) -> None:
        while True:
            try:
                self.resume_all()
            except Exception:
                log.exception("looking for unfinished batches failed")
            await asyncio.sleep(SWEEP)

    async def stop(self) -> None:
        """Stop this loop's batch tasks and free their leases, so the next start resumes them at once."""
        loop = asyncio.get_running_loop()
        mine = [t for t in self.tasks.values() if t.get_loop() is loop and not t.done()]
        for task in mine:
            task.cancel()
        await asyncio.gather(*mine, return_exceptions=True)


def runner(services: Services) -> Runner:
    return services.get("batches.runner", Runner)


@lifespan
async def batches_lifespan(services: Services) -> AsyncIterator[None]:
    """Resume unfinished batches at start-up and keep looking for abandoned ones; stop cleanly at shutdown."""
    if "createBatch" not in services.spec.by_id:
        yield
        return
    r = runner(services)
    sweeper = asyncio.create_task(r.sweep(), name="fakeai batch sweeper")
    try:
        yield
    finally:
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        await r.stop()
