"""The storage seam: a small document store for stateful behaviours, on an embedded SQLite database.

Objects are JSON documents grouped by kind (file, batch, response, ...), ordered by (created_at, seq) for
OpenAI's cursor pagination; blobs hold bytes (file contents). WAL mode and a busy timeout let several worker
processes share one database file; `:memory:` keeps everything in the process, for tests.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    owner TEXT,
    data BLOB NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS objects_order ON objects (kind, created_at, seq);
CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    has_more: bool


class Store:
    """Thread-safe; every method is one short transaction."""

    def __init__(self, location: str | Path = ":memory:") -> None:
        self.location = str(location)
        if self.location != ":memory:":
            path = Path(self.location)
            if path.suffix != ".db":
                path.mkdir(parents=True, exist_ok=True)
                path = path / "fakeai.db"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.path = str(path)
        else:
            self.path = ":memory:"
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Several operations as one atomic step (BEGIN IMMEDIATE: writers queue instead of failing).

        Nests: inside an open transaction the store's own methods join it rather than starting another."""
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ------------------------------------------------------------------ objects
    def put(
        self, kind: str, id: str, obj: dict[str, Any], *, created_at: int | None = None, owner: str | None = None
    ) -> None:
        """Insert or replace. A replaced object keeps its place in the listing order."""
        stamp = created_at if created_at is not None else obj.get("created_at", obj.get("created"))
        with self.transaction() as db:
            row = db.execute("SELECT seq, created_at FROM objects WHERE kind=? AND id=?", (kind, id)).fetchone()
            seq = row[0] if row else self._next(db, "seq")
            if stamp is None:
                stamp = row[1] if row else time.time()
            created = int(stamp)
            db.execute(
                "INSERT OR REPLACE INTO objects (kind, id, created_at, seq, owner, data) VALUES (?,?,?,?,?,?)",
                (kind, id, created, seq, owner, orjson.dumps(obj)),
            )

    def put_many(self, kind: str, objs: list[dict[str, Any]]) -> None:
        """Insert new objects (each with `id` and `created_at`) in one transaction: for append-only records."""
        if not objs:
            return
        with self.transaction() as db:
            first = self._next(db, "seq")
            db.execute("UPDATE counters SET value = value + ? WHERE name = 'seq'", (len(objs) - 1,))
            db.executemany(
                "INSERT OR REPLACE INTO objects (kind, id, created_at, seq, owner, data) VALUES (?,?,?,?,?,?)",
                [(kind, o["id"], int(o["created_at"]), first + i, None, orjson.dumps(o)) for i, o in enumerate(objs)],
            )

    def get(self, kind: str, id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM objects WHERE kind=? AND id=?", (kind, id)).fetchone()
        return orjson.loads(row[0]) if row else None

    def delete(self, kind: str, id: str) -> bool:
        with self._lock:
            cur = self._db.execute("DELETE FROM objects WHERE kind=? AND id=?", (kind, id))
        return cur.rowcount > 0

    def list(
        self,
        kind: str,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int = 20,
        order: str = "desc",
        owner: str | None = None,
    ) -> Page:
        """OpenAI cursor pagination: objects strictly after (or before) the cursor id, in `order` by creation.

        With `before` (and no `after`) the page is the `limit` objects just before the cursor, still in `order`."""
        desc = order == "desc"
        backwards = before is not None and after is None
        clauses, args = ["kind=?"], [kind]
        if owner is not None:
            clauses.append("owner=?")
            args.append(owner)
        with self._lock:
            for cursor, forward in ((after, True), (before, False)):
                if cursor is None:
                    continue
                row = self._db.execute(
                    "SELECT created_at, seq FROM objects WHERE kind=? AND id=?", (kind, cursor)
                ).fetchone()
                if row is None:
                    return Page([], False)
                newer = forward == desc
                clauses.append("(created_at, seq) < (?, ?)" if newer else "(created_at, seq) > (?, ?)")
                args += [row[0], row[1]]
            direction = "DESC" if desc != backwards else "ASC"
            rows = self._db.execute(
                f"SELECT data FROM objects WHERE {' AND '.join(clauses)} "
                f"ORDER BY created_at {direction}, seq {direction} LIMIT ?",
                (*args, limit + 1),
            ).fetchall()
        page = rows[:limit]
        if backwards:
            page.reverse()
        return Page([orjson.loads(r[0]) for r in page], len(rows) > limit)

    def count(self, kind: str) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM objects WHERE kind=?", (kind,)).fetchone()[0])

    # ------------------------------------------------------------------ blobs
    def put_blob(self, id: str, data: bytes) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO blobs (id, data) VALUES (?, ?)", (id, data))

    def get_blob(self, id: str) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT data FROM blobs WHERE id=?", (id,)).fetchone()
        return bytes(row[0]) if row else None

    def delete_blob(self, id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM blobs WHERE id=?", (id,)).rowcount > 0

    # ------------------------------------------------------------------ internals
    def _next(self, db: sqlite3.Connection, name: str) -> int:
        db.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
            (name,),
        )
        return int(db.execute("SELECT value FROM counters WHERE name=?", (name,)).fetchone()[0])
