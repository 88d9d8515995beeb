"""Reading a prompt for :mod:`fakeai.behaviors.sim.textgen`: salient keywords, the answer shape, length hints.

``pick_keywords`` is also used elsewhere (tool arguments, structured outputs). Everything here is
deterministic (no randomness) and looks at no more than the first and last couple of thousand characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from fakeai.behaviors.sim.textgen_templates import load_code_data, load_data

__all__ = ["PromptInfo", "analyze_prompt", "excerpt", "gerund", "pick_keywords"]

_HEAD, _TAIL = 1500, 1500  # characters of a long prompt that are read
_SEGMENT = re.compile(r"[.,;:!?()\[\]{}\"“”<>|\n\r\t/\\*#`=+]+|\s[-–—]+\s")
_WORD = re.compile(r"[^\W\d_][\w'’\-]*[\w]|[^\W\d_]|\d[\w.\-]*[^\W_]")
_TOPIC_CUES = frozenset({"about", "regarding", "on", "called", "named", "describing"})
_TAIL_STOP = frozenset({"work", "works", "function", "functions", "happen", "happens", "mean", "means", "do", "look"})
_AUXILIARIES = frozenset({"does", "do", "did", "can", "will", "would", "could", "should"})
_MAX_RUN_CHARS = 16  # a longer word without spaces (CJK text) is shortened to this
_DETERMINERS = frozenset({"a", "an", "the", "my", "your", "our", "their", "his", "her", "some", "this", "that"})
_COUNTED = re.compile(
    r"\b(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)\s+(?:\w+\s+){0,2}?"
    r"(tips|steps|ways|ideas|reasons|examples|names|things|points|items|facts|questions|options|strategies"
    r"|benefits|bullet points|bullets|sentences|lines)\b"
)
_WORD_LIMIT = re.compile(r"\b(?:in|under|about|around|within|max(?:imum)?|at most|exactly)?\s*(\d{2,4})\s+words\b")
_COUNT_TO = re.compile(r"\bcount(?:\s+from\s+(-?\d{1,6}))?\s+(?:up\s+)?to\s+(-?\d{1,6})\b")
_ARITH = re.compile(
    r"^\s*(?:what(?:'s| is)\s+|calculate\s+|compute\s+)?(-?\d{1,9})\s*([-+*x×/])\s*(-?\d{1,9})\s*[?=.!]*\s*$"
)
_SAY = re.compile(
    r"^\s*(?:please\s+)?(say|repeat after me|reply with|respond with|answer with|output)(\s+only|\s+just|\s+exactly)?"
    r"\s*:?\s*([\"'“]?)(.{1,200}?)[\"'”]?\s*[.!]?\s*$",
    re.I | re.S,
)
_VAGUE = frozenset(
    ["something", "anything", "a", "an", "the", "what", "how", "why", "some", "me", "my", "your", "more", "nothing"]
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|hiya|greetings|good (morning|afternoon|evening)|howdy|yo|sup|what's up|"
    r"how are you( doing)?( today)?)\s*(there)?\s*[!.?]*\s*$"
)
_TEST = re.compile(r"^\s*(test|testing|this is a test|ping|are you there|can you hear me)\s*[!.?]*\s*$")
_BRIEF = re.compile(r"\b(briefly|brief|short|quick|concise|one sentence|a sentence|tl;?dr|few words|one line|eli5)\b")
_LONG = re.compile(r"\b(detailed|in detail|comprehensive|thorough|in depth|in-depth|essay|elaborate|extensive|long)\b")
_YESNO = re.compile(r"^\s*(is|are|can|could|does|do|did|should|would|will|was|were|has|have|may)\b")
_REQUEST = re.compile(r"\b(write|create|implement|build|generate|make|give|show|code|fix|refactor|program|develop)\b")
_CODE_NOUN = re.compile(r"\b(code|function|script|program|class|method|regex|snippet|algorithm|api|endpoint|query)\b")
_POEM = re.compile(r"\b(poem|poetry|verse|sonnet|limerick|haiku|lyrics|song|rhyme)\b")
_STORY = re.compile(r"\b(story|tale|fable|fairy tale|bedtime|narrative|short fiction)\b")
_SUMMARY = re.compile(r"\b(summarize|summarise|summary|tl;?dr|key takeaways|main points)\b")
_STEPS = re.compile(r"\b(steps?|step-by-step|how (?:do|can|should) (?:i|you|we)|how to|guide|instructions|recipe)\b")
_LIST = re.compile(r"\b(list|tips|ideas|ways|reasons|examples of|options|suggestions|pros and cons|bullet)\b")
_NAMES = re.compile(r"\b(names?|titles?|slogans?) (?:for|of)\b")
_LETTERS = re.compile(r"[a-z+#]+")
_TO_VERB = re.compile(r"\b(?:how (?:do|can|should|would) (?:i|you|we|one)|how to|ways to|steps to|way to)\s+([a-z]+)")


@dataclass(frozen=True)
class PromptInfo:
    shape: str  # explain, yesno, list, steps, summary, names, poem, haiku, story, code, trivial
    keywords: tuple[str, ...]
    topic: str  # main noun phrase ("" when the prompt has none)
    plural: bool  # the topic takes "are" / "they"
    direct: str  # the whole answer of a trivial prompt ("" otherwise)
    language: str  # code language key ("" unless shape == "code")
    items: int  # requested number of list items (0 = not said)
    length: float  # 0.35 (brief) .. 2.0 (detailed)
    word_limit: int  # requested number of words (0 = not said)


@cache
def _language_aliases() -> tuple[tuple[str, frozenset[str]], ...]:
    """(language key, its aliases) in the data file's order."""
    languages, _ = load_code_data()
    return tuple((key, frozenset(lang["aliases"])) for key, lang in languages.items())


def excerpt(text: str) -> str:
    """The part of a prompt that is read: all of a short one, the head and tail of a long one."""
    if len(text) <= _HEAD + _TAIL:
        return text
    return text[:_HEAD] + "\n" + text[-_TAIL:]


@lru_cache(maxsize=65536)
def _word(w: str) -> tuple[str, str, bool, bool, bool, str, str]:
    """What pick_keywords needs to know of one word, independent of where it stands (cached: words repeat):
    (lower-cased, base without "'s", capitalised, not a stop word, can be part of a phrase,
    how it is shown at the start of a clause, how it is shown later in one)."""
    if not w:
        return "", "", False, False, False, "", ""
    data = load_data()
    stop, shape_words = data["stopwords"], data["shape_words"]
    low = w.lower().replace("’", "'")
    possessive = low.endswith("'s")
    base = low[:-2] if possessive else low
    capital = w[:1].isupper() and len(w) > 1 and base != "i"
    plain = base not in stop and base.replace("'", "") not in stop
    eligible = bool(base) and base not in shape_words and not base[0].isdigit() and len(base) > 1
    shown = w[:-2] if possessive else w
    if len(shown) > _MAX_RUN_CHARS and not shown.isascii():
        shown = shown[: _MAX_RUN_CHARS // 2]
    keep = (len(shown) > 1 and shown.isupper()) or any(c.isupper() for c in shown[1:])  # acronyms, iPhone
    at_start = shown if keep else shown.lower()
    mid = shown if keep or shown[:1].isupper() else shown.lower()
    return low, base, capital, plain, eligible, at_start, mid


def pick_keywords(text: str, k: int = 5) -> list[str]:
    """Up to ``k`` salient keywords / short noun phrases of ``text``, most salient first.

    Runs of words that are not stop words (within one clause) form phrases of up to three words; a
    phrase scores by word length, capitalisation inside a clause, repetition and a preceding
    "about"/"on"/"named". Common nouns are lower-cased; names and acronyms keep their case.
    """
    if k <= 0 or not text:
        return []
    trailing = load_data()["trailing_adjectives"]
    scores: dict[str, float] = {}
    display: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    order = 0
    for segment in _SEGMENT.split(excerpt(text)):
        words = _WORD.findall(segment)
        run: list[str] = []
        cue = False
        # "how does X work?": a closing verb is not part of the topic
        last = len(words) - 1 if not _AUXILIARIES.isdisjoint(map(str.lower, words)) else -1
        for idx, w in enumerate([*words, ""]):
            low, base, capital, plain, eligible, at_start, mid = _word(w)
            if idx == last and base in _TAIL_STOP:
                eligible = False  # "how does X work?"
            # a capitalised word mid-sentence is a name even when it is a stop word ("New York")
            if eligible and (plain or (idx > 0 and capital)):
                run.append(mid if idx > 0 else at_start)
                continue
            if run:
                seen = [r.lower() for r in run]
                for j in range(1, len(run)):
                    if seen[j] in seen[:j]:  # "why are black holes black" -> "black holes"
                        run = run[:j]
                        break
                if len(run) > 1 and run[-1] in trailing:  # "why is the sky blue" -> "sky"
                    run = run[:-1]
                for start in range(0, len(run), 3):
                    phrase = run[start : start + 3]
                    key = " ".join(phrase).lower()
                    score = sum(1.0 + min(len(p), 12) * 0.15 + (0.8 if p[0].isupper() else 0.0) for p in phrase)
                    score *= 1.0 + 0.1 * (len(phrase) - 1)
                    if cue and start == 0:
                        score += 1.5
                    if key in scores:
                        scores[key] += 0.75
                    else:
                        scores[key] = score
                        display[key] = " ".join(phrase)[:60]
                        first_seen[key] = order
                        order += 1
                run = []
            cue = low in _TOPIC_CUES or (cue and low in _DETERMINERS)
    ranked = sorted(scores, key=lambda key: (-scores[key], first_seen[key]))
    out: list[str] = []
    for key in ranked:
        if any(key in o.lower() for o in out):
            continue
        out.append(display[key])
        if len(out) == k:
            break
    return out


def gerund(verb: str) -> str:
    """bake -> baking, run -> running, fix -> fixing."""
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) and len(verb) > 2:
        return verb[:-1] + "ing"
    if len(verb) in (3, 4) and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou" and verb[-3] not in "aeiou":
        return verb + verb[-1] + "ing"
    return verb + "ing"


def _is_plural(topic: str) -> bool:
    last = topic.rsplit(" ", 1)[-1].lower()
    return len(last) > 3 and last.endswith("s") and not last.endswith(("ss", "us", "is", "ics", "ness", "sis"))


def _direct_answer(low: str, raw: str) -> str:
    if m := _ARITH.match(low):
        a, op, b = int(m.group(1)), m.group(2), int(m.group(3))
        if op in "/" and b == 0:
            return "Division by zero is undefined, so there is no answer to that one."
        value: float = a + b if op == "+" else a - b if op == "-" else a * b if op in "x×*" else a / b
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        return f"{a} {op} {b} = {shown}"
    if m := _COUNT_TO.search(low):
        start, end = int(m.group(1) or 1), int(m.group(2))
        step = 1 if end >= start else -1
        end = start + step * min(abs(end - start), 2000)
        return ", ".join(str(i) for i in range(start, end + step, step))
    if m := _SAY.match(raw):
        said = m.group(4).strip().strip("\"'“”")
        words = said.split()
        if not (m.group(2) or m.group(3) or m.group(1).lower() != "say") and (
            len(words) > 3 or not words or words[0].lower() in _VAGUE
        ):
            return ""
        if said.lower().rstrip("!.") in ("hello", "hi", "hello world", "hello, world"):
            return said[:1].upper() + said[1:].rstrip("!.") + "!"
        return said
    return ""


def analyze_prompt(prompt: str) -> PromptInfo:
    """Shape, topic and length hints of a prompt (the last user message)."""
    text = excerpt(prompt)
    low = text.lower()
    keywords = tuple(pick_keywords(text, 5))
    length = 0.35 if _BRIEF.search(low) else 2.0 if _LONG.search(low) else 1.0
    m = _WORD_LIMIT.search(low)
    word_limit = int(m.group(1)) if m else 0
    m = _COUNTED.search(low)
    items = (int(m.group(1)) if m.group(1).isdigit() else load_data()["number_words"][m.group(1)]) if m else 0
    shape, direct, language = "explain", "", ""
    stripped = low.strip()
    if len(stripped) < 200 and (direct := _direct_answer(stripped, text.strip())):
        shape = "trivial"
    elif _GREETING.match(stripped) or not stripped:
        shape, direct = "trivial", "greeting"
    elif _TEST.match(stripped):
        shape, direct = "trivial", "test"
    else:
        words = set(_LETTERS.findall(low))
        language = next((key for key, aliases in _language_aliases() if not aliases.isdisjoint(words)), "")
        if _POEM.search(low):
            shape = "haiku" if "haiku" in low else "poem"
        elif _STORY.search(low):
            shape = "story"
        elif "```" in text or (_REQUEST.search(low) and (_CODE_NOUN.search(low) or language)):
            shape, language = "code", language or "python"
        elif _SUMMARY.search(low):
            shape = "summary"
        elif _NAMES.search(low):
            shape = "names"
        elif _STEPS.search(low):
            shape = "steps"
        elif _LIST.search(low) or items:
            shape = "list"
        elif _YESNO.match(low) and "?" in low and " or " not in low:
            shape = "yesno"
        if shape != "code":
            language = ""
    topic = keywords[0] if keywords else ""
    m = _TO_VERB.search(low)
    if m and topic and topic.lower().startswith(m.group(1)):
        topic = gerund(m.group(1)) + topic[len(m.group(1)) :]  # "how to bake bread" -> "baking bread"
    plural = bool(topic) and _is_plural(topic) and not topic.endswith("ing")
    return PromptInfo(shape, keywords, topic, plural, direct, language, items, length, word_limit)
