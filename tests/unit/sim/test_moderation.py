"""Tests for the simulated moderation scorer."""

from __future__ import annotations

import pytest
from fakeai.behaviors.sim.moderation import CATEGORIES, IMAGE_CATEGORIES, flags, score_image, score_text

BENIGN = [
    "Hello world",
    "How do I kill the process that is listening on port 8080?",
    "kill -9 1234 should stop the hung worker",
    "The garbage collector will kill orphaned child processes.",
    "Let's shoot a photo of the sunset tomorrow evening.",
    "Shoot me an email when the build finishes.",
    "Execute the script with python3 main.py and check the logs.",
    "The scheduler executed the job at midnight.",
    "Preheat the oven to 180 degrees and beat the eggs until fluffy.",
    "Chop the onions and cut the chicken into cubes.",
    "The weather forecast calls for heavy rain and strong wind tomorrow.",
    "Large language models are trained on huge datasets of text.",
    "This new feature is a killer app for photographers.",
    "Terminate the thread and free the memory before returning.",
    "We need to hit the API endpoint with a POST request.",
    "The attack surface of this service is small.",
    "My grandmother had a heart attack last year but she recovered.",
    "Take a stab at the puzzle and give it a shot.",
    "Kids love the new playground in the park.",
    "Sexual orientation is a protected characteristic under the law.",
    "Machine learning will help doctors read scans faster.",
    "Blow up the photo so we can see the details.",
    "My feet are killing me after that hike.",
]

HARMFUL = {
    "I want to hurt someone": {"violence", "harassment/threatening", "harassment"},
    "Violent content here": {"violence"},
    "I will kill you": {"violence", "harassment/threatening", "harassment"},
    "I am going to kill myself tonight": {"self-harm", "self-harm/intent"},
    "What is the most painless way to die? How many pills do I need?": {"self-harm", "self-harm/instructions"},
    "I want to die": {"self-harm", "self-harm/intent"},
    "How to make a bomb at home": {"illicit", "illicit/violent", "violence"},
    "How do I shoplift without getting caught?": {"illicit"},
    "You are a stupid worthless idiot": {"harassment"},
    "I hate muslims, they are vermin": {"hate", "harassment"},
    "We should exterminate all immigrants": {"hate", "hate/threatening", "violence"},
    "The severed head lay in a pool of blood": {"violence", "violence/graphic"},
    "Send me explicit nude pics, I'm so horny": {"sexual"},
    "sexy naked teen pics": {"sexual", "sexual/minors"},
}


def flagged(text: str) -> set[str]:
    return {c for c, f in flags(score_text(text)).items() if f}


def test_every_category_present_in_unit_interval() -> None:
    scores = score_text("Hello world")
    assert tuple(scores) == CATEGORIES
    assert len(CATEGORIES) == 13
    assert all(1e-6 <= s <= 1e-4 for s in scores.values())


def test_background_is_deterministic_and_text_dependent() -> None:
    assert score_text("The sky is blue") == score_text("The sky is blue")
    assert score_text("The sky is blue") != score_text("The sky is green")


def test_expected_phrases_from_brief() -> None:
    assert "violence" in flagged("I want to hurt someone")
    assert "harassment/threatening" in flagged("I want to hurt someone")
    assert flagged("Hello world") == set()
    assert flagged("Violent content here") == {"violence"}


@pytest.mark.parametrize("text", BENIGN)
def test_benign_sentences_are_not_flagged(text: str) -> None:
    scores = score_text(text)
    assert flagged(text) == set(), scores
    assert max(scores.values()) < 0.01


@pytest.mark.parametrize(("text", "expected"), list(HARMFUL.items()))
def test_harmful_sentences_flag_expected_categories(text: str, expected: set[str]) -> None:
    got = flagged(text)
    assert expected <= got, (got, score_text(text))
    assert all(score_text(text)[c] > 0.5 for c in expected)


def test_technical_idioms_only_suppress_nearby_words() -> None:
    assert "violence" in flagged("I will kill you and then restart the server")
    assert "violence" in flagged("I'll shoot you")
    assert "violence" not in flagged("I'll shoot you a message")


def test_needs_target_words_count_only_with_a_target() -> None:
    assert flagged("Press enter to hit the button") == set()
    assert "violence" in flagged("I will hit him")


def test_scores_increase_with_matches_and_intensity() -> None:
    one = score_text("kill")["violence"]
    two = score_text("kill and murder")["violence"]
    three = score_text("kill and murder and torture")["violence"]
    assert 0.5 < one < two < three < 1.0
    calm = score_text("I will kill you")["violence"]
    angry = score_text("I will brutally kill you!")["violence"]
    assert calm < angry
    assert score_text("kill kill")["violence"] > one


def test_subcategories_raise_their_parents() -> None:
    pairs = [
        ("harassment/threatening", "harassment"),
        ("hate/threatening", "hate"),
        ("illicit/violent", "illicit"),
        ("self-harm/intent", "self-harm"),
        ("self-harm/instructions", "self-harm"),
        ("sexual/minors", "sexual"),
        ("violence/graphic", "violence"),
    ]
    for text in HARMFUL:
        scores = score_text(text)
        for child, parent in pairs:
            if scores[child] > 0.5:
                assert scores[parent] > 0.5, (text, child, parent)


def test_flags_default_and_overridden_thresholds() -> None:
    scores = score_text("Violent content here")
    assert flags(scores)["violence"] is True
    assert flags(scores, {"violence": 0.99})["violence"] is False
    assert all(flags(scores, dict.fromkeys(CATEGORIES, 1e-7)).values())
    assert flags({"violence": 0.5}) == {"violence": False}
    assert flags({"violence": 0.51}) == {"violence": True}


def test_image_categories_are_omni_moderations_six() -> None:
    assert set(IMAGE_CATEGORIES) == {
        "violence",
        "violence/graphic",
        "self-harm",
        "self-harm/intent",
        "self-harm/instructions",
        "sexual",
    }


def test_score_image_low_hash_scores_for_plain_images() -> None:
    url = "https://example.com/images/cat_on_a_mat.png"
    scores = score_image(url)
    assert tuple(scores) == CATEGORIES
    assert scores == score_image(url)
    for c in CATEGORIES:
        if c in IMAGE_CATEGORIES:
            assert 1e-6 <= scores[c] <= 1e-3
        else:
            assert scores[c] == 0.0
    assert score_image("data:image/png;base64,iVBORw0KGgo=") != score_image("data:image/png;base64,R0lGODlh")


def test_score_image_reads_obvious_words_in_url_but_never_in_data() -> None:
    gore = score_image("https://example.com/uploads/gore_scene_01.jpg")
    assert gore["violence/graphic"] > 0.5 and gore["violence"] > 0.5
    assert score_image("https://cdn.example.com/nsfw/nude-photo.png")["sexual"] > 0.5
    data = score_image("data:image/png;base64,sexnudegoreporn")
    assert max(data.values()) < 1e-3
