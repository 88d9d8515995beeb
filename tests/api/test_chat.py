"""Chat completions through the official openai SDK against a live server: content, not just status."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import struct
import wave
import zlib
from collections.abc import Iterator

import httpx
import openai
import pytest

from fakeai.app import create_app
from tests.conftest import API_KEY, LiveServer, make_settings

MODEL = "meta-llama/Llama-3.1-8B-Instruct"
REASONING = "deepseek-ai/DeepSeek-R1"


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0) as c:
        yield c


def ask(client: openai.OpenAI, text: str = "Tell me about artificial intelligence.", **kw: object) -> object:
    return client.chat.completions.create(
        model=kw.pop("model", MODEL), messages=[{"role": "user", "content": text}], **kw
    )  # type: ignore[call-overload, arg-type]


def test_answer_is_on_topic_and_usage_is_consistent(client: openai.OpenAI) -> None:
    r = ask(client, "Explain how photosynthesis works in plants.")
    text = r.choices[0].message.content
    assert "photosynthesis" in text.lower()
    assert len(text.split()) > 20
    u = r.usage
    assert u.total_tokens == u.prompt_tokens + u.completion_tokens
    assert u.prompt_tokens > 0 and u.completion_tokens > 0
    assert u.prompt_tokens_details is not None and u.completion_tokens_details is not None
    assert r.choices[0].finish_reason == "stop"
    assert r.id.startswith("chatcmpl-") and r.object == "chat.completion"


def test_same_seed_same_text_and_n_distinct(client: openai.OpenAI) -> None:
    a = ask(client, "Write a short story about a robot.", seed=42, temperature=0.9)
    b = ask(client, "Write a short story about a robot.", seed=42, temperature=0.9)
    c = ask(client, "Write a short story about a robot.", seed=43, temperature=0.9)
    assert a.choices[0].message.content == b.choices[0].message.content
    assert a.choices[0].message.content != c.choices[0].message.content
    many = ask(client, "Write a short story about a robot.", n=3, seed=7)
    texts = [ch.message.content for ch in many.choices]
    assert [ch.index for ch in many.choices] == [0, 1, 2]
    assert len(set(texts)) == 3


def test_temperature_zero_is_deterministic_without_seed(client: openai.OpenAI) -> None:
    a = ask(client, "Summarise the history of the printing press.", temperature=0)
    b = ask(client, "Summarise the history of the printing press.", temperature=0)
    assert a.choices[0].message.content == b.choices[0].message.content


@pytest.mark.parametrize("field", ["max_tokens", "max_completion_tokens"])
def test_max_tokens_is_exact_when_hit(client: openai.OpenAI, field: str) -> None:
    r = ask(client, "Write a long essay about the ocean.", **{field: 7})
    assert r.usage.completion_tokens == 7
    assert r.choices[0].finish_reason == "length"


def test_ignore_eos_fills_exactly_and_min_tokens_is_a_floor(client: openai.OpenAI) -> None:
    r = ask(client, "Hi", max_tokens=300, extra_body={"ignore_eos": True})
    assert r.usage.completion_tokens == 300
    r = ask(client, "Say hello", max_tokens=400, extra_body={"min_tokens": 250})
    assert 250 <= r.usage.completion_tokens <= 400


def test_stop_sequence_cuts_the_text(client: openai.OpenAI) -> None:
    full = ask(client, "Explain the water cycle in detail.", seed=5).choices[0].message.content
    word = full.split()[10]
    r = ask(client, "Explain the water cycle in detail.", seed=5, stop=[word])
    assert r.choices[0].finish_reason == "stop"
    assert r.choices[0].message.content == full[: full.index(word)]


def test_logprobs(client: openai.OpenAI) -> None:
    r = ask(client, "Say 'Hello, World!'", logprobs=True, top_logprobs=3, max_tokens=20)
    content = r.choices[0].logprobs.content
    assert len(content) == r.usage.completion_tokens
    assert "".join(t.token for t in content) == r.choices[0].message.content
    for t in content:
        assert t.logprob <= 0 and t.bytes == list(t.token.encode())
        assert len(t.top_logprobs) == 3
        probs = [a.logprob for a in t.top_logprobs]
        assert probs == sorted(probs, reverse=True)
        assert t.token in [a.token for a in t.top_logprobs]


def test_reasoning_model(client: openai.OpenAI) -> None:
    r = ask(client, "If x + 5 = 12, what is x?", model=REASONING)
    msg = r.choices[0].message
    reasoning = msg.model_extra.get("reasoning_content")  # vLLM's field, kept by the SDK as an extra
    assert reasoning and msg.content
    details = r.usage.completion_tokens_details
    assert details.reasoning_tokens > 0
    assert r.usage.completion_tokens > details.reasoning_tokens
    short = ask(client, "Why is the sky blue?", model=REASONING, reasoning_effort="low", seed=1)
    long = ask(client, "Why is the sky blue?", model=REASONING, reasoning_effort="high", seed=1)
    assert (
        short.usage.completion_tokens_details.reasoning_tokens < long.usage.completion_tokens_details.reasoning_tokens
    )


def test_reasoning_streams_before_content(client: openai.OpenAI) -> None:
    kinds = []
    for chunk in ask(client, "Solve: 2x + 3 = 11", model=REASONING, stream=True):
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        if (delta.model_extra or {}).get("reasoning_content"):
            kinds.append("r")
        elif delta.content:
            kinds.append("c")
    assert "r" in kinds and "c" in kinds
    assert kinds.index("c") > len(kinds) - kinds[::-1].index("r") - 1  # every reasoning delta precedes content


def _png(width: int, height: int) -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return "data:image/png;base64," + base64.b64encode(png).decode()


def test_image_parts_use_tile_arithmetic(client: openai.OpenAI) -> None:
    def prompt_tokens(detail: str, url: str) -> int:
        content = [{"type": "image_url", "image_url": {"url": url, "detail": detail}}]
        r = client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": content}], max_tokens=5
        )
        return r.usage.prompt_tokens

    base = prompt_tokens("low", _png(64, 64))
    assert prompt_tokens("high", _png(1024, 1024)) - base == 765 - 85  # 4 tiles x 170 + 85 vs 85
    assert prompt_tokens("high", _png(512, 512)) - base == 255 - 85  # 1 tile
    assert prompt_tokens("low", _png(2048, 2048)) == base  # low is 85 whatever the size


def test_audio_input_is_counted(client: openai.OpenAI) -> None:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * 16000 * 3)
    data = base64.b64encode(buf.getvalue()).decode()
    content = [
        {"type": "text", "text": "Transcribe this"},
        {"type": "input_audio", "input_audio": {"data": data, "format": "wav"}},
    ]
    r = client.chat.completions.create(model="gpt-4o-audio-preview", messages=[{"role": "user", "content": content}])
    assert r.usage.prompt_tokens_details.audio_tokens == 30  # 3 s at 10 tokens per second


def test_audio_output_is_real_audio(client: openai.OpenAI) -> None:
    r = client.chat.completions.create(
        model="gpt-4o-audio-preview",
        modalities=["text", "audio"],
        audio={"voice": "alloy", "format": "wav"},
        messages=[{"role": "user", "content": "Tell me a short joke"}],
    )
    audio = r.choices[0].message.audio
    assert r.choices[0].message.content is None
    assert audio.transcript and audio.id.startswith("audio_") and audio.expires_at > 0
    with wave.open(io.BytesIO(base64.b64decode(audio.data))) as w:
        seconds = w.getnframes() / w.getframerate()
    assert seconds > len(audio.transcript.split()) * 0.2
    assert r.usage.completion_tokens_details.audio_tokens > 0


def test_context_length_exceeded(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as e:
        ask(client, "word " * 20000, model="meta-llama/Llama-3.1-8B-Instruct-16k")
    assert e.value.code == "context_length_exceeded"
    assert e.value.param == "messages"


def test_unknown_models_are_created_on_first_use_and_404_when_strict(client: openai.OpenAI) -> None:
    r = ask(client, "Hello", model="my-org/brand-new-model-7b")
    assert r.model == "my-org/brand-new-model-7b"
    assert "my-org/brand-new-model-7b" in {m.id for m in client.models.list()}
    with LiveServer(create_app(make_settings(strict_models=True))) as strict:
        with (
            openai.OpenAI(api_key=API_KEY, base_url=strict.url + "/v1", max_retries=0) as c,
            pytest.raises(openai.NotFoundError) as e,
        ):
            ask(c, "Hello", model="not-in-the-catalog")
        assert e.value.code == "model_not_found"


def test_echo_mode() -> None:
    with (
        LiveServer(create_app(make_settings(echo=True))) as server,
        openai.OpenAI(api_key=API_KEY, base_url=server.url + "/v1", max_retries=0) as c,
    ):
        assert (
            ask(c, "Repeat after me: blue whales sing.").choices[0].message.content
            == "Repeat after me: blue whales sing."
        )


def test_stream_framing_exactly(live_server: LiveServer) -> None:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}], "stream": True, "max_tokens": 4,
            "n": 2, "stream_options": {"include_usage": True}}  # fmt: skip
    r = httpx.post(live_server.url + "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {API_KEY}"})
    assert r.headers["content-type"].startswith("text/event-stream")
    frames = [f for f in r.text.split("\n\n") if f]
    assert all(f.startswith("data: ") for f in frames)
    assert frames[-1] == "data: [DONE]"
    chunks = [json.loads(f[6:]) for f in frames[:-1]]
    assert {c["id"] for c in chunks} == {chunks[0]["id"]}
    assert [c["choices"][0]["delta"] for c in chunks[:2]] == [{"role": "assistant", "content": "", "refusal": None}] * 2
    *body_chunks, last = chunks
    assert last["choices"] == [] and last["usage"]["completion_tokens"] == 8
    assert all(c["usage"] is None for c in body_chunks)
    finishes = [ch for c in body_chunks for ch in c["choices"] if ch["finish_reason"]]
    assert sorted(ch["index"] for ch in finishes) == [0, 1] and all(ch["finish_reason"] == "length" for ch in finishes)
    for index in (0, 1):
        text = "".join(
            ch["delta"].get("content", "") for c in body_chunks for ch in c["choices"] if ch["index"] == index
        )
        assert text


def test_sdk_stream_equals_json_answer(client: openai.OpenAI) -> None:
    full = ask(client, "Write a poem about technology.", seed=3).choices[0].message.content
    parts = [
        c.choices[0].delta.content or ""
        for c in ask(client, "Write a poem about technology.", seed=3, stream=True)
        if c.choices
    ]
    assert "".join(parts) == full


def test_async_client_streams(live_server: LiveServer) -> None:
    async def run() -> str:
        c = openai.AsyncOpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)
        stream = await c.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Count to 10"}], stream=True
        )
        out = [ch.choices[0].delta.content or "" async for ch in stream if ch.choices]
        await c.close()
        return "".join(out)

    assert asyncio.run(run())


def test_stored_completions(client: openai.OpenAI) -> None:
    made = ask(client, "Remember this: the sky is green.", store=True, metadata={"topic": "colours"})
    got = client.chat.completions.retrieve(made.id)
    assert got.choices[0].message.content == made.choices[0].message.content
    assert got.metadata == {"topic": "colours"}
    listed = [c.id for c in client.chat.completions.list(metadata={"topic": "colours"})]
    assert made.id in listed
    msgs = list(client.chat.completions.messages.list(made.id))
    assert msgs[0].content == "Remember this: the sky is green."
    updated = client.chat.completions.update(made.id, metadata={"topic": "sky"})
    assert updated.metadata == {"topic": "sky"}
    assert client.chat.completions.delete(made.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.retrieve(made.id)
