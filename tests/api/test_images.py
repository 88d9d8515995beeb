"""Images through the openai SDK: real pictures of the requested size, URLs fakeai serves, formats, per-model rules,
edits and variations from uploads, streaming."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import openai
import pytest
from fakeai.behaviors import images_files
from fakeai.behaviors.sim.png import image_size, is_image, render_png

from tests.conftest import API_KEY, LiveServer


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)


def fetch(url: str) -> httpx.Response:
    return httpx.get(url)  # no API key: image URLs open in a browser


def png_colour_type(data: bytes) -> int:
    return data[25]


def test_seed_generation_examples(client: openai.OpenAI, live_server: LiveServer) -> None:
    one = client.images.generate(
        model="stabilityai/stable-diffusion-xl-base-1.0",
        prompt="A futuristic city with flying cars and tall skyscrapers",
        n=1,
        size="1024x1024",
        quality="hd",
        style="vivid",
    )
    assert len(one.data) == 1 and one.data[0].url
    assert one.data[0].url.startswith(live_server.url + "/v1/images/files/")
    got = fetch(one.data[0].url)
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert image_size(got.content) == (1024, 1024)
    three = client.images.generate(
        model="stabilityai/stable-diffusion-2-1", prompt="A serene mountain landscape at sunset", n=3, size="512x512"
    )
    assert len({d.url for d in three.data}) == 3
    assert all(image_size(fetch(d.url).content) == (512, 512) for d in three.data)  # type: ignore[arg-type]


def test_b64_images_are_deterministic_and_follow_the_prompt(client: openai.OpenAI) -> None:
    def draw(prompt: str) -> bytes:
        resp = client.images.generate(model="dall-e-2", prompt=prompt, size="256x256", response_format="b64_json")
        return base64.b64decode(resp.data[0].b64_json or "")

    first, again, other = draw("a red fox"), draw("a red fox"), draw("a blue whale")
    assert is_image(first) == "png" and image_size(first) == (256, 256)
    assert first == again and first != other


def test_dall_e_3_revises_the_prompt_and_makes_one_image(client: openai.OpenAI) -> None:
    resp = client.images.generate(model="dall-e-3", prompt="a lighthouse at dawn", size="1792x1024")
    revised = resp.data[0].revised_prompt or ""
    assert revised.lower().startswith("a lighthouse at dawn") and len(revised) > len("a lighthouse at dawn") + 20
    assert image_size(fetch(resp.data[0].url or "").content) == (1792, 1024)
    with pytest.raises(openai.BadRequestError) as e:
        client.images.generate(model="dall-e-3", prompt="x", n=2)
    assert e.value.param == "n"


@pytest.mark.parametrize(
    ("model", "size"),
    [("dall-e-2", "1792x1024"), ("dall-e-3", "512x512"), ("gpt-image-1", "800x600"), ("dall-e-2", "big")],
)
def test_sizes_a_model_does_not_offer_are_a_400(client: openai.OpenAI, model: str, size: str) -> None:
    with pytest.raises(openai.BadRequestError) as e:
        client.images.generate(model=model, prompt="x", size=size)  # type: ignore[arg-type]
    assert e.value.param == "size"
    assert size in e.value.message


def test_other_models_take_any_sensible_size(client: openai.OpenAI) -> None:
    resp = client.images.generate(
        model="stabilityai/stable-diffusion-xl-base-1.0", prompt="x", size="768x1344", response_format="b64_json"
    )
    assert image_size(base64.b64decode(resp.data[0].b64_json or "")) == (768, 1344)
    resp = client.images.generate(model="my-painter", prompt="x", size="300x200", response_format="b64_json")
    assert image_size(base64.b64decode(resp.data[0].b64_json or "")) == (300, 200)


def test_gpt_image_answers_base64_with_usage_and_settings(client: openai.OpenAI) -> None:
    resp = client.images.generate(
        model="gpt-image-1", prompt="a paper crane", size="1536x1024", quality="low", background="transparent"
    )
    data = base64.b64decode(resp.data[0].b64_json or "")
    assert image_size(data) == (1536, 1024)
    assert png_colour_type(data) == 6  # RGBA
    assert (resp.size, resp.quality, resp.background, resp.output_format) == ("1536x1024", "low", "transparent", "png")
    assert resp.usage is not None
    assert resp.usage.output_tokens == 400
    assert resp.usage.input_tokens_details.text_tokens == resp.usage.input_tokens > 0
    assert resp.usage.total_tokens == resp.usage.input_tokens + resp.usage.output_tokens


@pytest.mark.parametrize(("fmt", "kind"), [("jpeg", "jpeg"), ("webp", "webp")])
def test_jpeg_and_webp_output(client: openai.OpenAI, fmt: str, kind: str) -> None:
    resp = client.images.generate(
        model="gpt-image-1",
        prompt="a teapot",
        size="1024x1024",
        output_format=fmt,
        output_compression=60,  # type: ignore[arg-type]
    )
    data = base64.b64decode(resp.data[0].b64_json or "")
    assert is_image(data) == kind and image_size(data) == (1024, 1024)
    url = client.images.generate(model="gpt-image-1", prompt="a teapot", output_format=fmt, response_format="url")  # type: ignore[arg-type]
    got = fetch(url.data[0].url or "")
    assert got.headers["content-type"] == f"image/{kind}" and is_image(got.content) == kind


def test_jpeg_without_pyav_is_a_400_with_the_install_hint(
    client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images_files, "_av", lambda: None)
    with pytest.raises(openai.BadRequestError) as e:
        client.images.generate(model="gpt-image-1", prompt="x", output_format="jpeg")
    assert e.value.param == "output_format" and "fakeai[media]" in e.value.message


def test_transparent_jpeg_and_dall_e_formats_are_refused(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as e:
        client.images.generate(model="gpt-image-1", prompt="x", background="transparent", output_format="jpeg")
    assert e.value.param == "background"
    with pytest.raises(openai.BadRequestError) as e:
        client.images.generate(model="dall-e-3", prompt="x", output_format="webp")
    assert e.value.param == "output_format"


def test_urls_expire_and_unknown_ids_are_404(client: openai.OpenAI, app: Any) -> None:
    resp = client.images.generate(model="dall-e-2", prompt="x", size="256x256")
    url = resp.data[0].url or ""
    assert fetch(url).status_code == 200
    image_id = url.rsplit("/", 1)[1]
    store = app.state.services.store
    doc = store.get(images_files.KIND, image_id)
    store.put(images_files.KIND, image_id, {**doc, "expires_at": time.time() - 1})
    gone = fetch(url)
    assert gone.status_code == 404 and gone.json()["error"]["param"] == "image_id"
    assert fetch(url.replace(image_id, "img-unknown.png")).status_code == 404


def test_streaming_sends_partial_images_then_the_final_one(client: openai.OpenAI) -> None:
    stream = client.images.generate(
        model="gpt-image-1", prompt="a kite over the sea", size="1024x1024", stream=True, partial_images=2
    )
    events = list(stream)
    assert [e.type for e in events] == [
        "image_generation.partial_image",
        "image_generation.partial_image",
        "image_generation.completed",
    ]
    assert [e.partial_image_index for e in events[:2]] == [0, 1]  # type: ignore[union-attr]
    final = base64.b64decode(events[-1].b64_json)
    assert image_size(final) == (1024, 1024)
    assert base64.b64decode(events[0].b64_json) != final
    assert events[-1].usage.output_tokens == 1056  # type: ignore[union-attr]


def test_edits_from_uploads(client: openai.OpenAI) -> None:
    picture = render_png(512, 512, 7, prompt="a room")
    mask = render_png(512, 512, 8, transparent=True)
    resp = client.images.edit(
        model="dall-e-2",
        image=("room.png", picture, "image/png"),
        mask=("mask.png", mask, "image/png"),
        prompt="add a cat on the sofa",
        n=2,
        size="512x512",
        response_format="b64_json",
    )
    assert len(resp.data) == 2
    assert all(image_size(base64.b64decode(d.b64_json or "")) == (512, 512) for d in resp.data)
    gpt = client.images.edit(
        model="gpt-image-1", image=[("a.png", picture, "image/png"), ("b.png", picture, "image/png")], prompt="merge"
    )
    assert gpt.usage is not None and gpt.usage.input_tokens_details.image_tokens > 0


def test_edit_uploads_are_checked(client: openai.OpenAI) -> None:
    picture = render_png(256, 256, 1)
    with pytest.raises(openai.BadRequestError) as e:
        client.images.edit(model="gpt-image-1", image=("notes.txt", b"not a picture", "text/plain"), prompt="x")
    assert e.value.param == "image"
    with pytest.raises(openai.BadRequestError) as e:
        client.images.edit(
            model="gpt-image-1",
            image=("a.png", picture, "image/png"),
            mask=("m.png", render_png(128, 128, 2), "image/png"),
            prompt="x",
        )
    assert e.value.param == "mask" and "128x128" in e.value.message


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks variations deprecated
def test_variations(client: openai.OpenAI) -> None:
    picture = render_png(256, 256, 3)
    resp = client.images.create_variation(image=("a.png", picture, "image/png"), n=2, size="256x256")
    assert len(resp.data) == 2 and resp.data[0].url != resp.data[1].url
    assert all(image_size(fetch(d.url or "").content) == (256, 256) for d in resp.data)
    with pytest.raises(openai.BadRequestError) as e:
        client.images.create_variation(image=("a.png", render_png(300, 200, 3), "image/png"))
    assert e.value.param == "image"


def test_json_edits_take_data_urls_and_file_ids(client: openai.OpenAI) -> None:
    picture = render_png(1536, 1024, 4)
    data_url = "data:image/png;base64," + base64.b64encode(picture).decode()
    resp = client.post(
        "/images/edits",
        cast_to=object,
        body={"model": "gpt-image-1", "prompt": "make it night", "images": [{"image_url": data_url}], "size": "auto"},
    )
    assert resp["size"] == "1536x1024"  # type: ignore[index]  # auto follows the input's landscape shape
    uploaded = client.files.create(file=("photo.png", picture, "image/png"), purpose="vision")
    resp = client.post(
        "/images/edits",
        cast_to=object,
        body={"model": "gpt-image-1", "prompt": "make it night", "images": [{"file_id": uploaded.id}]},
    )
    assert image_size(base64.b64decode(resp["data"][0]["b64_json"])) == (1536, 1024)  # type: ignore[index]
    with pytest.raises(openai.NotFoundError) as e:
        client.post(
            "/images/edits",
            cast_to=object,
            body={"model": "gpt-image-1", "prompt": "x", "images": [{"file_id": "file-nope"}]},
        )
    assert e.value.param == "images[0].file_id"  # type: ignore[attr-defined]


def test_streamed_edits_use_edit_events(client: openai.OpenAI) -> None:
    events = list(
        client.images.edit(
            model="gpt-image-1",
            image=("a.png", render_png(256, 256, 5), "image/png"),
            prompt="add snow",
            stream=True,
            partial_images=1,
        )
    )
    assert [e.type for e in events] == ["image_edit.partial_image", "image_edit.completed"]
