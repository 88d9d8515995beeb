"""fakeai.store: the SQLite document store (objects, cursor pagination, blobs, durability, concurrency)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from fakeai.store import Page, Store


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store()
    yield s
    s.close()


def _ids(page: Page) -> list[str]:
    return [item["id"] for item in page.items]


def _fill(store: Store, n: int, *, created_at: int | None = None, kind: str = "thing") -> list[str]:
    """n objects in insertion order; created_at ascends with the index unless a fixed value is given."""
    ids = [f"obj_{i:04d}" for i in range(n)]
    for i, oid in enumerate(ids):
        store.put(kind, oid, {"id": oid, "n": i}, created_at=i if created_at is None else created_at)
    return ids


def _walk_after(store: Store, kind: str, order: str, limit: int) -> tuple[list[str], list[Page]]:
    seen: list[str] = []
    pages: list[Page] = []
    after: str | None = None
    for _ in range(1000):
        page = store.list(kind, after=after, limit=limit, order=order)
        pages.append(page)
        seen += _ids(page)
        if not page.has_more:
            break
        after = page.items[-1]["id"]
    return seen, pages


# ---------------------------------------------------------------------- objects


def test_put_get_delete_round_trip(store: Store) -> None:
    obj = {"id": "file_1", "object": "file", "bytes": 12, "nested": {"a": [1, 2.5, None, "x"]}, "ok": True}
    store.put("file", "file_1", obj, created_at=100)
    assert store.get("file", "file_1") == obj
    assert store.get("batch", "file_1") is None  # kinds are separate namespaces
    assert store.count("file") == 1
    assert store.delete("file", "file_1") is True
    assert store.get("file", "file_1") is None
    assert store.delete("file", "file_1") is False
    assert store.count("file") == 0


def test_get_returns_a_fresh_copy(store: Store) -> None:
    store.put("thing", "a", {"id": "a", "tags": ["x"]}, created_at=1)
    got = store.get("thing", "a")
    assert got is not None
    got["tags"].append("y")
    assert store.get("thing", "a") == {"id": "a", "tags": ["x"]}


def test_created_at_is_taken_from_the_object_when_not_given(store: Store) -> None:
    store.put("thing", "late", {"id": "late", "created_at": 300})
    store.put("thing", "early", {"id": "early", "created": 100})
    store.put("thing", "mid", {"id": "mid"}, created_at=200)
    assert _ids(store.list("thing", order="asc")) == ["early", "mid", "late"]


def test_list_orders_by_created_at_then_insertion(store: Store) -> None:
    store.put("thing", "c", {"id": "c"}, created_at=20)
    store.put("thing", "a", {"id": "a"}, created_at=10)
    store.put("thing", "b", {"id": "b"}, created_at=10)  # same second as a, inserted later
    store.put("thing", "d", {"id": "d"}, created_at=30)
    assert _ids(store.list("thing", order="asc")) == ["a", "b", "c", "d"]
    assert _ids(store.list("thing", order="desc")) == ["d", "c", "b", "a"]
    assert _ids(store.list("thing")) == ["d", "c", "b", "a"]  # desc is the default


def test_list_limit_and_has_more(store: Store) -> None:
    ids = _fill(store, 5)
    page = store.list("thing", limit=3, order="asc")
    assert _ids(page) == ids[:3]
    assert page.has_more is True
    page = store.list("thing", limit=5, order="asc")
    assert _ids(page) == ids
    assert page.has_more is False
    assert store.list("nothing").items == []
    assert store.list("nothing").has_more is False


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("same_time", [False, True], ids=["distinct_created_at", "equal_created_at"])
def test_after_cursor_visits_every_id_exactly_once(store: Store, order: str, same_time: bool) -> None:
    ids = _fill(store, 250, created_at=1_700_000_000 if same_time else None)
    seen, pages = _walk_after(store, "thing", order, limit=20)
    expected = ids if order == "asc" else ids[::-1]
    assert seen == expected
    assert len(pages) == 13  # 12 full pages of 20, then 10
    assert all(p.has_more for p in pages[:-1])
    assert pages[-1].has_more is False
    assert len(pages[-1].items) == 10


def test_has_more_is_false_on_an_exactly_full_last_page(store: Store) -> None:
    _fill(store, 40)
    seen, pages = _walk_after(store, "thing", "desc", limit=20)
    assert len(seen) == 40
    assert [p.has_more for p in pages] == [True, False]
    assert len(pages[-1].items) == 20


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_before_cursor_returns_the_objects_on_the_near_side(store: Store, order: str) -> None:
    ids = _fill(store, 10)
    listed = ids if order == "asc" else ids[::-1]
    page = store.list("thing", before=listed[3], order=order)
    assert _ids(page) == listed[:3]
    assert page.has_more is False
    # after and before together: the window strictly between the two cursors
    page = store.list("thing", after=listed[2], before=listed[7], order=order)
    assert _ids(page) == listed[3:7]


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_before_cursor_pages_backwards_through_every_id_exactly_once(store: Store, order: str) -> None:
    ids = _fill(store, 250, created_at=5)
    listed = ids if order == "asc" else ids[::-1]
    # start from the last page, then ask for the previous page with before=<first id of the current page>
    page = store.list("thing", after=listed[-21], limit=20, order=order)
    assert _ids(page) == listed[-20:]
    seen = _ids(page)
    for _ in range(100):
        page = store.list("thing", before=page.items[0]["id"], limit=20, order=order)
        seen = _ids(page) + seen
        if not page.has_more:
            break
    assert seen == listed


def test_unknown_cursor_gives_an_empty_page(store: Store) -> None:
    _fill(store, 5)
    for kwargs in ({"after": "nope"}, {"before": "nope"}):
        page = store.list("thing", **kwargs)  # type: ignore[arg-type]
        assert page == Page([], False)
    # a cursor from another kind is unknown too
    store.put("other", "x", {"id": "x"}, created_at=2)
    assert store.list("thing", after="x") == Page([], False)


def test_replace_keeps_listing_position(store: Store) -> None:
    ids = _fill(store, 5, created_at=42)
    store.put("thing", ids[1], {"id": ids[1], "status": "completed"}, created_at=42)
    listed = store.list("thing", order="asc").items
    assert [o["id"] for o in listed] == ids
    assert listed[1] == {"id": ids[1], "status": "completed"}
    assert store.count("thing") == 5


def test_replace_without_created_at_keeps_listing_position(store: Store) -> None:
    store.put("thing", "a", {"id": "a"}, created_at=100)
    store.put("thing", "b", {"id": "b"}, created_at=200)
    store.put("thing", "a", {"id": "a", "status": "done"})  # an update that does not repeat the timestamp
    assert _ids(store.list("thing", order="asc")) == ["a", "b"]


def test_owner_filter(store: Store) -> None:
    store.put("thing", "a", {"id": "a"}, created_at=1, owner="alice")
    store.put("thing", "b", {"id": "b"}, created_at=2, owner="bob")
    store.put("thing", "c", {"id": "c"}, created_at=3, owner="alice")
    store.put("thing", "d", {"id": "d"}, created_at=4)
    assert _ids(store.list("thing", owner="alice", order="asc")) == ["a", "c"]
    assert _ids(store.list("thing", owner="bob")) == ["b"]
    assert _ids(store.list("thing", owner="carol")) == []
    assert _ids(store.list("thing", order="asc")) == ["a", "b", "c", "d"]
    page = store.list("thing", owner="alice", limit=1, order="asc")
    assert (_ids(page), page.has_more) == (["a"], True)
    page = store.list("thing", owner="alice", after="a", order="asc")
    assert (_ids(page), page.has_more) == (["c"], False)


# ---------------------------------------------------------------------- blobs


def test_blob_round_trip_with_binary_data(store: Store) -> None:
    data = bytes(range(256)) * 3 + b"\x00\x00end\x00"
    store.put_blob("file_1", data)
    got = store.get_blob("file_1")
    assert got == data
    assert isinstance(got, bytes)
    assert store.get_blob("file_2") is None
    store.put_blob("file_1", b"\x00")  # replace
    assert store.get_blob("file_1") == b"\x00"
    store.put_blob("empty", b"")
    assert store.get_blob("empty") == b""
    assert store.delete_blob("file_1") is True
    assert store.get_blob("file_1") is None
    assert store.delete_blob("file_1") is False


# ---------------------------------------------------------------------- files and transactions


def test_file_store_is_durable_and_uses_wal(tmp_path: Path) -> None:
    first = Store(tmp_path / "data")  # a directory: the database is data/fakeai.db
    assert first.path == str(tmp_path / "data" / "fakeai.db")
    first.put("file", "f1", {"id": "f1", "bytes": 3}, created_at=5, owner="o")
    first.put_blob("f1", b"a\x00b")
    first.close()

    second = Store(tmp_path / "data")
    try:
        assert second.get("file", "f1") == {"id": "f1", "bytes": 3}
        assert second.get_blob("f1") == b"a\x00b"
        assert _ids(second.list("file", owner="o")) == ["f1"]
        second.put("file", "f2", {"id": "f2"}, created_at=6)
        assert _ids(second.list("file", order="asc")) == ["f1", "f2"]  # seq continues after reopening
    finally:
        second.close()

    con = sqlite3.connect(tmp_path / "data" / "fakeai.db")
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()


def test_db_suffix_is_used_as_the_file(tmp_path: Path) -> None:
    s = Store(tmp_path / "sub" / "custom.db")
    try:
        s.put("thing", "a", {"id": "a"}, created_at=1)
        assert s.path == str(tmp_path / "sub" / "custom.db")
        assert (tmp_path / "sub" / "custom.db").is_file()
    finally:
        s.close()


def test_two_stores_on_one_file_writing_concurrently_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    stores = [Store(path), Store(path)]
    per_writer = 150
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write(idx: int) -> None:
        try:
            start.wait()
            for i in range(per_writer):
                oid = f"w{idx}_{i:04d}"
                stores[idx].put("thing", oid, {"id": oid}, created_at=7)  # equal created_at: order is by seq only
                stores[idx].put_blob(oid, oid.encode() + b"\x00")
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert errors == []

    reader = Store(path)
    try:
        assert reader.count("thing") == 2 * per_writer
        seen, _ = _walk_after(reader, "thing", "asc", limit=25)
        expected = {f"w{w}_{i:04d}" for w in range(2) for i in range(per_writer)}
        # every object once: a duplicated seq would make the cursor skip one
        assert sorted(seen) == sorted(expected)
        for w in range(2):  # each writer's objects in its own insertion order
            mine = [x for x in seen if x.startswith(f"w{w}_")]
            assert mine == sorted(mine)
        assert all(reader.get_blob(oid) == oid.encode() + b"\x00" for oid in expected)
    finally:
        reader.close()


def test_transaction_commits(store: Store) -> None:
    with store.transaction() as db:
        db.execute("INSERT INTO blobs (id, data) VALUES ('a', x'00')")
        db.execute("INSERT INTO blobs (id, data) VALUES ('b', x'01')")
    assert store.get_blob("a") == b"\x00"
    assert store.get_blob("b") == b"\x01"


def test_transaction_rolls_back_on_exception(store: Store) -> None:
    store.put_blob("kept", b"1")
    with pytest.raises(RuntimeError, match="boom"), store.transaction() as db:
        db.execute("INSERT INTO blobs (id, data) VALUES ('a', x'00')")
        db.execute("DELETE FROM blobs WHERE id='kept'")
        raise RuntimeError("boom")
    assert store.get_blob("a") is None
    assert store.get_blob("kept") == b"1"
    store.put("thing", "after", {"id": "after"}, created_at=1)  # the store is usable afterwards
    assert store.get("thing", "after") == {"id": "after"}


def test_store_methods_compose_inside_a_transaction(store: Store) -> None:
    with pytest.raises(RuntimeError, match="boom"), store.transaction():
        store.put("thing", "a", {"id": "a"}, created_at=1)
        store.put("thing", "b", {"id": "b"}, created_at=2)
        raise RuntimeError("boom")
    assert store.count("thing") == 0
    with store.transaction():
        store.put("thing", "a", {"id": "a"}, created_at=1)
        store.put("thing", "b", {"id": "b"}, created_at=2)
    assert _ids(store.list("thing", order="asc")) == ["a", "b"]
