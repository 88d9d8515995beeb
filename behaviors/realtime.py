"""The Realtime API over WebSocket: `/v1/realtime?model=...` (and `/realtime`).

The key comes from `Authorization: Bearer` or, for browsers, the `openai-insecure-api-key.<KEY>` subprotocol; it
is checked before the socket is accepted (a bad or missing key gets an HTTP 401 with OpenAI's error body). The
server picks the `realtime` subprotocol when offered. Clients sending `OpenAI-Beta: realtime=v1` (or offering
`openai-beta.realtime-v1`) are served the beta protocol, everyone else the GA one. Each client event is answered
as OpenAI does; malformed events get an `error` event and the socket stays open. Responses run as tasks, so
response.cancel and server-VAD interruptions reach them mid-stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from types import SimpleNamespace
from typing import Any, cast

import orjson
from starlette.websockets import WebSocket, WebSocketState

from fakeai.context import Context
from fakeai.errors import APIError, invalid_api_key
from fakeai.registry import websocket
from fakeai.services import Services

from . import realtime_items as items
from . import realtime_response, realtime_stream
from .catalog import ModelInfo
from .latency import Sequence, engine
from .models_api import catalog, not_found
from .realtime_events import EventError, beta_event, error_event, expect, missing, new_id, take
from .realtime_input import InputAudio
from .realtime_items import Conversation
from .realtime_session import Session, apply_update, response_config
from .usage import record_usage

log = logging.getLogger("fakeai.realtime")
DEFAULT_MODEL = "gpt-realtime"
KEY_PROTOCOL = "openai-insecure-api-key."
BETA_PROTOCOL = "openai-beta.realtime-v1"
ENDPOINT = "/v1/realtime"
SERVER_ERROR = EventError("The server had an error while processing your request.", code=None, kind="server_error")


class Caller:
    """Who is connecting: the parts of a request Context that usage.record_usage reads."""

    operation = SimpleNamespace(operation_id="realtime")

    def __init__(self, services: Services, api_key: str | None, headers: Any) -> None:
        self.services, self.api_key, self.request = services, api_key, SimpleNamespace(headers=headers)

    @property
    def settings(self) -> Any:
        return self.services.settings

    @property
    def ctx(self) -> Context:
        return cast(Context, self)


def resolve(services: Services, model_id: str) -> ModelInfo:
    """models_api.resolve_model for a connection (it takes a request Context): created on first use unless strict."""
    cat = catalog(services)
    info = cat.get(model_id)
    if info is None:
        if services.settings.strict_models or not model_id.strip():
            raise not_found(model_id)
        info = cat.create(model_id)
        services.store.put("model", info.id, info.as_openai(), created_at=info.created)
    return cat.with_echo(info) if services.settings.echo and not info.echo else info


def _handshake(ws: WebSocket, services: Services) -> tuple[Caller, str | None, bool]:
    """(caller, subprotocol to answer with, beta protocol) or APIError."""
    offered = list(ws.scope.get("subprotocols") or [])
    key = None
    header = ws.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        key = token.strip()
    for proto in offered:
        if proto.startswith(KEY_PROTOCOL) and key is None:
            key = proto[len(KEY_PROTOCOL) :] or None
    settings = services.settings
    if settings.require_api_key and key not in {*settings.api_keys, *(settings.admin_api_keys or [])}:
        raise invalid_api_key(key)
    beta = "realtime=v1" in ws.headers.get("openai-beta", "") or BETA_PROTOCOL in offered
    chosen = next((p for p in ("realtime", BETA_PROTOCOL) if p in offered), offered[0] if offered else None)
    return Caller(services, key, ws.headers), chosen, beta


@websocket("/realtime")
async def realtime(ws: WebSocket, services: Services) -> None:
    try:
        caller, protocol, beta = _handshake(ws, services)
        model = resolve(services, ws.query_params.get("model") or DEFAULT_MODEL)
        if model.kind not in ("chat", "reasoning"):
            raise APIError(
                400,
                f"The model `{model.id}` is not supported by the Realtime API.",
                param="model",
                code="unsupported_model",
            )
    except APIError as err:
        if "websocket.http.response" in ws.scope.get("extensions", {}):
            await ws.send_denial_response(err.response())
        else:
            await ws.close(code=1008, reason=err.message[:120])
        return
    await ws.accept(subprotocol=protocol)
    await Connection(ws, caller, model, beta).serve()


class Connection:
    def __init__(self, ws: WebSocket, caller: Caller, model: ModelInfo, beta: bool) -> None:
        self.ws, self.caller, self.model, self.beta = ws, caller, model, beta
        self.services = caller.services
        self.session = Session(model=ws.query_params.get("model") or model.id)
        self.conversation = Conversation()
        self.audio = InputAudio(self)
        self.turns: dict[str, tuple[realtime_stream.Turn, asyncio.Task[None]]] = {}
        self.audio_sent = False
        self._lock = asyncio.Lock()
        self._open = True
        self.handlers = {
            "session.update": self.session_update,
            "transcription_session.update": self.unsupported,
            "conversation.item.create": lambda e: items.create(self, e, realtime_response.heard),
            "conversation.item.retrieve": lambda e: items.retrieve(self, e),
            "conversation.item.delete": lambda e: items.delete(self, e),
            "conversation.item.truncate": lambda e: items.truncate(self, e),
            "input_audio_buffer.append": self.audio.append,
            "input_audio_buffer.commit": self.audio.commit,
            "input_audio_buffer.clear": self.audio.clear,
            "output_audio_buffer.clear": self.unsupported,
            "response.create": self.response_create,
            "response.cancel": self.response_cancel,
        }

    # ------------------------------------------------------------------------------------------ transport
    async def send(self, event: dict[str, Any]) -> None:
        out: dict[str, Any] | None = {"event_id": new_id("event"), **event}
        if self.beta:
            out = beta_event(cast(dict[str, Any], out))
        if out is None or not self._open:
            return
        async with self._lock:
            try:
                await self.ws.send_text(orjson.dumps(out).decode())
            except Exception:  # the client went away mid-send
                self._open = False

    async def serve(self) -> None:
        await self.send({"type": "session.created", "session": self.session.render(beta=self.beta)})
        try:
            while self._open:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                raw = message.get("text")
                if raw is None:
                    raw = (message.get("bytes") or b"").decode("utf-8", "replace")
                await self.handle(raw)
        except Exception:  # a broken connection ends the session
            log.debug("realtime connection ended", exc_info=True)
        finally:
            self._open = False
            for turn, task in list(self.turns.values()):
                turn.cancel("client_cancelled")
                task.cancel()
            if self.ws.application_state == WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await self.ws.close()

    async def handle(self, raw: str) -> None:
        event_id = None
        try:
            try:
                event = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise EventError("The event is not valid JSON.", code="invalid_json") from None
            event = expect(event, dict, "event")
            event_id = event.get("event_id") if isinstance(event.get("event_id"), str) else None
            kind = take(event, "type", str, "", required=True)
            handler = self.handlers.get(kind)
            if handler is None:
                supported = ", ".join(f"'{k}'" for k in self.handlers)
                raise EventError(f"Invalid value: '{kind}'. Supported values are: {supported}.", param="type")
            await handler(event)
        except EventError as err:
            await self.send(error_event(err, event_id))
        except APIError as err:
            await self.send(error_event(EventError(err.message, param=err.param, code=err.code), event_id))
        except Exception:  # a bug must not end the session: report it like OpenAI's server errors
            log.exception("realtime event failed")
            await self.send(error_event(SERVER_ERROR, event_id))

    async def unsupported(self, event: dict[str, Any]) -> None:
        raise EventError(f"'{event['type']}' is not supported on a realtime WebSocket session.", param="type")

    # ------------------------------------------------------------------------------------------ session, items
    def check_model(self, model_id: str) -> str:
        self.model = resolve(self.services, model_id)
        return model_id

    async def session_update(self, event: dict[str, Any]) -> None:
        if "session" not in event:
            raise missing("session")
        apply_update(self.session, event["session"], audio_sent=self.audio_sent, check_model=self.check_model)
        self.audio.configure()
        await self.send({"type": "session.updated", "session": self.session.render(beta=self.beta)})

    # ------------------------------------------------------------------------------------------ responses
    def active(self, *, any_conversation: bool = False) -> realtime_stream.Turn | None:
        """The response in progress in the default conversation (or, with any_conversation, any response)."""
        running = [t for t, _ in self.turns.values() if not t.cancelled.is_set()]
        return next((t for t in running if t.in_conversation), running[0] if running and any_conversation else None)

    async def response_create(self, event: dict[str, Any]) -> None:
        await self.start_response(event.get("response"))

    async def start_response(self, raw: Any) -> None:
        cfg = response_config(self.session, raw)
        current = self.active()
        if current is not None and cfg.conversation == "auto":
            raise EventError(
                f"Conversation already has an active response in progress: {current.id}. "
                "Wait until the response is finished before creating a new one.",
                code="conversation_already_has_active_response",
            )
        items = realtime_response.resolve_input(cfg, self.conversation)
        seed = random.getrandbits(64) if self.services.settings.variety else 0
        plan = realtime_response.plan(cfg, items, self.model, seed)
        rid = new_id("resp")
        rng = random.Random(f"{seed}:{rid}:latency")
        p = plan.prompt
        seq = engine(self.services).submit(self.model, p.token_ids, p.total, realtime_stream.steps(plan), rng)
        turn = realtime_stream.Turn(rid, cfg, plan, cached=seq.cached_tokens)
        self.turns[turn.id] = (turn, asyncio.create_task(self._run(turn, seq)))

    async def _run(self, turn: realtime_stream.Turn, seq: Sequence) -> None:
        started = time.monotonic()
        try:
            await realtime_stream.run(turn, self, seq)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("realtime response %s failed", turn.id)
            await self.send(error_event(SERVER_ERROR, None))
        finally:
            seq.close()
            self.turns.pop(turn.id, None)
        self.audio_sent = self.audio_sent or turn.audio_ms > 0
        if turn.usage is None:
            return
        self._record(turn, time.monotonic() - started)

    def _record(self, turn: realtime_stream.Turn, seconds: float) -> None:
        u = turn.usage or {}
        metrics = self.services.metrics
        metrics.observe(ENDPOINT, seconds, 200)
        metrics.add_tokens(ENDPOINT, u.get("output_tokens", 0))
        details_in, details_out = u.get("input_token_details", {}), u.get("output_token_details", {})
        extra = {
            "realtime_session": self.session.id,
            "response_id": turn.id,
            "input_audio_tokens": details_in.get("audio_tokens", 0),
            "output_audio_tokens": details_out.get("audio_tokens", 0),
        }
        try:
            record_usage(
                self.caller.ctx,
                self.model,
                u["input_tokens"],
                u["output_tokens"],
                cached_tokens=details_in.get("cached_tokens", 0),
                extra=extra,
            )
        except Exception:  # usage is bookkeeping: never break the session over it
            log.exception("recording realtime usage failed")

    async def response_cancel(self, event: dict[str, Any]) -> None:
        response_id = take(event, "response_id", str, "")
        found = self.turns.get(response_id) if response_id else None
        turn = found[0] if found else (None if response_id else self.active(any_conversation=True))
        if turn is None or turn.cancelled.is_set():
            raise EventError("Cancellation failed: no active response found.", code="response_cancel_not_active")
        turn.cancel("client_cancelled")

    # called by the input buffer
    async def speech_started(self) -> None:
        turn = self.active()
        if turn is not None:
            turn.cancel("turn_detected")

    async def turn_ended(self) -> None:
        if self.active() is None:
            await self.start_response(None)
