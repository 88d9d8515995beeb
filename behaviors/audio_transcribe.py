"""Speech to text: createTranscription and createTranslation.

The uploaded file's duration is read from its headers (WAV, MP3, FLAC, Ogg, MP4/M4A, ADTS; else whatever
libsndfile opens) and otherwise estimated from its size at 128 kbit/s (WebM, unknown data). The transcript is
generated prose of about 2.5 words per second on the topic of `prompt` (see audio_transcript). Formats:
- json: {text, usage}, with `logprobs` when include has "logprobs";
- text, srt, vtt: plain text (text/plain, as OpenAI sends all three; {"text": ...} when serving a document that
  lists no text/plain for the operation, such as the upstream one);
- verbose_json: language (the `language` given, as a name; "english" by default), duration, text, segments
  covering the clip (unless timestamp_granularities asks for words only) and `words` when it includes "word";
- diarized_json: speaker-labelled segments (two speakers, or the known_speaker_names).
Usage is in seconds for whisper models and in tokens for the gpt-4o transcribe models. Translations answer in
English, in the same formats but diarized_json. `stream: true` (transcriptions) sends transcript.text.delta events
of a few tokens each, then transcript.text.done with the text and token usage.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from fakeai.context import Context, EventStream, Text
from fakeai.errors import APIError
from fakeai.registry import serves

from . import audio_transcript as tx
from .catalog import ModelInfo
from .latency import Schedule, engine
from .models_api import resolve_model
from .sim import audio_codecs, logprobs, tokenizer
from .sim.vision_tokens import audio_tokens
from .usage import record_usage

MAX_FILE_BYTES = 25 * 1024 * 1024
ESTIMATE_BYTES_PER_SECOND = 16000  # 128 kbit/s
TOKENS_PER_DELTA = 3


@dataclass
class Job:
    model: ModelInfo
    fields: dict[str, Any]
    seconds: float
    text: str
    prompt_tokens: int

    @property
    def per_token(self) -> bool:
        return "whisper" not in self.model.id.lower()

    def usage(self) -> dict[str, Any]:
        if not self.per_token:
            return {"type": "duration", "seconds": math.ceil(self.seconds)}
        return token_usage(self)


def token_usage(j: Job) -> dict[str, Any]:
    audio = audio_tokens(j.seconds)
    out = tokenizer.count_tokens(j.text)
    return {
        "type": "tokens",
        "input_tokens": audio + j.prompt_tokens,
        "input_token_details": {"text_tokens": j.prompt_tokens, "audio_tokens": audio},
        "output_tokens": out,
        "total_tokens": audio + j.prompt_tokens + out,
    }


def _fields(ctx: Context) -> dict[str, Any]:
    if isinstance(ctx.body, BaseModel):
        return ctx.body.model_dump(exclude_unset=True, exclude={"file"})
    return {k: v for k, v in (ctx.data or {}).items() if k != "file"}


def duration(data: bytes, filename: str) -> float:
    ext = filename.rsplit(".", 1)[-1] if "." in filename else ""
    seconds = audio_codecs.decode_duration(data, ext if ext.lower() == "pcm" else "")
    if seconds is None and ext:
        seconds = audio_codecs.decode_duration(data, ext)
    if seconds is None:
        seconds = len(data) / ESTIMATE_BYTES_PER_SECOND
    return max(0.0, float(seconds))


def _content_rng(ctx: Context, data: bytes, fields: dict[str, Any], translate: bool) -> random.Random:
    """The transcript's randomness: from the audio and what shapes its wording, not from response_format, so
    every format of one clip says the same (with the `variety` setting, the request's seed joins in)."""
    h = hashlib.blake2b(data, digest_size=16)
    for key in ("model", "prompt", "language", "temperature", "seed"):
        h.update(f"|{fields.get(key)}".encode("utf-8", "replace"))
    h.update(b"translate" if translate else b"transcribe")
    if ctx.settings.variety:
        h.update(str(ctx.seed).encode())
    return random.Random(h.hexdigest())


def job(ctx: Context, translate: bool) -> Job:
    upload = ctx.file("file")
    if upload is None:
        raise APIError(400, "Missing required parameter: 'file'.", param="file", code="missing_required_parameter")
    if len(upload.data) > MAX_FILE_BYTES:
        raise APIError(400, f"The file is larger than {MAX_FILE_BYTES} bytes; split the audio.", param="file")
    fields = _fields(ctx)
    model = resolve_model(ctx, fields.get("model"))
    seconds = duration(upload.data, upload.filename)
    prompt = str(fields.get("prompt") or "")
    text = tx.transcript_text(seconds, prompt, _content_rng(ctx, upload.data, fields, translate))
    return Job(model, fields, seconds, text, tokenizer.count_tokens(prompt))


def _words(j: Job) -> list[dict[str, Any]]:
    return [{"word": w.word, "start": w.start, "end": w.end} for w in tx.timed_words(j.text, j.seconds)]


def _diarized(j: Job) -> list[dict[str, Any]]:
    names = [str(n) for n in (j.fields.get("known_speaker_names") or [])] or ["A", "B"]
    return [
        {"type": "transcript.text.segment", "id": f"seg_{s.id:03d}", "start": s.start, "end": s.end,
         "text": s.text, "speaker": names[s.id % len(names)]}
        for s in tx.segments(j.text, j.seconds)
    ]  # fmt: skip


def render(ctx: Context, j: Job, translate: bool) -> Any:
    fmt = j.fields.get("response_format") or "json"
    if translate and fmt == "diarized_json":
        fmt = "json"
    segs = tx.segments(j.text, j.seconds)
    if fmt in ("text", "srt", "vtt"):
        body_text = j.text + "\n" if fmt == "text" else tx.srt(segs) if fmt == "srt" else tx.vtt(segs)
        if any(m.media == "text/plain" for m in ctx.operation.success.media):
            return Text(body_text, "text/plain; charset=utf-8")
        return {"text": body_text}  # a served document without text/plain (the upstream one): its JSON shape
    if fmt == "verbose_json":
        body: dict[str, Any] = {
            "task": "translate" if translate else "transcribe",
            "language": "english" if translate else tx.language_name(j.fields.get("language")),
            "duration": round(j.seconds, 3),
            "text": j.text,
        }
        grains = j.fields.get("timestamp_granularities") or ["segment"]
        if "segment" in grains or translate:
            body["segments"] = tx.verbose_segments(segs, float(j.fields.get("temperature") or 0.0), ctx.rng("seg"))
        if "word" in grains and not translate:
            body["words"] = _words(j)
        if not translate:
            body["usage"] = {"type": "duration", "seconds": math.ceil(j.seconds)}
        return body
    if fmt == "diarized_json":
        return {"task": "transcribe", "duration": round(j.seconds, 3), "text": j.text, "segments": _diarized(j),
                "usage": j.usage()}  # fmt: skip
    body = {"text": j.text}
    if not translate:
        body["usage"] = j.usage()
        if "logprobs" in (j.fields.get("include") or []):
            body["logprobs"] = _logprobs(ctx, j)
    return body


def _logprobs(ctx: Context, j: Job) -> list[dict[str, Any]]:
    items = logprobs.token_logprobs(tokenizer.tokenize(j.text), ctx.rng("logprobs"), 0)
    return [{"token": i["token"], "logprob": i["logprob"], "bytes": i["bytes"]} for i in items]


async def stream(ctx: Context, j: Job, schedule: Schedule) -> AsyncIterator[dict[str, Any]]:
    tokens = tokenizer.tokenize(j.text)
    want_logprobs = "logprobs" in (j.fields.get("include") or [])
    lps = logprobs.token_logprobs(tokens, ctx.rng("logprobs"), 0) if want_logprobs else []
    if not schedule.zero:
        await schedule.first_token()
    for i in range(0, len(tokens), TOKENS_PER_DELTA):
        if i and not schedule.zero:
            await schedule.next_token()
        event: dict[str, Any] = {"type": "transcript.text.delta", "delta": "".join(tokens[i : i + TOKENS_PER_DELTA])}
        if want_logprobs:
            event["logprobs"] = [
                {k: lp[k] for k in ("token", "logprob", "bytes")} for lp in lps[i : i + TOKENS_PER_DELTA]
            ]
        yield event
    done: dict[str, Any] = {"type": "transcript.text.done", "text": j.text, "usage": token_usage(j)}
    if want_logprobs:
        done["logprobs"] = [{k: lp[k] for k in ("token", "logprob", "bytes")} for lp in lps]
    yield done


async def _answer(ctx: Context, translate: bool) -> Any:
    j = job(ctx, translate)
    record_usage(
        ctx, j.model, audio_tokens(j.seconds) + j.prompt_tokens, tokenizer.count_tokens(j.text), seconds=j.seconds
    )
    schedule = engine(ctx).schedule(j.model, audio_tokens(j.seconds), ctx.rng("latency"), arrival=ctx.received)
    if not translate and j.fields.get("stream") in (True, "true"):
        return EventStream(stream(ctx, j, schedule), done=False, event_field="type")
    if not schedule.zero:
        await schedule.first_token()
    return render(ctx, j, translate)


@serves("createTranscription")
async def create_transcription(_: Any, ctx: Context) -> Any:
    return await _answer(ctx, translate=False)


@serves("createTranslation")
async def create_translation(_: Any, ctx: Context) -> Any:
    return await _answer(ctx, translate=True)
