"""Dev tool: cost of fakeai.behaviors.sim.textgen per generated token (and of the tokenizer per 1,000 chars).

/work/venv/bin/python bench/textgen_speed.py
"""

from __future__ import annotations

import random
import time

from fakeai.behaviors.sim.textgen import TextGenerator
from fakeai.behaviors.sim.tokenizer import default_tokenizer

PROMPTS = [
    "What is artificial intelligence?",
    "Write a poem about the ocean at night.",
    "List the steps to bake sourdough bread.",
    "Tell me a short story about a robot who wants to become a painter.",
    "Write a Python function that merges two sorted lists.",
    "Is coffee bad for you?",
    "Summarize the benefits of remote work",
    "hi",
]


def per_token(label: str, run: object, calls: int) -> None:
    tokens = 0
    t0 = time.perf_counter()
    for i in range(calls):
        tokens += len(run(PROMPTS[i % len(PROMPTS)], random.Random(i)))  # type: ignore[operator]
    dt = time.perf_counter() - t0
    cost = f"{dt / tokens * 1e6:6.2f} µs/token"
    print(f"{label:<40} {cost}  {tokens / calls:7.0f} tokens/call  {dt / calls * 1e3:6.2f} ms/call")


def main() -> None:
    t0 = time.perf_counter()
    gen = TextGenerator()
    print(f"first TextGenerator (loads tokenizer + data): {(time.perf_counter() - t0) * 1e3:.0f} ms")
    for p in PROMPTS:
        gen.generate(p, random.Random(0), 500)
    per_token("generate, natural end, max 500", lambda p, r: gen.generate(p, r, 500), 800)
    per_token(
        "generate, ignore_eos, exactly 500",
        lambda p, r: gen.generate(p, r, 500, stop_at_natural_end=False),
        800,
    )
    per_token(
        "generate, ignore_eos, exactly 4000",
        lambda p, r: gen.generate(p, r, 4000, stop_at_natural_end=False),
        100,
    )
    per_token("reasoning, max 1000", lambda p, r: gen.reasoning(p, r, 1000), 800)
    big = "Please review this document. " + "The committee discussed the budget and the timeline. " * 4000
    t0 = time.perf_counter()
    gen.generate(big, random.Random(1), 300)
    print(f"first answer to a {len(big)}-char prompt: {(time.perf_counter() - t0) * 1e3:.1f} ms")
    tok = default_tokenizer()
    text = "\n\n".join("".join(gen.generate(p, random.Random(7), 800)) for p in PROMPTS)
    reps = 50
    t0 = time.perf_counter()
    for _ in range(reps):
        tok.count(text)
    dt = (time.perf_counter() - t0) / reps
    print(f"tokenizer count on generated text: {dt / len(text) * 1e9:.1f} µs/1000 chars")


if __name__ == "__main__":
    main()
