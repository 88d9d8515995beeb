"""Answer shapes for :mod:`fakeai.behaviors.sim.textgen`: each yields the blocks (paragraphs, lists, code)
of one kind of answer — explanation, list/steps, summary, names, poem, haiku, story, code, direct reply,
reasoning monologue — plus the endless continuation used past the natural end (``ignore_eos``).

Every builder is a generator; it reads ``budget.used`` (tokens produced so far, kept by the caller) to
decide when its natural length is reached.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

from fakeai.behaviors.sim.textgen_templates import Deck, cap, load_code_data, load_data, pick
from fakeai.behaviors.sim.textgen_topic import PromptInfo

__all__ = ["Budget", "Context", "blocks_for", "continuation", "reasoning_blocks", "reasoning_continuation"]

Context = dict[str, Any]
_IDENT = re.compile(r"[a-z0-9]+")


class Budget:
    """Tokens produced so far (updated by the caller after each block)."""

    __slots__ = ("used",)

    def __init__(self) -> None:
        self.used = 0


def _sentence(deck: Deck, ctx: Context, rng: random.Random, p_connective: float = 0.3) -> str:
    text = deck.draw().fill(ctx, rng)
    if rng.random() < p_connective:
        return pick(rng, ctx["connectives"]) + " " + text
    return cap(text)


def _paragraph(deck: Deck, ctx: Context, rng: random.Random, lo: int = 3, hi: int = 5) -> str:
    n = lo + int(rng.random() * (hi - lo + 1))
    out = [_sentence(deck, ctx, rng, 0.0)]
    for _ in range(n - 1):
        out.append(_sentence(deck, ctx, rng))
    return " ".join(out)


def _bullets(ctx: Context, rng: random.Random, data: dict[str, Any]) -> str:
    n = 3 + int(rng.random() * 3)
    lines = [f"- {pick(rng, data['bullets']).fill(ctx, rng)}" for _ in range(n)]
    return f"### {pick(rng, data['headings'])}\n\n" + "\n".join(lines)


def _explain(info: PromptInfo, ctx: Context, rng: random.Random, budget: Budget, target: int) -> Iterator[str]:
    data = load_data()
    deck = Deck(data["body"], rng)
    openers = data["yesno_openers"] if info.shape == "yesno" else data["openers"]
    first = [cap(pick(rng, openers).fill(ctx, rng))]
    extra = 1 if target < 120 else 1 + int(rng.random() * 3)
    yield " ".join(first + [_sentence(deck, ctx, rng) for _ in range(extra)])
    bullets_done = False
    while budget.used < target - 45:
        if not bullets_done and budget.used + 90 < target and rng.random() < 0.25:
            bullets_done = True
            yield _bullets(ctx, rng, data)
        else:
            yield _paragraph(deck, ctx, rng)
    if target >= 100 and rng.random() < 0.85:
        yield cap(pick(rng, data["conclusions"]).fill(ctx, rng))


def _items(info: PromptInfo, ctx: Context, rng: random.Random, target: int) -> Iterator[str]:
    data = load_data()
    deck = Deck(data["body"], rng)
    default = 3 if info.length < 1 else 4 + int(rng.random() * (4 if info.length <= 1 else 6))
    n = min(info.items or default, 50)
    ctx = {**ctx, "n": str(n)}
    if info.shape == "summary":
        yield cap(pick(rng, data["summary_intros"]).fill(ctx, rng))
        yield "\n".join(f"- {_sentence(deck, ctx, rng, 0.15)}" for _ in range(n))
        return
    kind = {"names": "names", "steps": "steps"}.get(info.shape, "list")
    yield cap(pick(rng, data[kind + "_intros"]).fill(ctx, rng))
    titles: list[str] = data["step_titles"]
    keep = sorted(rng.sample(range(len(titles)), min(n, len(titles))))
    steps = [titles[k] for k in keep] + [f"Step {k}" for k in range(len(titles) + 1, n + 1)]
    lines = []
    names_ctx = {**ctx, "W": ctx["name_words"]} if info.shape == "names" else ctx
    for i in range(1, n + 1):
        if info.shape == "names":
            name = pick(rng, data["name_patterns"]).fill(names_ctx, rng)
            lines.append(f"{i}. **{name}** – {cap(pick(rng, data['name_notes']))}")
            continue
        sentences = [_sentence(deck, ctx, rng, 0.1)]
        if target > 60 * n and rng.random() < 0.5:
            sentences.append(_sentence(deck, ctx, rng))
        if info.shape == "steps":
            lines.append(f"{i}. **{steps[i - 1]}**: " + " ".join(sentences))
        else:
            # ctx is this function's own copy, and only list_items templates have a {sentence} slot
            ctx["sentence"] = " ".join(sentences)
            lines.append(f"{i}. " + pick(rng, data["list_items"]).fill(ctx, rng))
    yield "\n".join(lines)
    if rng.random() < 0.8:
        yield cap(pick(rng, data["steps_outros" if kind == "steps" else "list_outros"]).fill(ctx, rng))


def _poem(info: PromptInfo, ctx: Context, rng: random.Random) -> Iterator[str]:
    data = load_data()
    if info.shape == "haiku":
        for _ in range(max(1, min(info.items, 10))):
            lines = [pick(rng, data["haiku_5"]), pick(rng, data["haiku_7"]), pick(rng, data["haiku_5"])]
            yield "\n".join(cap(line.fill(ctx, rng)) for line in lines)
        return
    deck = Deck(data["poem_lines"], rng)
    low = ctx["prompt_low"]
    if "limerick" in low:
        shape = [5]
    elif "sonnet" in low:
        shape = [4, 4, 4, 2]
    else:
        stanzas = 2 if info.length < 1 else 3 + int(rng.random() * (2 if info.length <= 1 else 4))
        shape = [4] * stanzas
    if rng.random() < 0.5:
        yield f"**{cap(ctx['W'])}**"
    for k, size in enumerate(shape):
        lines = [cap(deck.draw().fill(ctx, rng)) for _ in range(size)]
        lines[-1] += "." if k == len(shape) - 1 else ","
        yield "\n".join(lines)


def _story(info: PromptInfo, ctx: Context, rng: random.Random, budget: Budget, target: int) -> Iterator[str]:
    data = load_data()
    she = rng.random() < 0.5
    name = pick(rng, data["story_names_she" if she else "story_names_he"])
    hero = pick(rng, data["story_heroes"]).fill(ctx, rng) + f" named {name}"
    pronouns = ("she", "her", "herself") if she else ("he", "his", "himself")
    ctx = {**ctx, "name": name, "hero": hero, "Hero": cap(hero), "place": pick(rng, data["story_places"])}
    ctx.update(zip(("he", "his", "himself"), pronouns, strict=True))
    if rng.random() < 0.5:
        yield f"**The Story of {name}**"
    middle = data["story_middle"]
    yield " ".join([cap(s.fill(ctx, rng)) for s in [pick(rng, data["story_open"]), middle[0]]])
    pos = 1
    while pos < len(middle) and budget.used < target - 70:
        size = 2 + int(rng.random() * 2)
        chosen = [m for m in middle[pos : pos + size + 1] if rng.random() < 0.85][:size] or [middle[pos]]
        pos += len(chosen) + (1 if rng.random() < 0.3 else 0)
        yield " ".join([cap(s.fill(ctx, rng)) for s in chosen])
    yield cap(pick(rng, data["story_end"]).fill(ctx, rng))


def _code(info: PromptInfo, ctx: Context, rng: random.Random) -> Iterator[str]:
    data = load_data()
    languages, templates = load_code_data()
    lang = languages[info.language]
    skip = {a for spec in languages.values() for a in spec["aliases"]} | {"code", "function", "script", "program"}
    low = ctx["prompt_low"]
    found = {w for kw in info.keywords for w in _IDENT.findall(kw.lower()) if w not in skip}
    words = sorted(found, key=low.find)[:3] or ["process", "items"]
    fn = "_".join(words)
    arg = "text" if {"string", "text", "word", "words"} & set(words) else "items"
    camel = words[0] + "".join(map(cap, words[1:]))
    code_ctx = {"fn": fn, "fnCamel": camel, "Cls": "".join(map(cap, words)), "arg": arg, "Title": cap(" ".join(words))}
    code_ctx["doc"] = f"Return the cleaned-up {arg} for {' '.join(words)}."
    ctx = {
        **ctx,
        "lang": lang["name"],
        "fn": fn if info.language not in ("javascript", "typescript", "java") else camel,
    }
    yield cap(pick(rng, data["code_intros"]).fill(ctx, rng))
    yield f"```{lang['fence']}\n{pick(rng, templates[info.language]).fill(code_ctx, rng)}\n```"
    deck = Deck(data["code_explain"], rng)
    yield " ".join([cap(deck.draw().fill(ctx, rng)) for _ in range(2 + int(rng.random() * 2))])
    if rng.random() < 0.5:
        yield "**How it works:**\n\n" + "\n".join(f"- {b}" for b in data["code_bullets"][: 2 + int(rng.random() * 3)])
    if rng.random() < 0.6:
        yield cap(pick(rng, data["code_outros"]).fill(ctx, rng))


def _direct(info: PromptInfo, rng: random.Random) -> Iterator[str]:
    data = load_data()
    if info.direct == "greeting":
        yield pick(rng, data["trivial_greetings"])
    elif info.direct == "test":
        yield pick(rng, data["trivial_test"])
    else:
        yield info.direct


def blocks_for(info: PromptInfo, ctx: Context, rng: random.Random, budget: Budget, target: int) -> Iterator[str]:
    """The natural blocks of the answer to ``info``."""
    if info.shape == "trivial":
        return _direct(info, rng)
    if info.shape in ("list", "steps", "summary", "names"):
        return _items(info, ctx, rng, target)
    if info.shape in ("poem", "haiku"):
        return _poem(info, ctx, rng)
    if info.shape == "story":
        return _story(info, ctx, rng, budget, target)
    if info.shape == "code":
        return _code(info, ctx, rng)
    return _explain(info, ctx, rng, budget, target)


def continuation(info: PromptInfo, ctx: Context, rng: random.Random) -> Iterator[str]:
    """Endless further paragraphs, used when the answer must go on past its natural end."""
    data = load_data()
    deck = Deck(data["body"], rng)
    filler = Deck(data["filler"], rng)
    while True:
        if info.shape == "trivial" or not info.topic:
            yield " ".join([filler.draw() for _ in range(3 + int(rng.random() * 3))])
        elif rng.random() < 0.15:
            yield _bullets(ctx, rng, data)
        else:
            yield _paragraph(deck, ctx, rng)


def reasoning_blocks(info: PromptInfo, ctx: Context, rng: random.Random, budget: Budget, target: int) -> Iterator[str]:
    """A thinking monologue: restating the request, weighing points, planning the answer."""
    data = load_data()
    if info.shape == "trivial":
        yield pick(rng, data["reason_trivial"])
        return
    deck = Deck(data["reason_body"], rng)
    yield " ".join([pick(rng, data["reason_open"]).fill(ctx, rng), *(deck.draw().fill(ctx, rng) for _ in range(2))])
    while budget.used < target - 50:
        yield " ".join([deck.draw().fill(ctx, rng) for _ in range(2 + int(rng.random() * 3))])
    yield pick(rng, data["reason_plan"]).fill(ctx, rng) + " " + pick(rng, data["reason_close"]).fill(ctx, rng)


def reasoning_continuation(ctx: Context, rng: random.Random) -> Iterator[str]:
    """Endless further thinking, used when the monologue must reach a minimum length."""
    deck = Deck(load_data()["reason_body"], rng)
    while True:
        yield " ".join([deck.draw().fill(ctx, rng) for _ in range(2 + int(rng.random() * 3))])
