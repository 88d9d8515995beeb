"""Vector stores through the openai SDK: files chunked by token windows, search ranked by the relevance model,
attribute filters, file batches and their counts, failures for binary files, CRUD, pagination and 404s."""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import openai
import pytest
from fakeai.behaviors.sim.tokenizer import count_tokens

from fakeai.app import create_app
from tests.api.own_server import own_client, own_server  # noqa: F401 (the module's server and client)
from tests.conftest import API_KEY, LiveServer, make_settings

DOCS = {
    "solar.txt": (
        "The solar system has eight planets orbiting the Sun. Jupiter is the largest planet, a gas giant with a "
        "great red storm, and Saturn is known for its bright rings of ice. Mercury is the closest planet to the Sun."
    ),
    "sourdough.txt": (
        "Sourdough bread rises with a starter of wild yeast and lactic bacteria instead of commercial yeast. Bake "
        "the loaf in a preheated Dutch oven at 250 degrees Celsius for twenty minutes with the lid on, then uncover."
    ),
    "python.txt": (
        "The global interpreter lock in CPython lets only one thread execute Python bytecode at a time. For "
        "CPU-bound work use multiprocessing; threads still help with input and output bound programs."
    ),
    "eiffel.txt": (
        "The Eiffel Tower in Paris was completed in 1889 for the World's Fair. The wrought iron tower is about 330 "
        "metres tall and was the tallest man-made structure in the world for forty-one years."
    ),
}
ATTRIBUTES = {
    "solar.txt": {"topic": "science", "year": 2021, "public": True},
    "sourdough.txt": {"topic": "cooking", "year": 2019, "public": True},
    "python.txt": {"topic": "software", "year": 2024, "public": False},
    "eiffel.txt": {"topic": "history", "year": 1889, "public": True},
}


@pytest.fixture(scope="module")
def library(client: openai.OpenAI) -> dict[str, Any]:
    """A store holding the four documents (one batch, with attributes), and their file ids by name."""
    ids = {
        name: client.files.create(file=(name, text.encode()), purpose="assistants").id for name, text in DOCS.items()
    }
    vs = client.vector_stores.create(name="library", metadata={"owner": "tests"})
    batch = client.vector_stores.file_batches.create_and_poll(
        vector_store_id=vs.id,
        files=[{"file_id": ids[name], "attributes": ATTRIBUTES[name]} for name in DOCS],
        poll_interval_ms=20,
    )
    return {"vs": vs.id, "ids": ids, "batch": batch}


def search(client: openai.OpenAI, vs_id: str, **body: Any) -> dict[str, Any]:
    raw = client.vector_stores.with_raw_response.search(vs_id, **body)
    return raw.http_response.json()  # type: ignore[no-any-return]


def test_batch_counts_and_store_totals(client: openai.OpenAI, library: dict[str, Any]) -> None:
    batch = library["batch"]
    assert batch.object == "vector_store.files_batch"
    assert batch.status == "completed"
    counts = batch.file_counts
    assert (counts.completed, counts.failed, counts.in_progress, counts.cancelled, counts.total) == (4, 0, 0, 0, 4)
    vs = client.vector_stores.retrieve(library["vs"])
    assert vs.status == "completed"
    assert vs.file_counts.completed == 4 and vs.file_counts.total == 4
    # each short document is one chunk: the store's usage is the bytes of their text
    assert vs.usage_bytes == sum(len(text.strip().encode()) for text in DOCS.values())
    in_batch = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=library["vs"], limit=2)
    assert len(in_batch.data) == 2 and in_batch.has_more
    assert {f.id for f in in_batch} == set(library["ids"].values())  # auto-pagination sees all four


def test_search_returns_the_answering_chunk_first(client: openai.OpenAI, library: dict[str, Any]) -> None:
    questions = {
        "At what temperature should sourdough bread be baked?": "sourdough.txt",
        "How tall is the Eiffel Tower?": "eiffel.txt",
        "Which planet is the largest in the solar system?": "solar.txt",
        "Why can't Python threads speed up CPU-bound work with the global interpreter lock?": "python.txt",
    }
    for question, expected in questions.items():
        page = client.vector_stores.search(library["vs"], query=question)
        results = page.data
        assert results[0].filename == expected, question
        assert results[0].file_id == library["ids"][expected]
        assert results[0].content[0].type == "text"
        assert results[0].content[0].text == DOCS[expected].strip()
        assert results[0].attributes == ATTRIBUTES[expected]
        assert all(0.0 <= r.score <= 1.0 for r in results)
        assert results[0].score > 0.5 > results[1].score
        assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_search_options(client: openai.OpenAI, library: dict[str, Any]) -> None:
    body = search(client, library["vs"], query="What is the tallest tower in Paris?", rewrite_query=True)
    assert body["object"] == "vector_store.search_results.page"
    assert body["search_query"] == ["tallest tower Paris"]
    assert body["data"][0]["filename"] == "eiffel.txt"
    assert body["has_more"] is False and body["next_page"] is None
    plain = search(client, library["vs"], query="How tall is the Eiffel Tower?")
    assert plain["search_query"] == ["How tall is the Eiffel Tower?"]
    assert len(search(client, library["vs"], query="Eiffel Tower", max_num_results=2)["data"]) == 2
    strict = search(client, library["vs"], query="Eiffel Tower", ranking_options={"score_threshold": 0.5})
    assert [r["filename"] for r in strict["data"]] == ["eiffel.txt"]
    several = search(client, library["vs"], query=["sourdough starter", "Jupiter rings"], max_num_results=2)
    assert {r["filename"] for r in several["data"]} == {"sourdough.txt", "solar.txt"}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"type": "eq", "key": "topic", "value": "cooking"}, {"sourdough.txt"}),
        ({"type": "ne", "key": "topic", "value": "cooking"}, {"solar.txt", "python.txt", "eiffel.txt"}),
        ({"type": "gt", "key": "year", "value": 2019}, {"solar.txt", "python.txt"}),
        ({"type": "gte", "key": "year", "value": 2019}, {"solar.txt", "python.txt", "sourdough.txt"}),
        ({"type": "lt", "key": "year", "value": 2000}, {"eiffel.txt"}),
        ({"type": "lte", "key": "year", "value": 2021}, {"solar.txt", "sourdough.txt", "eiffel.txt"}),
        ({"type": "in", "key": "topic", "value": ["history", "science"]}, {"eiffel.txt", "solar.txt"}),
        ({"type": "nin", "key": "topic", "value": ["history", "science"]}, {"sourdough.txt", "python.txt"}),
        ({"type": "eq", "key": "public", "value": False}, {"python.txt"}),
        (
            {
                "type": "and",
                "filters": [
                    {"type": "eq", "key": "public", "value": True},
                    {
                        "type": "or",
                        "filters": [
                            {"type": "lt", "key": "year", "value": 1900},
                            {"type": "eq", "key": "topic", "value": "cooking"},
                        ],
                    },
                ],
            },
            {"eiffel.txt", "sourdough.txt"},
        ),
        ({"type": "eq", "key": "missing", "value": "x"}, set()),
    ],
)
def test_attribute_filters(
    client: openai.OpenAI, library: dict[str, Any], filters: dict[str, Any], expected: set[str]
) -> None:
    page = client.vector_stores.search(library["vs"], query="tower bread planet thread", filters=filters)  # type: ignore[arg-type]
    assert {r.filename for r in page.data} == expected


def test_chunking_static_and_auto(client: openai.OpenAI) -> None:
    text = "".join(f"Passage {i} explains how overlapping windows keep context for retrieval. " for i in range(150))
    n_tokens = count_tokens(text)
    file_id = client.files.create(file=("long.txt", text.encode()), purpose="assistants").id
    vs = client.vector_stores.create(name="chunks")
    static = {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 50}}
    vf = client.vector_stores.files.create(vector_store_id=vs.id, file_id=file_id, chunking_strategy=static)  # type: ignore[arg-type]
    assert vf.status == "completed"
    assert vf.chunking_strategy.type == "static"
    assert vf.chunking_strategy.static.max_chunk_size_tokens == 200  # type: ignore[union-attr]
    chunks = [c.text for c in client.vector_stores.files.content(file_id, vector_store_id=vs.id)]
    assert all(count_tokens(c) <= 200 for c in chunks)
    # windows of <= 200 tokens advancing by about 150: roughly (n - 200) / 150 + 1 of them
    assert 1 + math.ceil((n_tokens - 200) / 150) <= len(chunks) <= 1 + math.ceil((n_tokens - 200) / 120)
    assert chunks[0].startswith("Passage 0 ") and chunks[-1].endswith(
        "Passage 149 explains how overlapping windows keep context for retrieval."
    )
    for before, after in itertools.pairwise(chunks):
        assert after[:30] in before  # each chunk repeats the end of the previous one
    assert vf.usage_bytes == sum(len(c.encode()) for c in chunks)
    # the default strategy is OpenAI's: 800-token chunks overlapping by 400
    auto = client.vector_stores.create(name="auto", file_ids=[file_id])
    auto_file = client.vector_stores.files.retrieve(file_id, vector_store_id=auto.id)
    assert auto_file.chunking_strategy.static.max_chunk_size_tokens == 800  # type: ignore[union-attr]
    assert auto_file.chunking_strategy.static.chunk_overlap_tokens == 400  # type: ignore[union-attr]
    auto_chunks = [c.text for c in client.vector_stores.files.content(file_id, vector_store_id=auto.id)]
    assert all(count_tokens(c) <= 800 for c in auto_chunks)
    assert 1 + math.ceil((n_tokens - 800) / 400) <= len(auto_chunks) <= 1 + math.ceil((n_tokens - 800) / 360)
    assert client.vector_stores.retrieve(auto.id).usage_bytes == auto_file.usage_bytes
    bad = {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 150}}
    with pytest.raises(openai.BadRequestError) as err:
        client.vector_stores.files.create(vector_store_id=vs.id, file_id=file_id, chunking_strategy=bad)  # type: ignore[arg-type]
    assert err.value.body["param"] == "chunking_strategy.static.chunk_overlap_tokens"  # type: ignore[index]


def test_binary_file_fails_as_unsupported(client: openai.OpenAI) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    image = client.files.create(file=("pixel.png", png), purpose="assistants").id
    text = client.files.create(file=("note.txt", b"a plain note"), purpose="assistants").id
    vs = client.vector_stores.create(name="mixed")
    batch = client.vector_stores.file_batches.create(vector_store_id=vs.id, file_ids=[image, text])
    assert batch.status == "completed"
    assert (batch.file_counts.completed, batch.file_counts.failed, batch.file_counts.total) == (1, 1, 2)
    failed = client.vector_stores.files.retrieve(image, vector_store_id=vs.id)
    assert failed.status == "failed"
    assert failed.last_error is not None and failed.last_error.code == "unsupported_file"
    assert "pixel.png" in failed.last_error.message
    assert failed.usage_bytes == 0
    only_failed = client.vector_stores.files.list(vector_store_id=vs.id, filter="failed")
    assert [f.id for f in only_failed] == [image]
    assert client.vector_stores.retrieve(vs.id).file_counts.failed == 1


def test_store_crud_and_pagination(client: openai.OpenAI, server: tuple[LiveServer, Any]) -> None:
    store = server[1]
    vs = client.vector_stores.create(
        name="crud", metadata={"team": "a"}, expires_after={"anchor": "last_active_at", "days": 3}
    )
    assert vs.object == "vector_store" and vs.id.startswith("vs_")
    assert vs.expires_after is not None and vs.expires_after.days == 3
    assert vs.expires_at == vs.last_active_at + 3 * 86400  # type: ignore[operator]
    assert abs(vs.created_at - time.time()) < 60
    changed = client.vector_stores.update(vs.id, name="renamed", metadata={"team": "b"}, expires_after=None)
    assert (changed.name, changed.metadata, changed.expires_at) == ("renamed", {"team": "b"}, None)
    assert client.vector_stores.retrieve(vs.id).name == "renamed"

    made = [client.vector_stores.create(name=f"page-{i}").id for i in range(3)]
    first = client.vector_stores.list(limit=2)
    assert [v.id for v in first.data] == made[::-1][:2] and first.has_more
    second = client.vector_stores.list(limit=2, after=first.data[-1].id)
    assert second.data[0].id == made[0]
    asc = client.vector_stores.list(limit=3, order="asc", after=vs.id)
    assert [v.id for v in asc.data] == made

    fid = client.files.create(file=("kept.txt", b"Files outlive the stores that index them."), purpose="assistants").id
    client.vector_stores.files.create(vector_store_id=vs.id, file_id=fid, attributes={"k": "v"})
    updated = client.vector_stores.files.update(fid, vector_store_id=vs.id, attributes={"k": "w", "n": 2})
    assert updated.attributes == {"k": "w", "n": 2}
    assert store.count("vector_store.chunks") > 0
    before = store.count("vector_store.chunks")
    deleted = client.vector_stores.delete(vs.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (vs.id, True, "vector_store.deleted")
    assert store.count("vector_store.chunks") == before - 1
    with pytest.raises(openai.NotFoundError) as err:
        client.vector_stores.retrieve(vs.id)
    assert err.value.body["param"] == "vector_store_id"  # type: ignore[index]
    assert client.files.retrieve(fid).id == fid  # the file itself is kept


def test_vector_store_files_lifecycle(client: openai.OpenAI) -> None:
    ids = [
        client.files.create(file=(f"f{i}.txt", f"document number {i}".encode()), purpose="assistants").id
        for i in range(3)
    ]
    vs = client.vector_stores.create(name="files")
    for fid in ids:
        assert client.vector_stores.files.create(vector_store_id=vs.id, file_id=fid).status == "completed"
    listed = client.vector_stores.files.list(vector_store_id=vs.id, order="asc", limit=2)
    assert [f.id for f in listed.data] == ids[:2] and listed.has_more
    assert [f.id for f in client.vector_stores.files.list(vector_store_id=vs.id, before=ids[2], order="asc")] == ids[:2]
    assert client.vector_stores.files.list(vector_store_id=vs.id, filter="in_progress").data == []
    gone = client.vector_stores.files.delete(ids[1], vector_store_id=vs.id)
    assert (gone.id, gone.deleted, gone.object) == (ids[1], True, "vector_store.file.deleted")
    assert client.vector_stores.retrieve(vs.id).file_counts.total == 2
    with pytest.raises(openai.NotFoundError) as err:
        client.vector_stores.files.retrieve(ids[1], vector_store_id=vs.id)
    assert err.value.body["param"] == "file_id"  # type: ignore[index]
    with pytest.raises(openai.NotFoundError) as err:
        client.vector_stores.files.create(vector_store_id=vs.id, file_id="file-does-not-exist")
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.search("vs_missing", query="anything")


def test_batch_by_file_ids_and_cancel_of_a_finished_batch(client: openai.OpenAI) -> None:
    ids = [client.files.create(file=(f"b{i}.txt", b"batch text"), purpose="assistants").id for i in range(2)]
    vs = client.vector_stores.create(name="batches")
    batch = client.vector_stores.file_batches.create(
        vector_store_id=vs.id, file_ids=ids, attributes={"source": "batch"}
    )
    got = client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=vs.id)
    assert (got.id, got.status, got.file_counts.completed) == (batch.id, "completed", 2)
    assert all(f.attributes == {"source": "batch"} for f in client.vector_stores.files.list(vector_store_id=vs.id))
    cancelled = client.vector_stores.file_batches.cancel(batch.id, vector_store_id=vs.id)
    assert cancelled.status == "completed"  # nothing left to cancel
    with pytest.raises(openai.NotFoundError) as err:
        client.vector_stores.file_batches.retrieve("vsfb_missing", vector_store_id=vs.id)
    assert err.value.body["param"] == "batch_id"  # type: ignore[index]


def test_background_processing_and_cancel() -> None:
    """Without `fast`, files are processed after the request returns: in_progress, then completed."""
    app = create_app(make_settings(fast=False))
    with LiveServer(app) as live:
        client = openai.OpenAI(api_key=API_KEY, base_url=live.url + "/v1", max_retries=0)
        ids = [client.files.create(file=(f"s{i}.txt", b"slow text"), purpose="assistants").id for i in range(3)]
        vs = client.vector_stores.create(name="slow")
        batch = client.vector_stores.file_batches.create(vector_store_id=vs.id, file_ids=ids)
        assert batch.status == "in_progress" and batch.file_counts.in_progress == 3
        assert client.vector_stores.retrieve(vs.id).status in ("in_progress", "completed")
        done = client.vector_stores.file_batches.poll(batch.id, vector_store_id=vs.id, poll_interval_ms=20)
        assert done.status == "completed" and done.file_counts.completed == 3

        second = client.vector_stores.file_batches.create(vector_store_id=vs.id, file_ids=ids)
        stopped = client.vector_stores.file_batches.cancel(second.id, vector_store_id=vs.id)
        counts = stopped.file_counts
        assert counts.in_progress == 0 and counts.cancelled + counts.completed == 3
        if counts.cancelled:
            assert stopped.status == "cancelled"
