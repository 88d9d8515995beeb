"""Metrics across worker processes.

With `workers > 1` each uvicorn worker counts only what it served, and a scrape reaches one of them at random. So each
worker publishes its counts (Metrics.state) to a file once a second, in a directory shared by the workers of one
server (named after their parent process), and a scrape adds the other workers' latest files to its own live
series. The other workers' part is at most PUBLISH_SECONDS old; a worker that stopped publishing (it died) drops
out after STALE_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson

from .metrics import Metrics

PUBLISH_SECONDS = 1.0
STALE_SECONDS = 30.0


class Share:
    def __init__(self, directory: Path, worker: str) -> None:
        self.directory = directory
        self.worker = worker
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{worker}.json"

    def publish(self, state: dict[str, Any]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_bytes(orjson.dumps(state))
        os.replace(tmp, self.path)  # readers see the old file or the new one, never half of one

    def others(self) -> list[dict[str, Any]]:
        out = []
        now = time.time()
        for path in self.directory.glob("*.json"):
            if path == self.path:
                continue
            try:
                if now - path.stat().st_mtime > STALE_SECONDS:
                    continue
                out.append(orjson.loads(path.read_bytes()))
            except (OSError, orjson.JSONDecodeError):
                continue  # gone or being replaced: it is counted at the next scrape
        return out

    def withdraw(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()
        with contextlib.suppress(OSError):
            self.directory.rmdir()  # the last worker out removes the directory (it fails while others remain)


def server_directory() -> Path:
    """Shared by the workers of one `fakeai serve --workers N` (they have the same parent process)."""
    return Path(tempfile.gettempdir()) / f"fakeai-metrics-{os.getppid()}"


@contextlib.asynccontextmanager
async def sharing(metrics: Metrics, share: Share) -> AsyncIterator[None]:
    """Publish `metrics` through `share` every PUBLISH_SECONDS while the app runs, and merge the others' on scrapes."""
    metrics.share = share

    async def publish() -> None:
        while True:
            share.publish(metrics.state())
            await asyncio.sleep(PUBLISH_SECONDS)

    task = asyncio.get_running_loop().create_task(publish())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        share.withdraw()
        metrics.share = None
