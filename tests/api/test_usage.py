"""Usage and costs over HTTP with an admin key: totals equal the usage the SDK calls of this module reported,
buckets, grouping, filters, pagination, and costs priced from the model catalog."""

from __future__ import annotations

import hashlib
import itertools
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from fakeai.behaviors.catalog import Catalog

from fakeai.app import create_app
from tests.conftest import API_KEY, LiveServer, make_settings

ADMIN_KEY = "sk-admin-usage-test"
OTHER_KEY = "sk-test-abcdefghijklmnop"
CHAT_A = "gpt-4o-mini"
CHAT_B = "meta-llama/Llama-3.1-8B-Instruct"
EMBED = "text-embedding-3-small"
CATALOG = Catalog.load()


def key_id(key: str) -> str:
    return "key_" + hashlib.sha256(key.encode()).hexdigest()[:16]


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, Any]]:
    """A fresh server, the requests this module makes, and what their responses reported as usage."""
    app = create_app(make_settings(admin_api_keys=[ADMIN_KEY]))
    with LiveServer(app) as live:
        base = live.url + "/v1"
        start = int(time.time()) - 1
        main = openai.OpenAI(api_key=API_KEY, base_url=base, max_retries=0)
        other = openai.OpenAI(api_key=OTHER_KEY, base_url=base, max_retries=0, project="proj_alpha")
        chats = [
            (main, CHAT_A, "Tell me about lighthouses."),
            (main, CHAT_A, "Explain how tides work in two sentences."),
            (main, CHAT_A, "Name three uses of copper."),
            (other, CHAT_B, "Write a limerick about a cat."),
            (other, CHAT_B, "What is a prime number?"),
        ]
        completions = []
        for client, model, text in chats:
            reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": text}])
            completions.append((client is main, model, reply.usage))
        embeddings = [
            main.embeddings.create(model=EMBED, input=text).usage
            for text in ("tidal energy", ["copper wire", "copper pipes and fittings"])
        ]
        images = main.images.generate(model="dall-e-2", prompt="a lighthouse at dusk", n=2, size="256x256")
        speech_text = "Hello there, world."
        audio = main.audio.speech.create(model="tts-1", voice="alloy", input=speech_text, response_format="wav").read()
        transcript = main.audio.transcriptions.create(
            model="whisper-1", file=("hello.wav", audio), response_format="verbose_json"
        )
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30) as admin:
            yield {
                "admin": admin,
                "start": start,
                "completions": completions,
                "embeddings": embeddings,
                "images": len(images.data),
                "characters": len(speech_text),
                "seconds": transcript.duration,
            }


def get(served: dict[str, Any], path: str, **params: Any) -> dict[str, Any]:
    response = served["admin"].get(path, params={"start_time": served["start"], **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def results(page: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for bucket in page["data"] for r in bucket["results"]]


def total(rows: list[dict[str, Any]], field: str) -> Any:
    return sum(r[field] for r in rows)


def test_completions_totals_match_the_requests(served: dict[str, Any]) -> None:
    page = get(served, "/organization/usage/completions", bucket_width="1d")
    assert page["object"] == "page" and page["has_more"] is False and page["next_page"] is None
    rows = results(page)
    assert all(r["object"] == "organization.usage.completions.result" for r in rows)
    usage = [u for _, _, u in served["completions"]]
    assert total(rows, "input_tokens") == sum(u.prompt_tokens for u in usage)
    assert total(rows, "output_tokens") == sum(u.completion_tokens for u in usage)
    assert total(rows, "input_cached_tokens") == sum(u.prompt_tokens_details.cached_tokens for u in usage)
    assert total(rows, "num_model_requests") == len(usage)
    assert all(r["model"] is None and r["project_id"] is None for r in rows)  # not grouped: null


def test_group_by_model_project_and_key(served: dict[str, Any]) -> None:
    rows = results(get(served, "/organization/usage/completions", group_by=["model", "project_id", "api_key_id"]))
    by_model: Counter[str] = Counter()
    for _, model, usage in served["completions"]:
        by_model[model] += usage.completion_tokens
    assert {r["model"]: r["output_tokens"] for r in rows} == dict(by_model)
    keys = {(r["model"], r["project_id"], r["api_key_id"]) for r in rows}
    assert keys == {(CHAT_A, "proj_default", key_id(API_KEY)), (CHAT_B, "proj_alpha", key_id(OTHER_KEY))}
    assert all(r["user_id"] is None and r["batch"] is None for r in rows)
    assert API_KEY not in str(rows) and OTHER_KEY not in str(rows)


def test_filters(served: dict[str, Any]) -> None:
    path = "/organization/usage/completions"
    only_b = results(get(served, path, models=[CHAT_B]))
    assert total(only_b, "num_model_requests") == 2
    by_key = results(get(served, path, api_key_ids=[key_id(API_KEY)]))
    assert total(by_key, "num_model_requests") == 3
    assert results(get(served, path, project_ids=["proj_alpha"], models=[CHAT_A])) == []
    assert total(results(get(served, path, batch="false")), "num_model_requests") == 5
    assert results(get(served, path, batch="true")) == []


def test_minute_buckets_are_contiguous_and_complete(served: dict[str, Any]) -> None:
    page = get(served, "/organization/usage/completions", bucket_width="1m", start_time=served["start"] - 300)
    buckets = page["data"]
    assert len(buckets) >= 6
    for bucket in buckets:
        assert bucket["object"] == "bucket" and bucket["end_time"] - bucket["start_time"] == 60
        assert bucket["start_time"] % 60 == 0
    assert all(a["end_time"] == b["start_time"] for a, b in itertools.pairwise(buckets))
    assert buckets[0]["results"] == []  # five minutes before the requests: present, and empty
    assert total(results(page), "num_model_requests") == 5


def test_pages_of_daily_buckets(served: dict[str, Any]) -> None:
    start = served["start"] - 9 * 86400
    seen: list[dict[str, Any]] = []
    page = get(served, "/organization/usage/completions", start_time=start, limit=3)
    pages = 1
    while True:
        seen += page["data"]
        assert len(page["data"]) <= 3
        if not page["has_more"]:
            break
        page = get(served, "/organization/usage/completions", start_time=start, limit=3, page=page["next_page"])
        pages += 1
    assert pages >= 4 and len(seen) in (10, 11)
    assert seen[0]["start_time"] == start - start % 86400
    assert all(a["end_time"] == b["start_time"] for a, b in itertools.pairwise(seen))
    assert total(results({"data": seen}), "num_model_requests") == 5


def test_embeddings_images_and_audio(served: dict[str, Any]) -> None:
    emb = results(get(served, "/organization/usage/embeddings", group_by=["model"]))
    assert [(r["model"], r["num_model_requests"]) for r in emb] == [(EMBED, 2)]
    assert emb[0]["input_tokens"] == sum(u.prompt_tokens for u in served["embeddings"])
    img = results(get(served, "/organization/usage/images", group_by=["model", "source"]))
    assert [(r["model"], r["source"], r["images"], r["num_model_requests"]) for r in img] == [
        ("dall-e-2", "image.generation", served["images"], 1)
    ]
    speech = results(get(served, "/organization/usage/audio_speeches"))
    assert [(r["characters"], r["num_model_requests"]) for r in speech] == [(served["characters"], 1)]
    heard = results(get(served, "/organization/usage/audio_transcriptions"))
    assert [(r["seconds"], r["num_model_requests"]) for r in heard] == [(round(served["seconds"]), 1)]
    assert results(get(served, "/organization/usage/moderations")) == []


def expected_costs(served: dict[str, Any]) -> dict[str, float]:
    out: Counter[str] = Counter()
    for _, model, usage in served["completions"]:
        info = CATALOG.get(model)
        assert info is not None
        out[f"{model}, input"] += usage.prompt_tokens * info.price_input / 1e6
        out[f"{model}, output"] += usage.completion_tokens * info.price_output / 1e6
    embed = CATALOG.get(EMBED)
    assert embed is not None
    out[f"{EMBED}, input"] += sum(u.prompt_tokens for u in served["embeddings"]) * embed.price_input / 1e6
    out["dall-e-2, images"] += served["images"] * (CATALOG.get("dall-e-2").price_per_image or 0)  # type: ignore[union-attr]
    out["tts-1, characters"] += served["characters"] * CATALOG.get("tts-1").price_input / 1e6  # type: ignore[union-attr]
    per_minute = CATALOG.get("whisper-1").price_per_minute or 0  # type: ignore[union-attr]
    out["whisper-1, audio"] += served["seconds"] / 60 * per_minute
    return dict(out)


def test_costs_are_catalog_prices_times_usage(served: dict[str, Any]) -> None:
    expected = expected_costs(served)
    plain = results(get(served, "/organization/costs"))
    assert all(r["object"] == "organization.costs.result" and r["amount"]["currency"] == "usd" for r in plain)
    assert sum(r["amount"]["value"] for r in plain) == pytest.approx(sum(expected.values()), rel=1e-6)
    items = results(get(served, "/organization/costs", group_by=["line_item"]))
    got = {r["line_item"]: r["amount"]["value"] for r in items}
    assert got == pytest.approx(expected, rel=1e-6)
    tokens = {r["line_item"]: r["quantity"] for r in items if r["quantity_unit"] == "tokens"}
    assert tokens[f"{CHAT_B}, output"] == sum(u.completion_tokens for _, m, u in served["completions"] if m == CHAT_B)
    alpha = results(get(served, "/organization/costs", project_ids=["proj_alpha"], group_by=["project_id"]))
    assert [r["project_id"] for r in alpha] == ["proj_alpha"]
    assert alpha[0]["amount"]["value"] == pytest.approx(expected[f"{CHAT_B}, input"] + expected[f"{CHAT_B}, output"])


def test_usage_needs_start_time_and_the_admin_key(served: dict[str, Any]) -> None:
    admin: httpx.Client = served["admin"]
    missing = admin.get("/organization/usage/completions")
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "start_time"
    plain = admin.get("/organization/costs", params={"start_time": 0}, headers={"Authorization": f"Bearer {API_KEY}"})
    assert plain.status_code == 401
    wrong_width = admin.get("/organization/costs", params={"start_time": 0, "bucket_width": "1h"})
    assert wrong_width.status_code == 400 and wrong_width.json()["error"]["param"] == "bucket_width"
