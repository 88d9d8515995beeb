"""A simulated transcript of an audio clip and its timed renderings (segments, words, SRT, WebVTT).

The transcript is generated prose (the shared text generator) on the topic of the request's `prompt`, or of a
topic drawn from the seed, about 2.5 words per second of audio. Its words are spread evenly over the clip after
a short lead-in; segments are runs of whole sentences of at most ~30 words, so their start/end cover the clip.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .generation import generator
from .sim import tokenizer

WORDS_PER_SECOND = 2.5
SEGMENT_WORDS = 30
LEAD_IN = 0.2  # seconds of silence before the first word (shorter clips: a tenth of their length)
_TOPICS = (
    "the weekly team meeting",
    "planning a weekend trip",
    "a new product launch",
    "the history of the city",
    "learning to cook at home",
    "the results of a science experiment",
    "training for a marathon",
    "a customer support call",
)
_MARKUP = re.compile(r"^\s*(?:#+|[-*+]|\d+[.)]|>)\s*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
LANGUAGES = {
    "en": "english", "zh": "chinese", "es": "spanish", "fr": "french", "de": "german", "ja": "japanese",
    "ko": "korean", "ru": "russian", "pt": "portuguese", "ar": "arabic", "it": "italian", "nl": "dutch",
    "hi": "hindi", "tr": "turkish", "pl": "polish", "sv": "swedish", "uk": "ukrainian", "vi": "vietnamese",
}  # fmt: skip


@dataclass
class Word:
    word: str
    start: float
    end: float


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str


def language_name(code: str | None) -> str:
    if not code:
        return "english"
    return LANGUAGES.get(code.lower().split("-")[0], code.lower())


def _plain(text: str) -> str:
    """Generated text as one spoken paragraph: no markdown markers, code or line structure."""
    lines = []
    in_code = False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
            continue
        if not in_code and line.strip():
            lines.append(_MARKUP.sub("", line).replace("**", "").replace("`", "").strip())
    return " ".join(lines)


def _sentences(text: str) -> list[str]:
    """Sentences of generated prose, each capitalised; chat-style openers ("Great question!") dropped."""
    out: list[str] = []
    for s in _SENTENCE.split(text):
        s = s.strip()
        if not s or (not out and len(s.split()) <= 3 and "question" in s.lower()):
            continue
        out.append(s[0].upper() + s[1:])
    return out


def transcript_text(seconds: float, prompt: str, rng: random.Random) -> str:
    """Prose of about WORDS_PER_SECOND words per second of audio, cut at the sentence end nearest that length."""
    want = max(1, round(seconds * WORDS_PER_SECOND * rng.uniform(0.9, 1.1))) if seconds >= 0.4 else 0
    if want == 0:
        return ""
    topic = prompt.strip() or rng.choice(_TOPICS)
    sentences: list[str] = []
    count = 0
    for _ in range(8):
        if count >= want:
            break
        tokens = generator().generate(f"Talk about {topic}.", rng, int(want * 1.6) + 24, stop_at_natural_end=False)
        more = _sentences(_plain("".join(tokens)))
        sentences += more
        count += sum(len(x.split()) for x in more)
    words: list[str] = []
    for s in sentences:
        n = len(s.split())
        if words and abs(len(words) + n - want) > abs(len(words) - want):
            break
        words += s.split()
    words = words[: max(1, round(want * 1.3))]
    text = " ".join(words)
    return text if not text or text[-1] in ".!?" else text.rstrip(",;:") + "."


def timed_words(text: str, seconds: float) -> list[Word]:
    words = text.split()
    if not words:
        return []
    lead = min(LEAD_IN, seconds * 0.1)
    step = (seconds - lead) / len(words)
    out = []
    for i, w in enumerate(words):
        start = lead + i * step
        out.append(Word(w.strip(".,;:!?\"'()"), round(start, 2), round(min(seconds, start + step * 0.92), 2)))
    return out


def segments(text: str, seconds: float) -> list[Segment]:
    """Runs of whole sentences (at most ~SEGMENT_WORDS words) timed over the clip; the first starts at 0 and the
    last ends at the clip's end."""
    sentences = [s for s in _SENTENCE.split(text) if s]
    if not sentences:
        return []
    groups: list[list[str]] = [[]]
    for s in sentences:
        words_in_group = sum(len(x.split()) for x in groups[-1])
        if groups[-1] and words_in_group + len(s.split()) > SEGMENT_WORDS:
            groups.append([])
        groups[-1].append(s)
    total = sum(len(s.split()) for s in sentences)
    out: list[Segment] = []
    done = 0
    for i, group in enumerate(groups):
        count = sum(len(s.split()) for s in group)
        start = seconds * done / total
        done += count
        end = seconds * done / total
        out.append(
            Segment(i, round(start, 2), round(end, 2) if i < len(groups) - 1 else round(seconds, 3), " ".join(group))
        )
    return out


def _clock(t: float, sep: str) -> str:
    ms = max(0, round(t * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt(segs: list[Segment]) -> str:
    return "".join(
        f"{i + 1}\n{_clock(s.start, ',')} --> {_clock(s.end, ',')}\n{s.text}\n\n" for i, s in enumerate(segs)
    )


def vtt(segs: list[Segment]) -> str:
    return "WEBVTT\n\n" + "".join(f"{_clock(s.start, '.')} --> {_clock(s.end, '.')}\n{s.text}\n\n" for s in segs)


def verbose_segments(segs: list[Segment], temperature: float, rng: random.Random) -> list[dict[str, object]]:
    """Whisper's verbose_json segment objects, with plausible decoding statistics."""
    out: list[dict[str, object]] = []
    for s in segs:
        text = " " + s.text
        out.append(
            {
                "id": s.id,
                "seek": int(s.start // 30) * 3000,
                "start": s.start,
                "end": s.end,
                "text": text,
                "tokens": tokenizer.encode(text),
                "temperature": temperature,
                "avg_logprob": round(-rng.uniform(0.08, 0.45), 4),
                "compression_ratio": round(rng.uniform(1.2, 1.8), 4),
                "no_speech_prob": round(rng.uniform(1e-4, 0.02), 6),
            }
        )
    return out
