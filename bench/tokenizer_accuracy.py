"""Dev tool: how close fakeai's simulated tokenizer is to OpenAI's real BPE (cl100k_base, o200k_base).

Needs tiktoken (dev only). The BPE files ship offline inside litellm; point TIKTOKEN_CACHE_DIR at them:

    /work/venv/bin/pip install tiktoken litellm
    /work/venv/bin/python bench/tokenizer_accuracy.py            # summary per category and encoding
    /work/venv/bin/python bench/tokenizer_accuracy.py --show 10  # also the 10 worst samples, token by token

Samples come from bench/tokenizer_corpus.txt ("=== category: name" headers) plus answers produced by
fakeai.behaviors.sim.textgen (category "generated"), since those are what the server counts most.
Reports the mean absolute percentage error (MAPE) per category and overall, the total-count ratio, the
worst samples, and the speed in microseconds per 1,000 characters.
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _tiktoken_encodings() -> dict[str, object] | None:
    try:
        import tiktoken
    except ImportError:
        return None
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        for site in sys.path:
            found = glob.glob(os.path.join(site, "litellm", "litellm_core_utils", "tokenizers"))
            if found:
                os.environ["TIKTOKEN_CACHE_DIR"] = found[0]
                break
    return {name: tiktoken.get_encoding(name) for name in ("cl100k_base", "o200k_base")}


def load_corpus(name: str = "tokenizer_corpus.txt") -> list[tuple[str, str, str]]:
    """(category, name, text) for every sample in a corpus file."""
    samples: list[tuple[str, str, str]] = []
    header: tuple[str, str] | None = None
    lines: list[str] = []
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("=== "):
            if header:
                samples.append((*header, "\n".join(lines).strip("\n")))
            cat, _, name = line[4:].partition(":")
            header, lines = (cat.strip(), name.strip()), []
        else:
            lines.append(line)
    if header:
        samples.append((*header, "\n".join(lines).strip("\n")))
    return samples


def generated_samples(n: int = 24) -> list[tuple[str, str, str]]:
    try:
        from fakeai.behaviors.sim.textgen import TextGenerator
    except ImportError:
        return []
    gen = TextGenerator()
    prompts = [
        "What is artificial intelligence?",
        "Explain how photosynthesis works in plants.",
        "Write a poem about the ocean at night.",
        "List the steps to bake sourdough bread.",
        "Tell me a story about a dragon who is afraid of heights.",
        "Write a Python function that merges two sorted lists.",
        "Why do cats purr?",
        "Compare electric cars and hybrid cars for a long daily commute.",
    ]
    out = []
    for i in range(n):
        p = prompts[i % len(prompts)]
        toks = gen.generate(p, random.Random(i), 400)
        out.append(("generated", f"{i}:{p[:30]}", "".join(toks)))
        if i % 4 == 0:
            out.append(("reasoning", f"{i}:{p[:30]}", "".join(gen.reasoning(p, random.Random(i), 300))))
    return out


def report(title: str, enc: object, tok: object, samples: list[tuple[str, str, str]], show: int) -> None:
    print(f"\n## {title}")
    errors: dict[str, list[float]] = {}
    rows = []
    tot_ours = tot_real = 0
    for cat, sname, text in samples:
        real = len(enc.encode(text))  # type: ignore[attr-defined]
        ours = tok.count(text)  # type: ignore[attr-defined]
        tot_ours += ours
        tot_real += real
        err = (ours - real) / max(real, 1)
        errors.setdefault(cat, []).append(abs(err))
        rows.append((abs(err), err, cat, sname, real, ours, text))
    print(f"{'category':<12} {'n':>3} {'MAPE':>7} {'max':>7}")
    for cat, errs in sorted(errors.items()):
        print(f"{cat:<12} {len(errs):>3} {statistics.mean(errs):7.1%} {max(errs):7.1%}")
    allerr = [r[0] for r in rows]
    print(f"{'ALL':<12} {len(allerr):>3} {statistics.mean(allerr):7.1%} {max(allerr):7.1%}")
    print(f"total tokens: real {tot_real}, ours {tot_ours} (ratio {tot_ours / tot_real:.3f})")
    rows.sort(key=lambda r: -r[0])
    print("worst:", ", ".join(f"{r[2]}/{r[3]} {r[1]:+.1%} ({r[5]} vs {r[4]})" for r in rows[:5]))
    for _, err, cat, sname, real, ours, text in rows[:show]:
        print(f"\n--- {cat}/{sname}: ours {ours} real {real} ({err:+.1%})")
        print("ours:", tok.tokenize(text)[:120])  # type: ignore[attr-defined]
        print("real:", [enc.decode([i]) for i in enc.encode(text)][:120])  # type: ignore[attr-defined]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", type=int, default=0, help="print the N worst samples token by token")
    args = ap.parse_args()

    encodings = _tiktoken_encodings()
    if encodings is None:
        print("tiktoken is not installed: skipping the accuracy measurement (pip install tiktoken litellm)")
        return 0

    from fakeai.behaviors.sim.tokenizer import Tokenizer

    tok = Tokenizer()
    sets = {
        "tuning corpus (bench/tokenizer_corpus.txt)": load_corpus(),
        "held-out corpus (bench/tokenizer_holdout.txt, never tuned on)": load_corpus("tokenizer_holdout.txt"),
        "textgen output": generated_samples(),
    }
    samples = [s for group in sets.values() for s in group]
    for name, enc in encodings.items():
        for label, group in sets.items():
            if group:
                report(f"{name} — {label}", enc, tok, group, args.show)

    text = "\n\n".join(s[2] for s in samples)
    fresh = Tokenizer()
    t0 = time.perf_counter()
    fresh.count(text)
    cold = time.perf_counter() - t0
    reps = 20
    t0 = time.perf_counter()
    for _ in range(reps):
        tok.count(text)
    warm = (time.perf_counter() - t0) / reps
    t0 = time.perf_counter()
    for _ in range(reps):
        tok.tokenize(text)
    warm_tok = (time.perf_counter() - t0) / reps
    k = len(text) / 1000
    print(
        f"\nspeed over {len(text)} chars: count {warm / k * 1e6:.1f} µs/1000 chars (warm cache), "
        f"tokenize {warm_tok / k * 1e6:.1f} µs/1000 chars, first pass {cold / k * 1e6:.1f} µs/1000 chars (cold)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
