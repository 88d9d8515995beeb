"""Audio through the openai SDK: speech in every format (durations from the WAV header), SSE speech, and
transcriptions/translations in every response format, parsed."""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import sys
import wave

import openai
import pytest
from fakeai.behaviors.sim.audio import speech_duration

from tests.conftest import API_KEY, LiveServer

TEXT = "The quick brown fox jumps over the lazy dog, and then it runs far away into the quiet forest."
MAGIC = {"mp3": (b"\xff", b"ID3"), "opus": (b"OggS",), "aac": (b"\xff",), "flac": (b"fLaC",), "wav": (b"RIFF",)}
TYPES = {"mp3": "audio/mpeg", "opus": "audio/opus", "aac": "audio/aac", "flac": "audio/flac", "wav": "audio/wav"}


@pytest.fixture(scope="module")
def client(live_server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(api_key=API_KEY, base_url=live_server.url + "/v1", max_retries=0)


def speech(client: openai.OpenAI, text: str = TEXT, **kw: object) -> tuple[bytes, str]:
    params: dict[str, object] = {"model": "tts-1", "voice": "alloy", "input": text, **kw}
    with client.audio.speech.with_streaming_response.create(**params) as resp:  # type: ignore[arg-type]
        return resp.read(), resp.headers["content-type"]


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        return w.getnframes() / w.getframerate()


@pytest.mark.parametrize("fmt", ["mp3", "opus", "aac", "flac", "wav"])
def test_speech_in_every_format(client: openai.OpenAI, fmt: str) -> None:
    data, ctype = speech(client, response_format=fmt)
    assert ctype == TYPES[fmt]
    assert data.startswith(MAGIC[fmt]) and len(data) > 1000


def test_wav_duration_follows_text_and_speed(client: openai.OpenAI) -> None:
    normal = wav_seconds(speech(client, response_format="wav")[0])
    assert normal == pytest.approx(speech_duration(TEXT), abs=0.01)
    assert 4.0 < normal < 12.0
    longer = wav_seconds(speech(client, text=f"{TEXT} {TEXT}", response_format="wav")[0])
    assert longer == pytest.approx(2 * normal, rel=0.1)
    fast = wav_seconds(speech(client, response_format="wav", speed=2.0)[0])
    assert fast == pytest.approx(normal / 2, rel=0.02)
    pcm, ctype = speech(client, response_format="pcm")
    assert ctype == "audio/pcm" and len(pcm) / 48000 == pytest.approx(normal, abs=0.01)


def test_voices(client: openai.OpenAI) -> None:
    alloy = speech(client, response_format="wav")[0]
    onyx = speech(client, response_format="wav", voice="onyx", instructions="Speak slowly and calmly.")[0]
    custom = speech(client, response_format="wav", voice={"id": "voice_1234"})[0]
    assert alloy != onyx != custom and len(alloy) == len(onyx)
    with pytest.raises(openai.BadRequestError) as e:
        speech(client, voice="bob")
    assert e.value.param == "voice"


def test_a_format_this_process_cannot_encode_is_a_400(client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "av", None)  # aac needs PyAV
    with pytest.raises(openai.BadRequestError) as e:
        speech(client, response_format="aac")
    assert e.value.param == "response_format" and "fakeai[media]" in e.value.message


def test_speech_as_server_sent_events(client: openai.OpenAI) -> None:
    whole, _ = speech(client, response_format="wav")
    with client.audio.speech.with_streaming_response.create(
        model="gpt-4o-mini-tts", voice="alloy", input=TEXT, response_format="wav", stream_format="sse"
    ) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in resp.iter_lines() if line.startswith("data: ")]
    deltas = [e for e in events if e["type"] == "speech.audio.delta"]
    assert len(deltas) > 5 and events[-1]["type"] == "speech.audio.done"
    assert b"".join(base64.b64decode(e["audio"]) for e in deltas) == whole
    usage = events[-1]["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"] and usage["output_tokens"] > 0


# ------------------------------------------------------------------------------------------- speech to text
@pytest.fixture(scope="module")
def clip(client: openai.OpenAI) -> tuple[bytes, float]:
    data, _ = speech(client, text=f"{TEXT} {TEXT} {TEXT}", response_format="wav")
    return data, wav_seconds(data)


def _file(data: bytes, name: str = "speech.wav") -> tuple[str, bytes, str]:
    return (name, data, "audio/wav")


def test_json_transcript_length_fits_the_duration(client: openai.OpenAI, clip: tuple[bytes, float]) -> None:
    data, seconds = clip
    resp = client.audio.transcriptions.create(model="whisper-1", file=_file(data))
    words = len(resp.text.split())
    assert 1.5 * seconds < words < 3.5 * seconds
    assert resp.usage is not None and resp.usage.type == "duration"
    assert resp.usage.seconds == pytest.approx(seconds, abs=1)  # type: ignore[union-attr]


def test_prompt_sets_the_topic(client: openai.OpenAI, clip: tuple[bytes, float]) -> None:
    resp = client.audio.transcriptions.create(
        model="whisper-1", file=_file(clip[0]), prompt="quarterly earnings of the bank"
    )
    assert "earnings" in resp.text.lower()


def test_verbose_json_segments_cover_the_clip(client: openai.OpenAI, clip: tuple[bytes, float]) -> None:
    data, seconds = clip
    resp = client.audio.transcriptions.create(
        model="whisper-1",
        file=_file(data),
        response_format="verbose_json",
        language="fr",
        timestamp_granularities=["word", "segment"],
    )
    assert resp.language == "french" and resp.duration == pytest.approx(seconds, abs=0.01)
    segs = resp.segments or []
    assert segs and segs[0].start == 0.0 and segs[-1].end == pytest.approx(seconds, abs=0.01)
    assert all(a.end == b.start for a, b in itertools.pairwise(segs))
    assert " ".join(s.text.strip() for s in segs) == resp.text
    words = resp.words or []
    assert len(words) == len(resp.text.split())
    assert all(0 <= w.start < w.end <= seconds + 0.01 for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)


def _cues(body: str, sep: str) -> list[tuple[float, float, str]]:
    stamp = rf"(\d\d):(\d\d):(\d\d){sep}(\d\d\d)"
    found = re.findall(rf"{stamp} --> {stamp}\n(.+)", body)
    return [
        (
            int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000,
            int(h2) * 3600 + int(m2) * 60 + int(s2) + int(ms2) / 1000,
            t,
        )
        for h, m, s, ms, h2, m2, s2, ms2, t in found
    ]


def test_srt_vtt_and_text(client: openai.OpenAI, clip: tuple[bytes, float]) -> None:
    data, seconds = clip
    text = client.audio.transcriptions.create(model="whisper-1", file=_file(data), response_format="text")
    assert isinstance(text, str) and text.strip()
    srt = client.audio.transcriptions.create(model="whisper-1", file=_file(data), response_format="srt")
    blocks = [b for b in srt.strip().split("\n\n") if b]
    assert [b.split("\n")[0] for b in blocks] == [str(i + 1) for i in range(len(blocks))]
    cues = _cues(srt, ",")
    assert len(cues) == len(blocks) and cues[0][0] == 0.0 and cues[-1][1] == pytest.approx(seconds, abs=0.01)
    vtt = client.audio.transcriptions.create(model="whisper-1", file=_file(data), response_format="vtt")
    assert vtt.startswith("WEBVTT\n\n")
    assert _cues(vtt, r"\.") == cues  # every format of one clip says the same
    assert " ".join(c[2] for c in cues) + "\n" == text


def test_duration_estimated_from_size_when_unreadable(client: openai.OpenAI) -> None:
    resp = client.audio.transcriptions.create(
        model="whisper-1", file=("talk.webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 159_996, "audio/webm"),
        response_format="verbose_json",
    )  # fmt: skip
    assert resp.duration == pytest.approx(10.0)


def test_streaming_transcription(client: openai.OpenAI, clip: tuple[bytes, float]) -> None:
    events = list(client.audio.transcriptions.create(model="gpt-4o-transcribe", file=_file(clip[0]), stream=True))
    deltas = [e for e in events if e.type == "transcript.text.delta"]
    done = events[-1]
    assert done.type == "transcript.text.done" and len(deltas) > 3
    assert "".join(d.delta for d in deltas) == done.text  # type: ignore[union-attr]
    assert done.usage is not None and done.usage.output_tokens > 0  # type: ignore[union-attr]


def test_token_usage_and_diarization(client: openai.OpenAI, clip: tuple[bytes, float]) -> None:
    resp = client.audio.transcriptions.create(model="gpt-4o-transcribe", file=_file(clip[0]))
    assert resp.usage is not None and resp.usage.type == "tokens"
    diarized = client.audio.transcriptions.create(
        model="gpt-4o-transcribe-diarize",
        file=_file(clip[0]),
        response_format="diarized_json",
        known_speaker_names=["ana", "ben"],
    )
    assert diarized.segments and {s.speaker for s in diarized.segments} <= {"ana", "ben"}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks verbose translations deprecated
def test_translation_answers_in_english(client: openai.OpenAI, clip: tuple[bytes, float]) -> None:
    resp = client.audio.translations.create(model="whisper-1", file=_file(clip[0]), response_format="verbose_json")
    assert resp.language == "english" and resp.segments
    text = client.audio.translations.create(model="whisper-1", file=_file(clip[0]), response_format="text")
    assert isinstance(text, str) and text.strip()
