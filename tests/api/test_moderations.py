"""Moderations through the openai SDK: the 13 categories, flags, arrays, multimodal input, models."""

from __future__ import annotations

import openai
import pytest
from fakeai.behaviors.sim.moderation import CATEGORIES, IMAGE_CATEGORIES

from tests.conftest import API_KEY, LiveServer


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)


def _dump(obj: object) -> dict[str, object]:
    return obj.model_dump(by_alias=True)  # type: ignore[attr-defined,no-any-return]


def test_a_threat_is_flagged_as_violence(client: openai.OpenAI) -> None:
    resp = client.moderations.create(input="I want to hurt someone")
    assert resp.model == "omni-moderation-latest"  # the default model, echoed
    assert resp.id.startswith("modr-")
    result = resp.results[0]
    categories, scores = _dump(result.categories), _dump(result.category_scores)
    assert set(categories) == set(CATEGORIES) == set(scores)
    assert result.flagged and categories["violence"] is True
    assert scores["violence"] > 0.5
    assert all(categories[c] == (scores[c] > 0.5) for c in CATEGORIES)  # type: ignore[operator]
    assert _dump(result.category_applied_input_types)["violence"] == ["text"]


def test_an_array_gets_one_result_each(client: openai.OpenAI) -> None:
    resp = client.moderations.create(input=["Hello world", "Violent content here", "Another text"])
    assert [r.flagged for r in resp.results] == [False, True, False]
    assert resp.results[1].categories.violence
    clean = _dump(resp.results[0].category_scores)
    assert max(clean.values()) < 0.01  # type: ignore[type-var]


def test_multimodal_input_scores_text_and_images_together(client: openai.OpenAI) -> None:
    resp = client.moderations.create(
        model="omni-moderation-latest",
        input=[
            {"type": "text", "text": "A quiet afternoon in the park."},
            {"type": "image_url", "image_url": {"url": "https://example.com/photos/park.png"}},
        ],
    )
    assert len(resp.results) == 1
    applied = _dump(resp.results[0].category_applied_input_types)
    for cat in CATEGORIES:
        expected = ["text", "image"] if cat in IMAGE_CATEGORIES else ["text"]
        assert applied[cat] == expected, cat
    assert not resp.results[0].flagged
    # words in an image URL are all fakeai can see of an image
    gory = client.moderations.create(
        input=[{"type": "image_url", "image_url": {"url": "https://example.com/graphic-gore-blood.png"}}]
    )
    scores = _dump(gory.results[0].category_scores)
    assert gory.results[0].flagged and scores["violence/graphic"] > 0.5
    assert scores["hate"] == 0.0  # a text-only category, not applied to images
    assert _dump(gory.results[0].category_applied_input_types)["hate"] == []


def test_model_is_echoed_and_legacy_models_read_text_only(client: openai.OpenAI) -> None:
    resp = client.moderations.create(model="text-moderation-stable", input="I will kill you")
    assert resp.model == "text-moderation-stable"
    assert resp.results[0].flagged
    assert resp.results[0].categories.illicit is None
    with pytest.raises(openai.BadRequestError) as e:
        client.moderations.create(
            model="text-moderation-latest",
            input=[{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}],
        )
    assert e.value.param == "input"


def test_benign_uses_of_violent_words_are_not_flagged(client: openai.OpenAI) -> None:
    resp = client.moderations.create(input="How do I kill a process in Linux?")
    assert not resp.results[0].flagged
