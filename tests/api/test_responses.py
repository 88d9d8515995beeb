"""The Responses API through the official openai SDK (sync and async) against a live server, and the seeds'
Responses examples run unmodified against it."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import jsonschema
import openai
import pytest

from fakeai.app import create_app
from tests.conftest import API_KEY, REPO, LiveServer, make_settings

MODEL = "gpt-4o-mini"
REASONING = "openai/gpt-oss-120b"
SEEDS = REPO.parent / "shared" / "seeds"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location", "unit"],
        "additionalProperties": False,
    },
    "strict": True,
}


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)


@pytest.fixture(scope="module")
def slow_server() -> Iterator[LiveServer]:
    """A server with the catalog's simulated latency, so background work is observably queued and running
    (background_grace 0: the create answers at once, as OpenAI's does)."""
    with LiveServer(create_app(make_settings(fast=False, background_grace=0))) as server:
        yield server


def test_text_answer_is_on_topic_with_consistent_usage(client: openai.OpenAI) -> None:
    r = client.responses.create(model=MODEL, input="Explain how photosynthesis works in plants.")
    assert r.object == "response" and r.status == "completed" and r.id.startswith("resp_")
    assert "photosynthesis" in r.output_text.lower() and len(r.output_text.split()) > 20
    assert r.model == MODEL and r.error is None and r.incomplete_details is None
    msg = r.output[0]
    assert msg.type == "message" and msg.role == "assistant" and msg.status == "completed"
    assert msg.content[0].type == "output_text" and msg.content[0].annotations == []
    u = r.usage
    assert u.total_tokens == u.input_tokens + u.output_tokens and u.output_tokens > 0
    assert u.input_tokens_details.cached_tokens == 0 and u.output_tokens_details.reasoning_tokens == 0


def test_instructions_and_echoed_settings(client: openai.OpenAI) -> None:
    plain = client.responses.create(model=MODEL, input="Write a haiku about programming")
    r = client.responses.create(
        model=MODEL,
        input="Write a haiku about programming",
        instructions="You are a creative poet who loves technology",
        temperature=0.8,
        top_p=0.9,
        metadata={"user_id": "123"},
        user="u-1",
        parallel_tool_calls=False,
        tools=[WEATHER],
        tool_choice="none",
        text={"verbosity": "low"},
    )
    assert r.instructions == "You are a creative poet who loves technology"
    assert r.usage.input_tokens > plain.usage.input_tokens
    assert (r.temperature, r.top_p, r.metadata, r.user) == (0.8, 0.9, {"user_id": "123"}, "u-1")
    assert r.parallel_tool_calls is False and r.tool_choice == "none" and r.text.verbosity == "low"
    assert r.tools[0].name == "get_weather" and r.tools[0].parameters == WEATHER["parameters"]
    assert [o.type for o in r.output] == ["message"] and r.output_text


def test_input_items_with_parts_are_counted(client: openai.OpenAI) -> None:
    png = (
        "data:image/png;base64,"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    text_only = client.responses.create(
        model=MODEL, input=[{"role": "user", "content": [{"type": "input_text", "text": "Describe this picture."}]}]
    )
    r = client.responses.create(
        model=MODEL,
        input=[
            {"role": "developer", "content": "Answer briefly."},
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Describe this picture."},
                    {"type": "input_image", "image_url": png, "detail": "low"},
                    {"type": "input_file", "filename": "notes.txt", "file_data": "aGVsbG8gd29ybGQ="},
                ],
            },
        ],
    )
    assert r.output_text and r.usage.input_tokens > text_only.usage.input_tokens + 80  # a low-detail image is 85


def test_reasoning_model_puts_reasoning_first(client: openai.OpenAI) -> None:
    r = client.responses.create(
        model=REASONING,
        input="Why is the sky blue?",
        reasoning={"effort": "low", "summary": "detailed"},
        include=["reasoning.encrypted_content"],
    )
    assert [o.type for o in r.output] == ["reasoning", "message"]
    rs = r.output[0]
    assert rs.summary and all(s.type == "summary_text" and s.text for s in rs.summary)
    assert rs.content and rs.content[0].type == "reasoning_text" and rs.encrypted_content
    assert 40 <= r.usage.output_tokens_details.reasoning_tokens <= 90  # low effort
    assert r.reasoning.effort == "low" and r.reasoning.summary == "detailed" and r.output_text
    plain = client.responses.create(model=REASONING, input="Why is the sky blue?")
    assert plain.output[0].summary == [] and plain.output[0].encrypted_content is None


def test_stream_event_order_and_final_response(client: openai.OpenAI) -> None:
    with client.responses.stream(model=MODEL, input="Tell me about the moon.") as stream:
        events = list(stream)
        final = stream.get_final_response()
    kinds = [e.type for e in events]
    deltas = [e for e in events if e.type == "response.output_text.delta"]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * len(deltas),
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert len(deltas) == final.usage.output_tokens
    assert "".join(d.delta for d in deltas) == final.output_text and "moon" in final.output_text.lower()
    assert final.status == "completed" and client.responses.retrieve(final.id).output_text == final.output_text


def test_stream_of_reasoning_and_calls_async(live_server: LiveServer) -> None:
    async def run() -> None:
        client = openai.AsyncOpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)
        stream = await client.responses.create(
            model=REASONING, input="Why do cats purr?", reasoning={"summary": "concise"}, stream=True
        )
        kinds = [e.type async for e in stream]
        assert kinds.index("response.reasoning_text.delta") < kinds.index("response.reasoning_summary_part.added")
        assert kinds.index("response.reasoning_summary_text.done") < kinds.index("response.output_text.delta")
        assert kinds[-1] == "response.completed" and kinds.count("response.output_item.done") == 2
        async with client.responses.stream(
            model=MODEL, input="What is the weather in Paris?", tools=[WEATHER]
        ) as calls:
            events = [e async for e in calls]
            final = await calls.get_final_response()
        kinds = [e.type for e in events]
        assert "response.function_call_arguments.delta" in kinds
        assert kinds.index("response.function_call_arguments.done") < kinds.index("response.output_item.done")
        assert json.loads(final.output[0].arguments)["location"] == "Paris"
        await client.close()

    asyncio.run(run())


def test_parallel_function_calls_are_valid_for_the_schema(client: openai.OpenAI) -> None:
    question = "What's the weather in New York, London, and Tokyo?"
    r = client.responses.create(model=MODEL, input=question, tools=[WEATHER])
    assert [o.type for o in r.output] == ["function_call"] * 3 and r.status == "completed"
    cities = []
    for call in r.output:
        args = json.loads(call.arguments)
        jsonschema.validate(args, WEATHER["parameters"])
        assert call.name == "get_weather" and call.call_id.startswith("call_") and call.status == "completed"
        cities.append(args["location"])
    assert cities == ["New York", "London", "Tokyo"]
    one = client.responses.create(model=MODEL, input=question, tools=[WEATHER], parallel_tool_calls=False)
    assert len(one.output) == 1


def test_tool_choice_modes(client: openai.OpenAI) -> None:
    other = {**WEATHER, "name": "get_time", "description": "Get the local time"}
    none = client.responses.create(model=MODEL, input="Weather in Oslo?", tools=[WEATHER], tool_choice="none")
    assert [o.type for o in none.output] == ["message"]
    unrelated = client.responses.create(model=MODEL, input="Write a poem about spring.", tools=[WEATHER])
    assert [o.type for o in unrelated.output] == ["message"]
    required = client.responses.create(
        model=MODEL, input="Write a poem about spring.", tools=[WEATHER], tool_choice="required"
    )
    assert [o.type for o in required.output] == ["function_call"]
    named = client.responses.create(
        model=MODEL,
        input="Weather in Oslo?",
        tools=[WEATHER, other],
        tool_choice={"type": "function", "name": "get_time"},
    )
    assert named.output[0].name == "get_time" and named.tool_choice.name == "get_time"
    with pytest.raises(openai.BadRequestError) as e:
        client.responses.create(
            model=MODEL, input="Hi", tools=[WEATHER], tool_choice={"type": "function", "name": "missing"}
        )
    assert e.value.body["param"] == "tool_choice"  # type: ignore[index]


def test_function_call_output_continuation(client: openai.OpenAI) -> None:
    first = client.responses.create(model=MODEL, input="What's the weather in Paris?", tools=[WEATHER])
    call = first.output[0]
    result = {"temperature": 18, "conditions": "light rain"}
    # continued by previous_response_id
    r = client.responses.create(
        model=MODEL,
        previous_response_id=first.id,
        tools=[WEATHER],
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": json.dumps(result)}],
    )
    assert [o.type for o in r.output] == ["message"]
    assert "18" in r.output_text and "light rain" in r.output_text
    # and stateless, with the call item sent back
    r2 = client.responses.create(
        model=MODEL,
        store=False,
        tools=[WEATHER],
        input=[
            {"role": "user", "content": "What's the weather in Paris?"},
            {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
            {"type": "function_call_output", "call_id": call.call_id, "output": json.dumps(result)},
        ],
    )
    assert "light rain" in r2.output_text


def test_chat_shaped_tools_are_accepted(client: openai.OpenAI) -> None:
    tool = {"type": "function", "function": {k: v for k, v in WEATHER.items() if k != "type"}}
    r = client.responses.create(model=MODEL, input="What is the weather in Madrid?", tools=[tool])  # type: ignore[list-item]
    assert r.output[0].type == "function_call" and json.loads(r.output[0].arguments)["location"] == "Madrid"
    assert r.tools[0].name == "get_weather"  # echoed in the Responses shape


def test_structured_output_json_schema_and_errors(client: openai.OpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer", "minimum": 0},
            "hobbies": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["name", "age", "hobbies"],
        "additionalProperties": False,
    }
    fmt = {"type": "json_schema", "name": "person", "schema": schema, "strict": True}
    r = client.responses.create(model=MODEL, input="Invent a person who likes chess.", text={"format": fmt})
    jsonschema.validate(json.loads(r.output_text), schema)
    assert r.text.format.type == "json_schema"
    obj = client.responses.create(model=MODEL, input="Reply in JSON.", text={"format": {"type": "json_object"}})
    assert isinstance(json.loads(obj.output_text), dict)
    bad = {**fmt, "schema": {"type": "object", "properties": {"x": {"type": "nonsense"}}}}
    with pytest.raises(openai.BadRequestError) as e:
        client.responses.create(model=MODEL, input="Hi", text={"format": bad})
    assert e.value.body["param"] == "text.format.schema"  # type: ignore[index]


@pytest.mark.parametrize("model", [MODEL, REASONING])
def test_max_output_tokens_is_exact_and_incomplete(client: openai.OpenAI, model: str) -> None:
    r = client.responses.create(model=model, input="Write a long essay about the ocean.", max_output_tokens=40)
    assert r.usage.output_tokens == 40 and r.max_output_tokens == 40
    assert r.status == "incomplete" and r.incomplete_details.reason == "max_output_tokens"
    with client.responses.stream(model=model, input="Write a long essay about the ocean.", max_output_tokens=40) as s:
        kinds = [e.type for e in s]
    assert kinds[-1] == "response.incomplete"
    paced = {"response.output_text.delta", "response.reasoning_text.delta"}
    assert sum(k in paced for k in kinds) == 40


def test_logprobs_when_included(client: openai.OpenAI) -> None:
    r = client.responses.create(
        model=MODEL, input="Hello there", include=["message.output_text.logprobs"], top_logprobs=3
    )
    part = r.output[0].content[0]
    assert len(part.logprobs) == r.usage.output_tokens
    assert all(len(lp.top_logprobs) == 3 and lp.logprob <= 0 for lp in part.logprobs)
    assert "".join(lp.token for lp in part.logprobs) == part.text
    assert client.responses.create(model=MODEL, input="Hello there").output[0].content[0].logprobs == []


def test_previous_response_id_carries_the_context(client: openai.OpenAI) -> None:
    first = client.responses.create(model=MODEL, input="What is machine learning?", instructions="Be a teacher")
    second = client.responses.create(model=MODEL, input="Give me an example.", previous_response_id=first.id)
    alone = client.responses.create(model=MODEL, input="Give me an example.")
    assert second.previous_response_id == first.id
    assert second.usage.input_tokens > first.usage.input_tokens + first.usage.output_tokens - 20
    assert second.usage.input_tokens > alone.usage.input_tokens + first.usage.output_tokens
    with pytest.raises(openai.NotFoundError) as e:
        client.responses.create(model=MODEL, input="Hi", previous_response_id="resp_missing")
    assert e.value.code == "previous_response_not_found"
    assert e.value.body["param"] == "previous_response_id"  # type: ignore[index]
    unstored = client.responses.create(model=MODEL, input="Hi", store=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(unstored.id)


def test_get_delete_and_input_items_pagination(client: openai.OpenAI) -> None:
    turns = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"Message number {i}"} for i in range(5)]
    r = client.responses.create(model=MODEL, input=turns)  # type: ignore[arg-type]
    got = client.responses.retrieve(r.id)
    assert got.id == r.id and got.output_text == r.output_text and got.usage == r.usage
    page = client.responses.input_items.list(r.id, limit=2)
    assert len(page.data) == 2 and page.has_more and page.first_id == page.data[0].id
    texts = [i.content[0].text for i in client.responses.input_items.list(r.id, limit=2)]  # auto-pagination
    assert texts == [f"Message number {i}" for i in reversed(range(5))]
    asc = client.responses.input_items.list(r.id, order="asc", limit=100)
    assert [i.content[0].text for i in asc.data] == [f"Message number {i}" for i in range(5)] and not asc.has_more
    assert asc.data[1].role == "assistant" and asc.data[0].status == "completed"
    after = client.responses.input_items.list(r.id, order="asc", after=asc.data[2].id)
    assert [i.id for i in after.data] == [i.id for i in asc.data[3:]]
    ref = client.responses.create(model=MODEL, input=[{"type": "item_reference", "id": asc.data[0].id}])
    assert ref.usage.input_tokens > 5
    assert client.responses.delete(r.id) is None
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(r.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.input_items.list(r.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.delete(r.id)


def test_stored_response_replays_as_events(client: openai.OpenAI, live_server: LiveServer) -> None:
    r = client.responses.create(model=MODEL, input="Name three rivers.")
    with client.responses.retrieve(r.id, stream=True) as stream:
        kinds = [e.type for e in stream]
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    url = f"{live_server.url}/v1/responses/{r.id}?stream=true&starting_after=3"
    body = httpx.get(url, headers={"Authorization": f"Bearer {API_KEY}"}).text
    seqs = [json.loads(line[6:])["sequence_number"] for line in body.splitlines() if line.startswith("data: ")]
    assert seqs[0] == 4 and seqs == list(range(4, 4 + len(seqs)))


def test_background_polling_and_cancel(slow_server: LiveServer) -> None:
    client = openai.OpenAI(api_key=API_KEY, base_url=slow_server.url + "/v1", max_retries=0)
    r = client.responses.create(model=MODEL, input="Say hello", background=True, max_output_tokens=16)
    assert r.status == "queued" and r.background is True and r.output == []
    seen = {r.status}
    deadline = time.monotonic() + 30
    while r.status in ("queued", "in_progress") and time.monotonic() < deadline:
        time.sleep(0.02)
        r = client.responses.retrieve(r.id)
        seen.add(r.status)
    assert r.status in ("completed", "incomplete") and r.output_text and r.usage.output_tokens > 0
    assert "in_progress" in seen or "queued" in seen
    assert client.responses.cancel(r.id).status == r.status  # finished: returned unchanged
    running = client.responses.create(model=MODEL, input="Say hello", background=True, max_output_tokens=16)
    with client.responses.retrieve(running.id, stream=True) as replay:  # waits for the work, then replays it
        kinds = [e.type for e in replay]
    assert kinds[0] == "response.created" and kinds[-1] in ("response.completed", "response.incomplete")
    long = client.responses.create(
        model=MODEL, input="Write a detailed essay about artificial intelligence", background=True
    )
    cancelled = client.responses.cancel(long.id)
    assert cancelled.status == "cancelled"
    time.sleep(0.3)
    assert client.responses.retrieve(long.id).status == "cancelled"
    done = client.responses.create(model=MODEL, input="Hi", max_output_tokens=16)
    with pytest.raises(openai.BadRequestError):
        client.responses.cancel(done.id)
    with pytest.raises(openai.BadRequestError) as e:
        client.responses.create(model=MODEL, input="Hi", background=True, store=False)
    assert e.value.body["param"] == "store"  # type: ignore[index]


def test_background_work_running_at_shutdown_is_marked_failed() -> None:
    app = create_app(make_settings(fast=False, background_grace=0))
    with LiveServer(app) as server:
        client = openai.OpenAI(api_key=API_KEY, base_url=server.url + "/v1", max_retries=0)
        r = client.responses.create(model=MODEL, input="Write a detailed essay about rivers", background=True)
    stored = app.state.services.store.get("response", r.id)
    assert stored["status"] == "failed" and stored["error"]["code"] == "server_error"


def test_background_without_latency_and_streamed(client: openai.OpenAI) -> None:
    r = client.responses.create(model=MODEL, input="Say hello", background=True)
    assert r.status == "completed" and r.output_text  # zero simulated latency: done before the answer
    with client.responses.stream(model=MODEL, input="Say hello", background=True) as stream:
        events = list(stream)
        final = stream.get_final_response()
    assert events[0].response.status == "queued" and final.status == "completed"
    assert client.responses.retrieve(final.id).status == "completed"


def test_objects_and_events_validate_against_the_spec(client: openai.OpenAI, live_server: LiveServer) -> None:
    doc = httpx.get(live_server.url + "/openapi.json").json()

    def check(name: str, value: object) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
        jsonschema.Draft202012Validator(schema).validate(value)

    asks = [
        {
            "model": REASONING,
            "input": "Why is the sky blue?",
            "reasoning": {"summary": "auto"},
            "include": ["reasoning.encrypted_content", "message.output_text.logprobs"],
            "top_logprobs": 2,
        },
        {"model": MODEL, "input": "Weather in Paris and in London?", "tools": [WEATHER, {"type": "web_search"}]},
        {"model": REASONING, "input": "Write a long essay about the ocean.", "max_output_tokens": 16},
    ]
    for ask in asks:
        check("Response", client.responses.with_raw_response.create(**ask).http_response.json())  # type: ignore[arg-type]
        with client.responses.with_streaming_response.create(**ask, stream=True) as raw:  # type: ignore[arg-type]
            for line in raw.iter_lines():
                if line.startswith("data: "):
                    check("ResponseStreamEvent", json.loads(line[6:]))
    call = client.responses.create(model=MODEL, input="Weather in Paris?", tools=[WEATHER]).output[0]
    items = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "see"},
                {"type": "input_image", "image_url": "https://example.org/a.png", "detail": "original"},
                {"type": "input_file", "file_id": "file-1"},
            ],
        },
        {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
        {"type": "function_call_output", "call_id": call.call_id, "output": [{"type": "input_text", "text": "sun"}]},
        {"type": "reasoning", "id": "rs_1", "summary": []},
        {"type": "item_reference", "id": call.id},
    ]
    r = client.responses.create(model=MODEL, input=items, tools=[WEATHER])  # type: ignore[arg-type]
    listed = client.responses.input_items.with_raw_response.list(r.id, order="asc").http_response.json()
    check("ResponseItemList", listed)
    assert [i["type"] for i in listed["data"]] == [
        *["message"] * 3,
        "function_call",
        "function_call_output",
        "reasoning",
        "function_call",
    ]
    check("Response", client.responses.with_raw_response.retrieve(r.id).http_response.json())
    queued = client.responses.with_raw_response.create(model=MODEL, input="Hi", background=True).http_response.json()
    check("Response", queued)


# --------------------------------------------------------------------------------------------- the seeds
def _blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _seed(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} not found in {SEEDS}")
    return found[0].read_text()


def _section(text: str, heading: str, level: str) -> str:
    start = text.index(heading)
    end = text.find(f"\n{level} ", start + len(heading))
    return text[start : end if end > 0 else len(text)]


def seed_examples() -> list[tuple[str, str]]:
    out = []
    for prefix, heading, level in (
        ("000", "## Responses API Usage", "##"),
        ("001", "## Responses API", "##"),
        ("002", "### Using the Responses API", "###"),
    ):
        for i, code in enumerate(_blocks(_section(_seed(prefix), heading, level))):
            out.append((f"{prefix}-{i}", code))
    return out


def test_seed_responses_examples_run_unmodified(live_server: LiveServer) -> None:
    examples = seed_examples()
    assert len(examples) >= 6
    for name, code in examples:
        code = code.replace("http://localhost:8000", live_server.url)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"seed example {name} failed:\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr and done.stdout.strip()
