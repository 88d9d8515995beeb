"""The Realtime API over WebSocket: raw `websockets` clients and the openai SDK's realtime clients against a live
server (GA protocol, and the beta protocol for `OpenAI-Beta: realtime=v1`)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import openai
import pytest
from fakeai.behaviors.sim.audio import speech_duration, synthesize_pcm
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from fakeai.app import create_app
from tests.conftest import API_KEY, AUTH, LiveServer, make_settings

TEXT_SEQUENCE = [
    "response.created",
    "response.output_item.added",
    "conversation.item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "conversation.item.done",
    "response.done",
]
TEXT_ONLY = {"type": "realtime", "output_modalities": ["text"], "audio": {"input": {"turn_detection": None}}}
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
}


def ws_url(server: LiveServer, model: str = "gpt-realtime", path: str = "/v1/realtime") -> str:
    return server.url.replace("http://", "ws://") + f"{path}?model={model}"


def open_ws(server: LiveServer, headers: dict[str, str] | None = None, **kw: Any) -> ClientConnection:
    return connect(
        ws_url(server, **kw), additional_headers=AUTH if headers is None else headers, max_size=None, proxy=None
    )


def recv(ws: ClientConnection, *, rate_limits: bool = False) -> dict[str, Any]:
    """The next server event (rate_limits.updated, which follows every response.done, is skipped unless asked)."""
    while True:
        event: dict[str, Any] = json.loads(ws.recv(timeout=10))
        assert event["event_id"].startswith("event_")
        if rate_limits or event["type"] != "rate_limits.updated":
            return event


def send(ws: ClientConnection, kind: str, **fields: Any) -> None:
    ws.send(json.dumps({"type": kind, **fields}))


def until(ws: ClientConnection, kind: str) -> list[dict[str, Any]]:
    """Events up to and including the first of type `kind`."""
    out = [recv(ws)]
    while out[-1]["type"] != kind:
        out.append(recv(ws))
    return out


def say(ws: ClientConnection, text: str) -> None:
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    send(ws, "conversation.item.create", item=item)
    assert [e["type"] for e in until(ws, "conversation.item.done")] == [
        "conversation.item.added",
        "conversation.item.done",
    ]


def squash(types: list[str]) -> list[str]:
    """Event types with runs of the same delta type collapsed to one."""
    return [t for i, t in enumerate(types) if not (t.endswith(".delta") and i and types[i - 1] == t)]


@pytest.fixture
def session(live_server: LiveServer) -> Iterator[ClientConnection]:
    """A connected GA session answering in text, without turn detection."""
    with open_ws(live_server) as ws:
        assert recv(ws)["type"] == "session.created"
        send(ws, "session.update", session=TEXT_ONLY)
        assert recv(ws)["type"] == "session.updated"
        yield ws


def test_bad_or_missing_key_is_refused(live_server: LiveServer) -> None:
    for headers in ({"Authorization": "Bearer sk-wrong"}, {}):
        with pytest.raises(InvalidStatus) as info:
            open_ws(live_server, headers=headers)
        assert info.value.response.status_code == 401
        assert json.loads(info.value.response.body)["error"]["code"] == "invalid_api_key"
    with pytest.raises(InvalidStatus):
        connect(ws_url(live_server), subprotocols=["realtime", "openai-insecure-api-key.sk-wrong"], proxy=None)  # type: ignore[list-item]


def test_subprotocol_key_and_root_alias(live_server: LiveServer) -> None:
    protocols = ["realtime", f"openai-insecure-api-key.{API_KEY}"]
    with connect(ws_url(live_server, path="/realtime"), subprotocols=protocols, proxy=None) as ws:  # type: ignore[arg-type]
        assert ws.subprotocol == "realtime"
        assert recv(ws)["type"] == "session.created"


def test_session_created_and_updated(live_server: LiveServer) -> None:
    with open_ws(live_server, model="gpt-realtime-mini") as ws:
        created = recv(ws)
        s = created["session"]
        assert created["type"] == "session.created" and s["id"].startswith("sess_") and s["type"] == "realtime"
        assert s["model"] == "gpt-realtime-mini" and s["output_modalities"] == ["audio"]
        assert s["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
        assert (
            s["audio"]["output"]["voice"] == "alloy" and s["audio"]["input"]["turn_detection"]["type"] == "server_vad"
        )
        assert s["tool_choice"] == "auto" and s["tools"] == [] and isinstance(s["instructions"], str)
        update = {"type": "realtime", "instructions": "Be terse.", "tools": [WEATHER_TOOL], "max_output_tokens": 200,
                  "audio": {"output": {"voice": "marin", "format": {"type": "audio/pcmu"}}}}  # fmt: skip
        send(ws, "session.update", session=update)
        s2 = recv(ws)["session"]
        assert s2["instructions"] == "Be terse." and s2["tools"][0]["name"] == "get_weather"
        assert s2["audio"]["output"] == {"format": {"type": "audio/pcmu"}, "voice": "marin", "speed": 1.0}
        assert s2["max_output_tokens"] == 200 and s2["id"] == s["id"]
        assert s2["audio"]["input"] == s["audio"]["input"]  # untouched fields are kept
        # beta spellings are understood too
        send(
            ws,
            "session.update",
            session={"modalities": ["text"], "input_audio_format": "g711_alaw", "turn_detection": None},
        )
        s3 = recv(ws)["session"]
        assert s3["output_modalities"] == ["text"] and s3["audio"]["input"]["format"] == {"type": "audio/pcma"}
        assert s3["audio"]["input"]["turn_detection"] is None
        # invalid fields: an error naming the field, nothing applied, the socket stays open
        bad = [
            ({"voice": "nobody"}, "session.voice", "invalid_value"),
            ({"temperature": "hot"}, "session.temperature", "invalid_type"),
            ({"output_modalities": ["video"]}, "session.output_modalities", "invalid_value"),
            ({"colour": "blue"}, "session.colour", "unknown_parameter"),
            ({"instructions": "x", "speed": 9}, "session.speed", "decimal_out_of_range"),
        ]
        for i, (fields, param, code) in enumerate(bad):
            send(ws, "session.update", session=fields, event_id=f"evt_{i}")
            err = recv(ws)
            assert err["type"] == "error"
            assert err["error"]["type"] == "invalid_request_error"
            assert (err["error"]["param"], err["error"]["code"], err["error"]["event_id"]) == (param, code, f"evt_{i}")
        send(ws, "session.update", session={})
        assert recv(ws)["session"]["instructions"] == "Be terse."


def test_text_response_sequence_and_usage(session: ClientConnection) -> None:
    say(session, "What is the capital of France?")
    send(session, "response.create")
    events = until(session, "response.done")
    assert squash([e["type"] for e in events]) == TEXT_SEQUENCE
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    done = next(e for e in events if e["type"] == "response.output_text.done")
    assert deltas and deltas == done["text"]
    response = events[-1]["response"]
    assert response["id"] == events[0]["response"]["id"] and response["status"] == "completed"
    assert response["output"][0]["content"] == [{"type": "output_text", "text": deltas}]
    u = response["usage"]
    assert u["total_tokens"] == u["input_tokens"] + u["output_tokens"]
    inp, out = u["input_token_details"], u["output_token_details"]
    assert u["input_tokens"] == inp["text_tokens"] + inp["audio_tokens"] + inp["image_tokens"] > 0
    assert u["output_tokens"] == out["text_tokens"] + out["audio_tokens"] and out["audio_tokens"] == 0
    assert out["text_tokens"] == sum(1 for e in events if e["type"] == "response.output_text.delta")
    limits = recv(session, rate_limits=True)["rate_limits"]
    assert limits[1]["name"] == "tokens" and limits[1]["remaining"] == limits[1]["limit"] - u["total_tokens"]
    # the answer joined the conversation: the next turn sees a longer prompt
    say(session, "And Germany?")
    send(session, "response.create")
    second = until(session, "response.done")[-1]["response"]["usage"]
    assert second["input_tokens"] > u["input_tokens"] + u["output_tokens"]
    cached = second["input_token_details"]
    assert 0 < cached["cached_tokens"] == sum(cached["cached_tokens_details"].values()) < second["input_tokens"]


def test_audio_response_decodes_to_speech(live_server: LiveServer) -> None:
    with open_ws(live_server) as ws:
        recv(ws)
        send(ws, "session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": None}}})
        recv(ws)
        say(ws, "Tell me a fun fact about octopuses.")
        send(ws, "response.create")
        events = until(ws, "response.done")
        send(ws, "session.update", session={"audio": {"output": {"voice": "echo"}}})
        assert recv(ws)["error"]["code"] == "cannot_update_voice"  # the conversation already has a voice
    types = squash([e["type"] for e in events])
    assert types[:4] == [
        "response.created",
        "response.output_item.added",
        "conversation.item.added",
        "response.content_part.added",
    ]
    assert types[-6:] == [
        "response.output_audio.done", "response.output_audio_transcript.done", "response.content_part.done",
        "response.output_item.done", "conversation.item.done", "response.done",
    ]  # fmt: skip
    audio = b"".join(base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta")
    transcript = "".join(e["delta"] for e in events if e["type"] == "response.output_audio_transcript.delta")
    assert transcript == next(e for e in events if e["type"] == "response.output_audio_transcript.done")["transcript"]
    samples = np.frombuffer(audio, dtype="<i2")
    seconds = len(samples) / 24000
    assert 0.5 < seconds < 60 and abs(seconds - speech_duration(transcript)) < 0.05
    assert np.abs(samples).max() > 3000  # speech, not silence
    response = events[-1]["response"]
    assert response["output"][0]["content"] == [{"type": "output_audio", "transcript": transcript}]
    assert response["output_modalities"] == ["audio"]
    assert response["usage"]["output_token_details"]["audio_tokens"] == int(np.ceil(seconds * 10 - 1e-9))


def test_g711_output_is_8khz(session: ClientConnection) -> None:
    send(
        session,
        "session.update",
        session={"output_modalities": ["audio"], "audio": {"output": {"format": {"type": "audio/pcmu"}}}},
    )
    recv(session)
    say(session, "Hello!")
    send(session, "response.create")
    events = until(session, "response.done")
    audio = b"".join(base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta")
    transcript = next(e for e in events if e["type"] == "response.output_audio_transcript.done")["transcript"]
    assert abs(len(audio) / 8000 - speech_duration(transcript)) < 0.05  # one byte per sample at 8 kHz


def test_input_audio_buffer(session: ClientConnection) -> None:
    send(session, "session.update", session={"audio": {"input": {"transcription": {"model": "gpt-4o-transcribe"}}}})
    recv(session)
    send(session, "input_audio_buffer.commit", event_id="c1")
    err = recv(session)
    assert err["error"]["code"] == "input_audio_buffer_commit_empty" and err["error"]["event_id"] == "c1"
    speech = synthesize_pcm("What's the weather like today?").astype("<i2").tobytes()
    half = len(speech) // 2 // 2 * 2
    for chunk in (speech[:half], speech[half:]):
        send(session, "input_audio_buffer.append", audio=base64.b64encode(chunk).decode())
    send(session, "input_audio_buffer.commit")
    events = until(session, "conversation.item.input_audio_transcription.completed")
    committed, added = events[0], events[1]
    assert committed["type"] == "input_audio_buffer.committed" and added["type"] == "conversation.item.added"
    assert added["item"]["id"] == committed["item_id"] and added["item"]["role"] == "user"
    assert added["item"]["content"] == [{"type": "input_audio", "transcript": None}]
    completed = events[-1]
    deltas = "".join(e["delta"] for e in events if e["type"] == "conversation.item.input_audio_transcription.delta")
    assert (
        completed["transcript"] and deltas == completed["transcript"] and completed["item_id"] == committed["item_id"]
    )
    assert completed["usage"]["type"] == "tokens" and completed["usage"]["input_token_details"]["audio_tokens"] > 0
    send(session, "conversation.item.retrieve", item_id=committed["item_id"])
    part = recv(session)["item"]["content"][0]
    assert base64.b64decode(part["audio"]) == speech and part["transcript"] == completed["transcript"]
    # audio in the prompt is counted as audio tokens
    send(session, "response.create")
    usage = until(session, "response.done")[-1]["response"]["usage"]
    assert usage["input_token_details"]["audio_tokens"] == int(np.ceil(len(speech) / 48000 * 10 - 1e-9))
    send(session, "input_audio_buffer.append", audio=base64.b64encode(b"\0\0" * 2400).decode())
    send(session, "input_audio_buffer.clear")
    assert recv(session)["type"] == "input_audio_buffer.cleared"
    send(session, "input_audio_buffer.commit")
    assert recv(session)["error"]["code"] == "input_audio_buffer_commit_empty"
    send(session, "input_audio_buffer.append", audio="not base64!")
    assert recv(session)["error"]["param"] == "audio"


def test_server_vad_turn(live_server: LiveServer) -> None:
    """With server VAD, speech followed by silence is a turn: committed and answered without a commit."""
    with open_ws(live_server) as ws:
        recv(ws)
        send(ws, "session.update", session={"type": "realtime", "output_modalities": ["text"]})
        recv(ws)
        silence = np.zeros(24000, dtype="<i2").tobytes()
        speech = synthesize_pcm("Hello there, how are you doing?").astype("<i2").tobytes()
        for chunk in (silence[:19200], speech, silence):
            send(ws, "input_audio_buffer.append", audio=base64.b64encode(chunk).decode())
        events = until(ws, "response.done")
    types = [e["type"] for e in events]
    assert types[:4] == ["input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped",
                         "input_audio_buffer.committed", "conversation.item.added"]  # fmt: skip
    started, stopped = events[0], events[1]
    assert started["item_id"] == stopped["item_id"] == events[2]["item_id"]
    speech_ms = len(speech) // 48
    assert 100 <= started["audio_start_ms"] <= 300  # speech from 400 ms, less 300 ms of prefix padding
    assert 400 + speech_ms < stopped["audio_end_ms"] + 300 <= 400 + speech_ms + 820  # after 500 ms of silence
    assert "response.created" in types and events[-1]["response"]["status"] == "completed"


def test_malformed_events_keep_the_socket_open(session: ClientConnection) -> None:
    wrong_part = [{"type": "output_text", "text": "x"}]
    cases = [
        ("{not json", None, "invalid_json"),
        ({"type": "no.such.event", "event_id": "e1"}, "type", "invalid_value"),
        ({"event_id": "e2"}, "type", "missing_required_parameter"),
        ({"type": "conversation.item.create", "event_id": "e3"}, "item", "missing_required_parameter"),
        ({"type": "conversation.item.create", "item": {"type": "message", "role": "user"}}, "item.content",
         "missing_required_parameter"),
        ({"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": wrong_part}},
         "item.content[0].type", "invalid_value"),
        ({"type": "response.create", "response": {"output_modalities": "text"}}, "response.output_modalities",
         "invalid_type"),
        ({"type": "conversation.item.delete", "item_id": "item_nope"}, "item_id", "item_not_found"),
        (["a", "list"], "event", "invalid_type"),
        ({"type": "response.cancel"}, None, "response_cancel_not_active"),
    ]  # fmt: skip
    for raw, param, code in cases:
        session.send(raw if isinstance(raw, str) else json.dumps(raw))
        err = recv(session)
        assert err["type"] == "error", raw
        assert (err["error"]["param"], err["error"]["code"]) == (param, code), raw
    say(session, "Still there?")
    send(session, "response.create")
    assert until(session, "response.done")[-1]["response"]["status"] == "completed"


def test_function_calling_round_trip(session: ClientConnection) -> None:
    send(session, "session.update", session={"tools": [WEATHER_TOOL], "tool_choice": "auto"})
    recv(session)
    say(session, "What's the weather in Paris?")
    send(session, "response.create")
    events = until(session, "response.done")
    assert squash([e["type"] for e in events]) == [
        "response.created", "response.output_item.added", "conversation.item.added",
        "response.function_call_arguments.delta", "response.function_call_arguments.done",
        "response.output_item.done", "conversation.item.done", "response.done",
    ]  # fmt: skip
    done = next(e for e in events if e["type"] == "response.function_call_arguments.done")
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta")
    assert deltas == done["arguments"] and done["name"] == "get_weather"
    assert json.loads(done["arguments"])["location"] == "Paris"
    item = events[-1]["response"]["output"][0]
    assert item["type"] == "function_call" and item["call_id"] == done["call_id"] and item["arguments"] == deltas
    output = {"type": "function_call_output", "call_id": done["call_id"], "output": json.dumps({"temperature_c": 21})}
    send(session, "conversation.item.create", item=output)
    until(session, "conversation.item.done")
    send(session, "response.create")
    final = until(session, "response.done")[-1]["response"]
    text = final["output"][0]["content"][0]["text"]
    assert final["output"][0]["type"] == "message" and "21" in text


def test_out_of_band_response_and_item_events(session: ClientConnection) -> None:
    say(session, "Remember the number seven.")
    oob = {"conversation": "none", "metadata": {"purpose": "summary"}, "instructions": "Summarise."}
    send(session, "response.create", response={**oob, "output_modalities": ["text"]})
    events = until(session, "response.done")
    assert "conversation.item.added" not in [e["type"] for e in events]
    response = events[-1]["response"]
    assert response["conversation_id"] is None and response["metadata"] == {"purpose": "summary"}
    # audio of an assistant message can be truncated; items can be retrieved and deleted
    send(session, "session.update", session={"output_modalities": ["audio"]})
    recv(session)
    send(session, "response.create")
    item_id = until(session, "response.done")[-1]["response"]["output"][0]["id"]
    send(session, "conversation.item.truncate", item_id=item_id, content_index=0, audio_end_ms=500)
    truncated = recv(session)
    assert truncated["type"] == "conversation.item.truncated" and truncated["item_id"] == item_id
    assert (truncated["content_index"], truncated["audio_end_ms"]) == (0, 500)
    send(session, "conversation.item.retrieve", item_id=item_id)
    part = recv(session)["item"]["content"][0]
    assert len(base64.b64decode(part["audio"])) == 24000 * 2 // 2 and part["transcript"] == ""
    send(session, "conversation.item.truncate", item_id=item_id, content_index=0, audio_end_ms=900)
    assert recv(session)["error"]["param"] == "audio_end_ms"
    send(session, "conversation.item.delete", item_id=item_id)
    assert recv(session) | {"event_id": None} == {
        "event_id": None,
        "type": "conversation.item.deleted",
        "item_id": item_id,
    }


def test_cancel_mid_response_and_one_response_at_a_time() -> None:
    with LiveServer(create_app(make_settings(fast=False, itl=0.02, ttft=0.05))) as server, open_ws(server) as ws:
        recv(ws)
        send(ws, "session.update", session=TEXT_ONLY)
        recv(ws)
        say(ws, "Explain how rainbows form.")
        send(ws, "response.create")
        first = until(ws, "response.output_text.delta")
        send(ws, "response.create", event_id="again")
        send(ws, "response.cancel", event_id="stop")
        events = until(ws, "response.done")
        errors = [e for e in events if e["type"] == "error"]
        assert [e["error"]["code"] for e in errors] == ["conversation_already_has_active_response"]
        response = events[-1]["response"]
        assert response["status"] == "cancelled"
        assert response["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
        sent = "".join(e["delta"] for e in first + events if e["type"] == "response.output_text.delta")
        assert response["output"][0]["status"] == "incomplete"
        assert response["output"][0]["content"][0]["text"] == sent
        assert response["usage"]["output_tokens"] == sum(
            1 for e in first + events if e["type"] == "response.output_text.delta"
        )
        # with server VAD, the user speaking interrupts the answer
        send(ws, "session.update", session={"audio": {"input": {"turn_detection": {"type": "server_vad"}}}})
        recv(ws)
        send(ws, "response.create")
        until(ws, "response.output_text.delta")
        speech = synthesize_pcm("Wait, stop!").astype("<i2").tobytes()
        send(ws, "input_audio_buffer.append", audio=base64.b64encode(speech).decode())
        events = until(ws, "response.done")
        assert "input_audio_buffer.speech_started" in [e["type"] for e in events]
        assert events[-1]["response"]["status_details"] == {"type": "cancelled", "reason": "turn_detected"}


def test_beta_protocol(live_server: LiveServer) -> None:
    headers = {**AUTH, "OpenAI-Beta": "realtime=v1"}
    with open_ws(live_server, headers=headers, model="gpt-4o-realtime-preview") as ws:
        s = recv(ws)["session"]
        assert s["modalities"] == ["text", "audio"] and s["input_audio_format"] == "pcm16" and s["voice"] == "alloy"
        send(ws, "session.update", session={"modalities": ["text"], "turn_detection": None, "temperature": 0.7})
        s2 = recv(ws)["session"]
        assert s2["modalities"] == ["text"] and s2["temperature"] == 0.7 and s2["turn_detection"] is None
        send(
            ws,
            "conversation.item.create",
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]},
        )
        assert recv(ws)["type"] == "conversation.item.created"
        send(ws, "response.create")
        events = until(ws, "response.done")
    assert squash([e["type"] for e in events]) == [
        "response.created", "response.output_item.added", "conversation.item.created", "response.content_part.added",
        "response.text.delta", "response.text.done", "response.content_part.done", "response.output_item.done",
        "response.done",
    ]  # fmt: skip
    assert events[-1]["response"]["output"][0]["content"][0]["type"] == "text"
    assert events[-1]["response"]["modalities"] == ["text"]


def test_settings_strict_models_and_no_key() -> None:
    with LiveServer(create_app(make_settings(strict_models=True, require_api_key=False))) as server:
        with open_ws(server, headers={}, model="gpt-4o-realtime-preview") as ws:
            assert recv(ws)["session"]["model"] == "gpt-4o-realtime-preview"
        with pytest.raises(InvalidStatus) as info:
            open_ws(server, headers={}, model="no-such-model")
        assert info.value.response.status_code == 404


@pytest.mark.filterwarnings("ignore:connect\\(\\) must be used as a context manager:DeprecationWarning")
def test_openai_sdk_realtime_clients(live_server: LiveServer) -> None:
    client = openai.OpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)
    with client.realtime.connect(model="gpt-realtime") as conn:
        conn.session.update(session=TEXT_ONLY)  # type: ignore[arg-type]
        conn.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Say hello"}]}
        )
        conn.response.create()
        text = ""
        for event in conn:
            if event.type == "response.output_text.delta":
                text += event.delta
            if event.type == "response.done":
                assert event.response.status == "completed" and event.response.usage is not None
                assert (
                    event.response.usage.total_tokens
                    == event.response.usage.input_tokens + event.response.usage.output_tokens
                )  # type: ignore[operator]
                break
        assert text
    beta = openai.OpenAI(
        api_key=API_KEY,
        base_url=live_server.url + "/v1",
        websocket_base_url=live_server.url.replace("http", "ws") + "/v1",
    )
    with beta.beta.realtime.connect(model="gpt-4o-realtime-preview") as bconn:
        bconn.session.update(session={"modalities": ["text"], "turn_detection": None})  # type: ignore[typeddict-item]
        bconn.conversation.item.create(
            item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}
        )
        bconn.response.create()
        kinds = []
        for bevent in bconn:
            kinds.append(bevent.type)
            if bevent.type == "response.done":
                break
        assert "response.text.delta" in kinds and "conversation.item.created" in kinds
